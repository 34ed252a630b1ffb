"""The plex.tv client: sign in with a PIN, list the account's servers, find an address that works.

Like the server client, it knows aiohttp and Plex and nothing of Home Assistant. Both base URLs are
injectable, so tests and the demo can point it at an emulated plex.tv on loopback.
"""

import asyncio
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final, Unpack
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from .client import REQUEST_TIMEOUT, ClientNames, PlexButlerClient, normalize_url, plex_headers
from .errors import (
    PlexButlerError,
    PlexTvAuthError,
    PlexTvBusyError,
    PlexTvConnectionError,
    PlexTvPinExpiredError,
    PlexTvResponseError,
)

PLEX_TV_URL: Final = "https://plex.tv"
# Plex's sign-in page reads its parameters from the fragment, so they never reach a web server log.
SIGN_IN_PAGE_URL: Final = "https://app.plex.tv/auth"
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
    """One address plex.tv knows for a server: `uri` as listed, and the `address` and `port` under it.

    For a server with a certificate every `uri` is an https name under plex.direct that embeds the
    address (`https://192-168-1-10.<hash>.plex.direct:32400`); a custom server URL is a row of its own
    whose `address` is a host name.
    """

    uri: str
    protocol: str
    local: bool
    relay: bool
    address: str = ""
    port: int | None = None

    @property
    def plex_direct(self) -> bool:
        """An https address under plex.direct, whose certificate is valid for its name."""
        host = URL(self.uri).host or ""
        return self.protocol == "https" and host.endswith(".plex.direct")

    @property
    def ip_address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """`address` when it is an IP literal (not a host name)."""
        try:
            return ipaddress.ip_address(self.address)
        except ValueError:
            return None


class AddressKind(IntEnum):
    """The kinds of address to try, best first."""

    LOCAL_HTTPS = 0
    LOCAL_HTTP = 1
    REMOTE = 2
    RELAY = 3


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """A URL to try for a server, and what kind of address it is."""

    url: str
    kind: AddressKind

    @property
    def relay(self) -> bool:
        """Plex's bandwidth-limited relay: never stored by surprise."""
        return self.kind is AddressKind.RELAY


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
    # The owner asks for encrypted connections only: no plain-http address is tried.
    https_required: bool = False

    @property
    def is_server(self) -> bool:
        """A Plex Media Server (rather than a player or another app)."""
        return "server" in self.provides


def address_candidates(resource: PlexResource) -> list[ServerAddress]:
    """Every URL worth trying for `resource`, best first.

    The listed rows, plus `http://<address>:<port>` for each local row whose address is an IP literal:
    many home routers refuse to resolve names that point into the LAN (DNS rebinding protection), and
    then no plex.direct name works at home, while the plain address does. python-plexapi, and through
    it Home Assistant's Plex integration, tries the same. Never plain http for a remote or relay row
    (the owner's token would cross the internet in clear), for a host name (a custom URL), or for a
    server that requires https. Order: local https, local plain http, remote, relay last.
    """
    candidates: dict[str, ServerAddress] = {}

    def add(url: str, kind: AddressKind) -> None:
        try:
            normalized = str(normalize_url(url))
        except ValueError:
            return
        if normalized not in candidates or kind < candidates[normalized].kind:
            candidates[normalized] = ServerAddress(normalized, kind)

    for connection in resource.connections:
        if connection.relay:
            add(connection.uri, AddressKind.RELAY)
        elif not connection.local:
            add(connection.uri, AddressKind.REMOTE)
        else:
            add(
                connection.uri,
                AddressKind.LOCAL_HTTPS if connection.protocol == "https" else AddressKind.LOCAL_HTTP,
            )
            ip = connection.ip_address
            if ip is not None and connection.port and not resource.https_required:
                host = f"[{ip}]" if ip.version == 6 else str(ip)
                add(f"http://{host}:{connection.port}", AddressKind.LOCAL_HTTP)
    return sorted(candidates.values(), key=lambda candidate: candidate.kind)


async def find_connection(
    session: aiohttp.ClientSession,
    resource: PlexResource,
    *,
    probe_timeout: float = CONNECTION_TIMEOUT,
    **client_options: Unpack[ClientNames],
) -> ServerAddress | None:
    """The best-ranked address of `resource` that answers `/identity` as that very server, or None.

    All addresses are tried at once, so dead ones cost one timeout in all rather than one each. No
    token is sent: `/identity` needs none, and an address may lead to someone else's machine (plex.tv
    lists Docker bridge addresses such as 172.17.0.1 as local).
    """

    async def answers(candidate: ServerAddress) -> bool:
        try:
            client = PlexButlerClient(session, candidate.url, None, timeout=probe_timeout, **client_options)
            identity = await client.get_public_identity()
        except (PlexButlerError, ValueError):
            return False
        return identity.machine_identifier == resource.client_identifier

    candidates = address_candidates(resource)
    results = await asyncio.gather(*(answers(candidate) for candidate in candidates))
    return next((candidate for candidate, ok in zip(candidates, results, strict=True) if ok), None)


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of `url`, as a browser sends it in `Origin` (default ports left out)."""
    parsed = URL(url)
    return str(parsed.origin())


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
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self._session = session
        self._api_url = URL(api_url)
        self._sign_in_page_url = sign_in_page_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._client_identifier = client_identifier
        self._product = product
        self._headers = plex_headers(client_identifier, product, device_name)

    async def create_pin(self, forward_url: str | None = None) -> PlexPin:
        """A new strong PIN (`POST /api/v2/pins?strong=true`), valid for half an hour or so.

        When Plex's page will be given `forward_url`, the PIN must be created with that URL's origin:
        plex.tv compares the two, and without it the page refuses and never links the PIN
        (home-assistant/core#42900, fixed by home-assistant/core#43081).
        """
        headers = {"Origin": origin_of(forward_url)} if forward_url is not None else None
        body = await self._request("POST", "/api/v2/pins", query={"strong": "true"}, headers=headers)
        return _parse_pin(body)

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
            # Without includeHttps plex.tv lists plain-http rows only; relay and IPv6 rows only when asked.
            query={"includeHttps": "1", "includeRelay": "1", "includeIPv6": "1"},
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
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        url = self._api_url.with_path(f"{self._api_url.path.rstrip('/')}{path}", encoded=False)
        if query:
            url = url.with_query(query)
        headers = {**self._headers, **(headers or {})}
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
        # 429 (code 1003, "API rate limit exceeded") comes from polling too fast; both mean "later".
        if status == 429 or status >= 500:
            raise PlexTvBusyError(f"plex.tv answered HTTP {status} to {method} {path}: try again later")
        if not 200 <= status < 300:
            raise PlexTvResponseError(f"plex.tv answered HTTP {status} to {method} {path}")
        try:
            return json.loads(text)
        except ValueError as err:
            raise PlexTvResponseError(f"plex.tv's answer to {method} {path} is not JSON") from err


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
                    address=str(item.get("address") or ""),
                    port=_port(item.get("port")),
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
        https_required=_flag(record.get("httpsRequired")),
    )


def _port(value: object) -> int | None:
    try:
        port = int(str(value))
    except ValueError:
        return None
    return port if 0 < port < 65536 else None
