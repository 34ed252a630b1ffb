"""The plex.tv client: sign in with a PIN, list the account's servers, find an address that works.

Like the server client, it knows aiohttp and Plex and nothing of Home Assistant. Both base URLs are
injectable, so tests and the demo can point it at an emulated plex.tv on loopback.
"""

import asyncio
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Unpack
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from .client import ClientNames, PlexButlerClient, normalize_url, plex_headers
from .errors import (
    PlexButlerError,
    PlexTvAuthError,
    PlexTvConnectionError,
    PlexTvPinExpiredError,
    PlexTvResponseError,
)

PLEX_TV_URL: Final = "https://plex.tv"
# Plex's sign-in page reads its parameters from the fragment, so they never reach a web server log.
SIGN_IN_PAGE_URL: Final = "https://app.plex.tv/auth"
DEFAULT_TIMEOUT: Final = 10.0
# A dead address of a server should not hold the user up for long: all are tried at once, this long.
CONNECTION_TIMEOUT: Final = 5.0


@dataclass(frozen=True, slots=True)
class PlexPin:
    """A sign-in PIN. `auth_token` is set once the user has approved it on Plex's page."""

    id: int
    code: str
    auth_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None


@dataclass(frozen=True, slots=True)
class PlexConnection:
    """One address plex.tv knows for a server."""

    uri: str
    protocol: str
    local: bool
    relay: bool

    @property
    def plex_direct(self) -> bool:
        """An https address under plex.direct, whose certificate is valid for its name."""
        host = URL(self.uri).host or ""
        return self.protocol == "https" and host.endswith(".plex.direct")


@dataclass(frozen=True, slots=True)
class PlexResource:
    """A device of the account as `/api/v2/resources` lists it; servers are the ones that matter here."""

    name: str
    client_identifier: str
    product_version: str
    owned: bool
    provides: tuple[str, ...]
    connections: tuple[PlexConnection, ...]
    # The token for this server: the account's own on an owned server. Never printed.
    access_token: str | None = field(default=None, repr=False)

    @property
    def is_server(self) -> bool:
        """A Plex Media Server (rather than a player or another app)."""
        return "server" in self.provides


def ranked_connections(connections: Iterable[PlexConnection]) -> list[PlexConnection]:
    """The order to try a server's addresses in: local first, https plex.direct before plain, relay last.

    A relay is Plex's bandwidth-limited fallback through its own machines: only when nothing else works.
    """
    return sorted(connections, key=lambda c: (c.relay, not c.local, not c.plex_direct))


async def find_connection(
    session: aiohttp.ClientSession,
    resource: PlexResource,
    *,
    probe_timeout: float = CONNECTION_TIMEOUT,
    **client_options: Unpack[ClientNames],
) -> PlexConnection | None:
    """The best-ranked address of `resource` that answers `/identity` as that very server, or None.

    All addresses are tried at once, so dead ones cost one timeout in all rather than one each. No
    token is sent: `/identity` needs none, and an address may lead to someone else's machine.
    """

    async def answers(connection: PlexConnection) -> bool:
        try:
            client = PlexButlerClient(session, connection.uri, None, timeout=probe_timeout, **client_options)
            identity = await client.get_public_identity()
        except (PlexButlerError, ValueError):
            return False
        return identity.machine_identifier == resource.client_identifier

    ranked = ranked_connections(resource.connections)
    results = await asyncio.gather(*(answers(connection) for connection in ranked))
    return next((connection for connection, ok in zip(ranked, results, strict=True) if ok), None)


