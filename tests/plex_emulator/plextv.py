"""An emulated plex.tv on loopback: sign-in PINs, Plex's sign-in page and the account's resources.

Nobody running these tests can reach plex.tv, so every rule below comes from real answers other
projects published, or from public client code; a rule the emulator did not enforce is one the tests
could never see broken. Sources, by rule:

- PINs: `POST /api/v2/pins[?strong=true]` answers 201 with `id, code, product, trusted, qr,
  clientIdentifier, location{...}, expiresIn, createdAt, expiresAt, authToken: null, newRegistration:
  null`; a strong code has 25 characters `[a-z0-9]` and lives 1800 s, a plain one 4 characters
  `[A-Z0-9]` and 900 s (dashotv/tower @23ea194: internal/plex/pins.go, jkt3000/rubyplex @230603d:
  lib/plex/auth.rb, andrey-yantsen/plex-api.rs @37f2a7f: crates/plex-api/tests/mocks/myplex/api/v2/
  pins_new.json). Once linked, `authToken` is the account's token and `newRegistration` false (same
  repository, pins_linked.json). `expiresIn` counts down on each poll
  (https://plexapi.dev/api-reference/plex/get-access-token-by-pinid shows 876 of 900).
- A PIN polled under another `X-Plex-Client-Identifier`, unknown or expired: 404 code 1020; polled too
  fast: 429 code 1003, seen at about 2 polls a second by a real client (the 0.5 s threshold here is
  guessed); a missing client identifier: 400 code 1000; a missing or wrong token: 401 code 1001.
  X-Plex-* values may come as headers or as parameters
  (https://forums.plex.tv/t/authenticating-with-plex/609370 sends them with `curl -d`).
- The sign-in page (`https://app.plex.tv/auth#?clientID=..&code=..&context[device][product]=..
  [&forwardUrl=..]`, same forum post) links the PIN only if it was created with an `Origin` header
  equal to the origin of `forwardUrl`; otherwise it says "We were unable to complete this request" and
  never forwards. Home Assistant's Plex sign-in broke exactly so (home-assistant/core#42900) and was
  fixed by sending `Origin: <HA-Frontend-Base>` when creating the PIN (home-assistant/core#43081). The
  page forwards only once the PIN is linked and has no way to refuse: a user who does not approve just
  closes it. Here an "Approve" button stands for the account login.
- `GET /api/v2/resources`: JSON with `Accept: application/json`, XML otherwise; relay rows only with
  `includeRelay=1`, IPv6 rows only with `includeIPv6=1`, plain http rows unless `includeHttps=1`
  (pkkid/python-plexapi: plexapi/myplex.py asks for includeHttps=1&includeRelay=1; the real JSON bodies
  in Carrotman42/musicquiz @8216e1f: common/apiclients/plexclient/plexclient.go and
  andrey-yantsen/plex-api.rs @37f2a7f: crates/plex-api/tests/mocks/myplex/api/v2/resources.json).

Error bodies are always `{"errors": [{"code", "message", "status"}]}` JSON, and PINs are always JSON
(plex.tv answers XML to a client that does not ask for JSON; the emulator does so for resources only).
"""

import asyncio
import datetime
import hashlib
import ipaddress
import itertools
import secrets
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import quoteattr

from aiohttp import web

from .server import Handler, PlexEmulator, RecordedRequest

ACCOUNT_TOKEN = "plex-tv-account-token"  # the emulated account's token
STRONG_PIN_LIFETIME = 1800
PIN_LIFETIME = 900  # a 4-character PIN's
# Seconds between two polls of one PIN below which plex.tv answers 429 (guessed: "about 2 a second").
MIN_POLL_INTERVAL = 0.5
# Plex's real sign-in page; approve_from_page() accepts URLs of it as well as of the emulated one.
REAL_SIGN_IN_PAGE = "https://app.plex.tv/auth"
REFUSAL = "We were unable to complete this request"
# Where the location of a PIN would say where its creator is: invented, with the real record's keys.
LOCATION: dict[str, Any] = {
    "code": "XX",
    "european_union_member": False,
    "continent_code": "XX",
    "country": "Loopback",
    "city": "Localhost",
    "time_zone": "UTC",
    "postal_code": "00000",
    "in_privacy_restricted_country": False,
    "in_privacy_restricted_region": False,
    "subdivisions": "Emulated",
    "coordinates": "0.0000, 0.0000",
}

SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plex (emulated sign-in)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;background:#1f1f1f;color:#eee;display:flex;justify-content:center;
padding-top:10vh}main{background:#2b2b2b;padding:2em;border-radius:8px;max-width:24em}
button{font-size:1.1em;margin:.5em .5em 0 0;padding:.5em 1.2em;border:0;border-radius:4px;
background:#e5a00d}#failed{color:#f77}</style></head>
<body><main><h1>Plex</h1>
<p>This is the emulated plex.tv of Plex Butler's tests and demo: no real account is involved.</p>
<p id="what">Allow <b id="product"></b> to access your Plex account?</p>
<button id="approve">Approve</button>
<p id="failed" hidden>We were unable to complete this request</p>
<p id="done" hidden>Done: you can close this window.</p></main>
<script>
const params = new URLSearchParams(location.hash.replace(/^#\\??/, ""));
document.getElementById("product").textContent = params.get("context[device][product]") || "an app";
const button = document.getElementById("approve");
button.onclick = async () => {
  button.disabled = true;
  const body = new URLSearchParams();
  for (const name of ["code", "clientID", "forwardUrl"]) {
    if (params.has(name)) { body.set(name, params.get(name)); }
  }
  const response = await fetch("/emulator/approve", {method: "POST", body});
  if (!response.ok) {
    document.getElementById("failed").hidden = false;
    return;
  }
  const answer = await response.json();
  if (answer.forwardUrl) { location.href = answer.forwardUrl; }
  else { document.getElementById("done").hidden = false; }
};
</script></body></html>
"""


class SignInPageRefused(Exception):  # noqa: N818 - named for what the page does
    """The sign-in page would show "We were unable to complete this request" and leave the PIN unlinked."""


@dataclass(slots=True)
class EmulatedPin:
    """One PIN as plex.tv keeps it. `created` is `time.monotonic()`, `created_at` the wall clock."""

    id: int
    code: str
    client_identifier: str
    product: str | None
    lifetime: int
    created: float
    created_at: datetime.datetime
    # The `Origin` header of the request that created it, None without one.
    origin: str | None = None
    auth_token: str | None = None
    last_poll: float | None = None

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.created > self.lifetime

    def record(self) -> dict[str, Any]:
        """The PIN as `POST /api/v2/pins` and `GET /api/v2/pins/<id>` show it."""
        left = max(0, round(self.lifetime - (time.monotonic() - self.created)))
        expires_at = self.created_at + datetime.timedelta(seconds=self.lifetime)
        return {
            "id": self.id,
            "code": self.code,
            "product": self.product,
            "trusted": False,
            "qr": f"https://plex.tv/api/v2/pins/qr/{self.code}",
            "clientIdentifier": self.client_identifier,
            "location": dict(LOCATION),
            "expiresIn": left,
            "createdAt": _iso(self.created_at),
            "expiresAt": _iso(expires_at),
            "authToken": self.auth_token,
            "newRegistration": None if self.auth_token is None else False,
        }


@dataclass(slots=True)
class PlexTvEmulator:
    """The account of the emulated plex.tv and what it lists. `await start()` binds 127.0.0.1."""

    account_token: str = ACCOUNT_TOKEN
    # Resource records as `/api/v2/resources` lists them with every include; see account_resources().
    resources: list[dict[str, Any]] = field(default_factory=list)
    # path prefix -> status to answer instead, for every request to that path (a test's fault knob).
    failures: dict[str, int] = field(default_factory=dict)
    # path -> body to answer with status 200 instead of the real answer (malformed answers).
    bodies: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before each answer (a slow plex.tv).
    delay: float = 0.0
    # The next this many PIN polls answer 429, whatever their pace.
    rate_limited: int = 0
    # A poll of a PIN sooner than this after the previous poll of that PIN answers 429 (0: never).
    min_poll_interval: float = MIN_POLL_INTERVAL
    # How many polls were refused as too fast (not counting the `rate_limited` knob's).
    too_fast_polls: int = 0
    pins: dict[int, EmulatedPin] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    _runner: web.AppRunner | None = None
    _ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1_174_000_000))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def sign_in_page(self) -> str:
        return f"{self.url}/auth"

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.router.add_post("/api/v2/pins", self._create_pin)
        app.router.add_get("/api/v2/pins/{pin_id}", self._get_pin)
        app.router.add_get("/api/v2/resources", self._resources)
        app.router.add_get("/auth", self._page)
        # Not plex.tv's: what the emulated page's "Approve" calls, where the real page logs in.
        app.router.add_post("/emulator/approve", self._approve)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.host, self.port = server.sockets[0].getsockname()[:2]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Knobs for tests ---------------------------------------------------------------------------

    def approve(self, code: str | None = None) -> None:
        """Link the PIN (the latest one unless `code` says which), as "Approve" on a page without
        forwardUrl does; raises KeyError when there is no such PIN."""
        pin = self._pin_by_code(code)
        pin.auth_token = self.account_token

    def approve_from_page(self, page_url: str) -> str | None:
        """Open the sign-in URL a client built and press "Approve": the page's rules, as the browser's.

        Returns the forwardUrl the browser is sent to (None: the page says it can be closed). Raises
        KeyError for an unknown or expired code, SignInPageRefused where the page would refuse (no or
        another Origin for a forwardUrl); the PIN then stays unlinked. ValueError: not a sign-in page.
        """
        parts = urlsplit(page_url)
        page = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if page not in (self.sign_in_page, REAL_SIGN_IN_PAGE):
            raise ValueError(f"{page} is not Plex's sign-in page")
        params = {name: values[0] for name, values in parse_qs(parts.fragment.removeprefix("?")).items()}
        return self._link_from_page(params)

    def expire_pins(self) -> None:
        """Every PIN outlives its lifetime at once."""
        for pin in self.pins.values():
            pin.created -= pin.lifetime + 1
            pin.created_at -= datetime.timedelta(seconds=pin.lifetime + 1)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # The sign-in page's rule ---------------------------------------------------------------------

    def _link_from_page(self, params: Mapping[str, str]) -> str | None:
        """What "Approve" does with the page's parameters: link the PIN and give the forwardUrl."""
        pin = self._pin_by_code(params.get("code") or "")
        if pin.expired:
            raise KeyError(pin.code)
        # Guessed: the page links the code for the client named in the URL, the PIN's creator.
        if params.get("clientID") != pin.client_identifier:
            raise SignInPageRefused("clientID is not the client that created the PIN")
        forward_url = params.get("forwardUrl") or None
        if forward_url is not None:
            wanted = web_origin(forward_url)
            if wanted is None:
                raise SignInPageRefused("forwardUrl is not an http(s) URL")
            if pin.origin is None or header_origin(pin.origin) != wanted:
                raise SignInPageRefused(f"the PIN was created with Origin {pin.origin!r}, not {wanted!r}")
        pin.auth_token = self.account_token
        return forward_url

    def _pin_by_code(self, code: str | None) -> EmulatedPin:
        pins = [pin for pin in self.pins.values() if code in (None, pin.code)]
        if not pins:
            raise KeyError(code)
        return pins[-1]

    # Handlers ----------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(request.method, request.path, dict(request.query), dict(request.headers))
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        for path, status in self.failures.items():
            if request.path.startswith(path):
                return _error(status, status, "emulated failure")
        if request.path in self.bodies:
            return web.Response(text=self.bodies[request.path], content_type="application/json")
        return await handler(request)

    async def _create_pin(self, request: web.Request) -> web.Response:
        form = await request.post()
        params = {**{k: v for k, v in form.items() if isinstance(v, str)}, **request.query}
        client = _plex_value(request, "X-Plex-Client-Identifier", params)
        if not client:
            return _missing_client()
        strong = params.get("strong") == "true"
        alphabet = (
            string.ascii_lowercase + string.digits if strong else string.ascii_uppercase + string.digits
        )
        code = "".join(secrets.choice(alphabet) for _ in range(25 if strong else 4))
        pin = EmulatedPin(
            id=next(self._ids),
            code=code,
            client_identifier=client,
            product=_plex_value(request, "X-Plex-Product", params),
            lifetime=STRONG_PIN_LIFETIME if strong else PIN_LIFETIME,
            created=time.monotonic(),
            created_at=datetime.datetime.now(datetime.UTC).replace(microsecond=0),
            origin=request.headers.get("Origin"),
        )
        self.pins[pin.id] = pin
        return web.json_response(pin.record(), status=201)

    async def _get_pin(self, request: web.Request) -> web.Response:
        client = _plex_value(request, "X-Plex-Client-Identifier", request.query)
        if not client:
            return _missing_client()  # guessed: as for creating one
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return _rate_limited()
        pin_id = request.match_info["pin_id"]
        pin = self.pins.get(int(pin_id)) if pin_id.isdigit() else None
        if pin is None or pin.expired or pin.client_identifier != client:
            return _error(404, 1020, "Code not found or expired")
        now = time.monotonic()
        too_soon = pin.last_poll is not None and now - pin.last_poll < self.min_poll_interval
        # Every poll counts, answered or not: a client that keeps polling too fast stays refused.
        pin.last_poll = now
        if too_soon:
            self.too_fast_polls += 1
            return _rate_limited()
        return web.json_response(pin.record())

    async def _resources(self, request: web.Request) -> web.Response:
        if not _plex_value(request, "X-Plex-Client-Identifier", request.query):
            return _missing_client()
        if _plex_value(request, "X-Plex-Token", request.query) != self.account_token:
            return _error(401, 1001, "User could not be authenticated")
        include = {
            name for name in ("includeHttps", "includeRelay", "includeIPv6") if request.query.get(name) == "1"
        }
        records = [_as_listed(record, include) for record in self.resources]
        if "application/json" in request.headers.get("Accept", ""):
            return web.json_response(records)
        return web.Response(body=_resources_xml(records), content_type="application/xml", charset="utf-8")

    async def _page(self, _request: web.Request) -> web.Response:
        return web.Response(text=SIGN_IN_PAGE, content_type="text/html")

    async def _approve(self, request: web.Request) -> web.Response:
        form = await request.post()
        params = {**request.query, **{k: v for k, v in form.items() if isinstance(v, str)}}
        try:
            forward_url = self._link_from_page(params)
        except KeyError:
            return web.json_response({"error": REFUSAL}, status=404)
        except SignInPageRefused as err:
            return web.json_response({"error": REFUSAL, "why": str(err)}, status=403)
        return web.json_response({"forwardUrl": forward_url})


# Origins ---------------------------------------------------------------------------------------


def web_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lowercased, the scheme's default port left out."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == {"http": 80, "https": 443}[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def header_origin(value: str) -> str | None:
    """The origin an `Origin` header names, or None for one that is no origin.

    An Origin header is `scheme://host[:port]` and nothing else (RFC 6454); one with a path, query or
    credentials never matches here (guessed: how plex.tv treats such a header is not known).
    """
    parts = urlsplit(value.strip())
    if parts.path or parts.query or parts.fragment or parts.username is not None:
        return None
    return web_origin(value)


# Resources -------------------------------------------------------------------------------------


def _as_listed(record: dict[str, Any], include: set[str]) -> dict[str, Any]:
    """The record as plex.tv answers it for the include parameters given."""
    connections = record.get("connections")
    if not isinstance(connections, list):
        return record
    listed = []
    for connection in connections:
        if not isinstance(connection, dict):
            listed.append(connection)
            continue
        if _flag(connection.get("relay")) and "includeRelay" not in include:
            continue
        if _flag(connection.get("IPv6")) and "includeIPv6" not in include:
            continue
        if "includeHttps" not in include:
            address = str(connection.get("address"))
            host = f"[{address}]" if ":" in address else address
            uri = f"http://{host}:{connection.get('port')}"
            listed.append({**connection, "protocol": "http", "uri": uri})
        else:
            listed.append(connection)
    return {**record, "connections": listed}


def _resources_xml(records: list[dict[str, Any]]) -> bytes:
    """XML as inferred from python-plexapi's parser (pkkid/python-plexapi: plexapi/myplex.py,
    MyPlexResource reads `<resource>` children of the root and ResourceConnection the `<connection>`
    elements of its `<connections>`; booleans as 1/0, a null attribute left out, as `ownerId` is read
    with a default). The root's name is guessed."""

    def attributes(record: Mapping[str, Any]) -> str:
        return "".join(
            f" {key}={quoteattr(_xml_value(value))}"
            for key, value in record.items()
            if value is not None and not isinstance(value, list | dict)
        )

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<MediaContainer size="{len(records)}">']
    for record in records:
        lines.append(f"<resource{attributes(record)}>")
        lines.append("<connections>")
        lines += [
            f"<connection{attributes(connection)}/>"
            for connection in record.get("connections") or ()
            if isinstance(connection, dict)
        ]
        lines += ["</connections>", "</resource>"]
    lines.append("</MediaContainer>")
    return ("\n".join(lines) + "\n").encode()


def plex_direct_hash(machine_identifier: str) -> str:
    """The 32 hex digits of a server's plex.direct names (real ones are Plex's; these are derived)."""
    return hashlib.sha256(machine_identifier.encode()).hexdigest()[:32]


def plex_direct_host(address: str, hash_: str) -> str:
    """`192-168-1-137.<hash>.plex.direct`; an IPv6 address with every group zero-padded, as real ones."""
    ip = ipaddress.ip_address(address)
    label = ip.exploded.replace(":", "-") if ip.version == 6 else str(ip).replace(".", "-")
    return f"{label}.{hash_}.plex.direct"


def account_resources(
    server: PlexEmulator, *, docker_server: PlexEmulator | None, dead_port: int, https_required: bool = False
) -> list[dict[str, Any]]:
    """The account of a real plex.tv answer: one owned server with every field, and a player.

    Its connections follow the real answers' order (local rows first, then IPv6, a custom URL, the
    public address and the relay; plex.tv does not rank them), all https plex.direct names but the
    custom URL, and all on 127.0.0.1, since tests may reach nothing else:

    - a Docker-bridge local row (real: 172.17.0.1) leading to `docker_server`, another server with
      another machineIdentifier, as a bridge address may lead to another machine (left out if None);
    - the LAN local row, `server` itself;
    - an IPv6 remote row ("::1", the zero-padded label of real ones) on `dead_port`;
    - a custom server URL row, `https://plex.example.org:443`, a name that never resolves in tests;
    - the public remote row, on `dead_port`;
    - the relay row: real relays listen on 8443, here `dead_port`.
    """
    identifier = server.identity["machineIdentifier"]
    hash_ = plex_direct_hash(identifier)

    def row(address: str, port: int, *, local: bool, relay: bool = False) -> dict[str, Any]:
        uri = f"https://{plex_direct_host(address, hash_)}:{port}"
        return _connection("https", address, port, local=local, relay=relay, uri=uri)

    connections = [row("127.0.0.1", docker_server.port, local=True)] if docker_server is not None else []
    connections += [
        row("127.0.0.1", server.port, local=True),
        {**row("::1", dead_port, local=False), "IPv6": True},
        _connection("https", "plex.example.org", 443, local=False),
        row("127.0.0.1", dead_port, local=False),
        row("127.0.0.1", dead_port, local=False, relay=True),
    ]
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    record = {
        "name": server.identity["friendlyName"],
        "product": "Plex Media Server",
        "productVersion": server.identity["version"],
        "platform": "Linux",
        "platformVersion": "6.12.0 (emulated)",
        "device": "PC",
        "clientIdentifier": identifier,
        "provides": "server",
        "ownerId": None,
        "sourceTitle": None,
        "publicAddress": "203.0.113.10",  # a documentation address (RFC 5737)
        "accessToken": server.token,
        "searchEnabled": True,
        "createdAt": "2024-05-01T12:00:00Z",
        "lastSeenAt": _iso(now),
        "owned": True,
        "home": False,
        "synced": False,
        "relay": True,
        "presence": True,
        "httpsRequired": https_required,
        "publicAddressMatches": False,
        "dnsRebindingProtection": False,
        "natLoopbackSupported": False,
        "connections": connections,
    }
    return [record, player()]


def owned_server(server: PlexEmulator, *, dead_port: int, name: str | None = None) -> dict[str, Any]:
    """An owned server in an older, simpler shape: plain http rows, which real plex.tv never lists for a
    server with a certificate (every real answer found lists https plex.direct names only); see
    account_resources() for the real shape.

    Its addresses, in plex.tv's (unranked) order: a remote one that works, a relay and a local https
    one that are dead, and the local plain one that works. All point at 127.0.0.1.
    """
    dead = f"127.0.0.1:{dead_port}"
    return {
        "name": name or server.identity["friendlyName"],
        "product": "Plex Media Server",
        "productVersion": server.identity["version"],
        "clientIdentifier": server.identity["machineIdentifier"],
        "provides": "server",
        "owned": True,
        "accessToken": server.token,
        "httpsRequired": False,
        "publicAddressMatches": True,
        "connections": [
            _connection("http", "127.0.0.1", server.port, local=False),
            _connection("https", "127.0.0.1", dead_port, local=False, relay=True, uri=f"https://{dead}"),
            _connection("https", "127.0.0.1", dead_port, local=True, uri=f"https://{dead}"),
            _connection("http", "127.0.0.1", server.port, local=True),
        ],
    }


def shared_server(machine_identifier: str, name: str, port: int) -> dict[str, Any]:
    """A server someone shared with the account: its token cannot run the Butler.

    As the real shared server (Carrotman42/musicquiz @8216e1f, see above): the owner's id and name,
    its own token, `httpsRequired: true`, plex.direct rows (local, remote and relay, all on `port`).
    """
    hash_ = plex_direct_hash(machine_identifier)
    uri = f"https://{plex_direct_host('127.0.0.1', hash_)}:{port}"
    return {
        "name": name,
        "product": "Plex Media Server",
        "productVersion": "1.43.2.10687-563d026ea",
        "platform": "Linux",
        "platformVersion": "6.8.0 (emulated)",
        "device": "PC",
        "clientIdentifier": machine_identifier,
        "provides": "server",
        "ownerId": 4242,
        "sourceTitle": "a-friend",
        "publicAddress": "198.51.100.20",  # a documentation address (RFC 5737)
        "accessToken": "shared-server-token",
        "searchEnabled": True,
        "createdAt": "2024-04-07T20:00:00Z",
        "lastSeenAt": "2025-09-28T21:00:00Z",
        "owned": False,
        "home": False,
        "synced": False,
        "relay": True,
        "presence": True,
        "httpsRequired": True,
        "publicAddressMatches": False,
        "dnsRebindingProtection": False,
        "natLoopbackSupported": True,
        "connections": [
            _connection("https", "127.0.0.1", port, local=True, uri=uri),
            _connection("https", "127.0.0.1", port, local=False, uri=uri),
            _connection("https", "127.0.0.1", port, local=False, relay=True, uri=uri),
        ],
    }


def player(name: str = "Living room TV") -> dict[str, Any]:
    """A client device of the account, which resources list beside servers."""
    return {
        "name": name,
        "product": "Plex for Android (TV)",
        "productVersion": "10.0",
        "clientIdentifier": "living-room-tv",
        "provides": "client,player,pubsub-player",
        "owned": True,
        "accessToken": None,
        "connections": [],
    }


# Helpers ---------------------------------------------------------------------------------------


def _connection(
    protocol: str, address: str, port: int, *, local: bool, relay: bool = False, uri: str | None = None
) -> dict[str, Any]:
    return {
        "protocol": protocol,
        "address": address,
        "port": port,
        "uri": uri or f"{protocol}://{address}:{port}",
        "local": local,
        "relay": relay,
        "IPv6": False,
    }


def _plex_value(request: web.Request, name: str, params: Mapping[str, str]) -> str | None:
    """An X-Plex-* value, from the header or else from the request's parameters."""
    return request.headers.get(name) or params.get(name) or None


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {"errors": [{"code": code, "message": message, "status": status}]}, status=status
    )


def _missing_client() -> web.Response:
    return _error(400, 1000, "X-Plex-Client-Identifier is missing")


def _rate_limited() -> web.Response:
    return _error(429, 1003, "API rate limit exceeded")


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    return bool(value)


def _xml_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