class PlexTvClient:
    """Talks to plex.tv for one Home Assistant: PINs and the account's resources."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        client_identifier: str,
        product: str,
        device_name: str,
        api_url: str = PLEX_TV_URL,
        sign_in_page_url: str = SIGN_IN_PAGE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._session = session
        self._api_url = URL(api_url)
        self._sign_in_page_url = sign_in_page_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._client_identifier = client_identifier
        self._product = product
        self._headers = plex_headers(client_identifier, product, device_name)

    async def create_pin(self) -> PlexPin:
        """A new strong PIN (`POST /api/v2/pins?strong=true`), valid for half an hour or so."""
        return _parse_pin(await self._request("POST", "/api/v2/pins", query={"strong": "true"}))

    async def check_pin(self, pin_id: int) -> PlexPin:
        """The PIN as it stands; raises PlexTvPinExpiredError once plex.tv has forgotten it."""
        return _parse_pin(await self._request("GET", f"/api/v2/pins/{int(pin_id)}", pin=True))

    def sign_in_url(self, pin: PlexPin, forward_url: str | None = None) -> str:
        """Plex's sign-in page for `pin`; after sign-in it sends the browser to `forward_url`, if given."""
        parameters = {
            "clientID": self._client_identifier,
            "code": pin.code,
            "context[device][product]": self._product,
        }
        if forward_url is not None:
            parameters["forwardUrl"] = forward_url
        return f"{self._sign_in_page_url}#?{urlencode(parameters)}"

    async def get_resources(self, account_token: str) -> list[PlexResource]:
        """Every device the account can reach, servers with their addresses and tokens."""
        body = await self._request(
            "GET",
            "/api/v2/resources",
            query={"includeHttps": "1", "includeRelay": "1"},
            token=account_token,
        )
        if not isinstance(body, list):
            raise PlexTvResponseError("plex.tv did not list resources")
        return [resource for record in body if (resource := _parse_resource(record)) is not None]

    async def get_servers(self, account_token: str) -> list[PlexResource]:
        """The account's Plex Media Servers (owned or shared), in plex.tv's order."""
        return [resource for resource in await self.get_resources(account_token) if resource.is_server]

    async def _request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        token: str | None = None,
        pin: bool = False,
    ) -> Any:
        url = self._api_url.with_path(f"{self._api_url.path.rstrip('/')}{path}", encoded=False)
        if query:
            url = url.with_query(query)
        headers = dict(self._headers)
        if token is not None:
            headers["X-Plex-Token"] = token
        try:
            async with self._session.request(
                method, url, headers=headers, timeout=self._timeout, allow_redirects=False
            ) as response:
                status = response.status
                text = await response.text()
        except TimeoutError as err:
            raise PlexTvConnectionError("plex.tv did not answer in time") from err
        except (aiohttp.ClientError, OSError) as err:
            raise PlexTvConnectionError("Cannot reach plex.tv") from err
        if pin and status == 404:
            raise PlexTvPinExpiredError("The sign-in PIN has expired")
        if status in (401, 403):
            raise PlexTvAuthError("plex.tv refused the sign-in")
        if not 200 <= status < 300:
            raise PlexTvResponseError(f"plex.tv answered HTTP {status} to {method} {path}")
        try:
            return json.loads(text)
        except ValueError as err:
            raise PlexTvResponseError(f"plex.tv's answer to {method} {path} is not JSON") from err


def server_url(connection: PlexConnection) -> str:
    """The address to store for a connection, in the form the manual form would store it."""
    return str(normalize_url(connection.uri))


def _parse_pin(body: Any) -> PlexPin:
    if not isinstance(body, dict):
        raise PlexTvResponseError("plex.tv did not answer with a PIN")
    try:
        pin_id = int(body["id"])
        code = str(body["code"])
    except (KeyError, TypeError, ValueError) as err:
        raise PlexTvResponseError("plex.tv's PIN has no id or code") from err
    token = body.get("authToken")
    try:
        expires_in: int | None = int(body["expiresIn"])
    except (KeyError, TypeError, ValueError):
        expires_in = None
    return PlexPin(id=pin_id, code=code, auth_token=str(token) if token else None, expires_in=expires_in)


def _flag(value: object) -> bool:
    """plex.tv's booleans: JSON true/false, and "1"/"0" in older answers."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    return bool(value)


def _parse_resource(record: object) -> PlexResource | None:
    """One resource, or None for a record without an identifier (nothing could be done with it)."""
    if not isinstance(record, dict) or not record.get("clientIdentifier"):
        return None
    connections = []
    for item in record.get("connections") or ():
        if isinstance(item, dict) and isinstance(item.get("uri"), str):
            connections.append(
                PlexConnection(
                    uri=item["uri"],
                    protocol=str(item.get("protocol") or URL(item["uri"]).scheme),
                    local=_flag(item.get("local")),
                    relay=_flag(item.get("relay")),
                )
            )
    token = record.get("accessToken")
    return PlexResource(
        name=str(record.get("name") or record["clientIdentifier"]),
        client_identifier=str(record["clientIdentifier"]),
        product_version=str(record.get("productVersion") or ""),
        owned=_flag(record.get("owned")),
        provides=tuple(part.strip() for part in str(record.get("provides") or "").split(",") if part.strip()),
        connections=tuple(connections),
        access_token=str(token) if token else None,
    )
