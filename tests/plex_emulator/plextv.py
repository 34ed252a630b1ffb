"""An emulated plex.tv on loopback: sign-in PINs, Plex's sign-in page and the account's resources.

Faithful to shared/plex/README.md ("plex.tv sign-in"): `POST /api/v2/pins?strong=true` answers 201
with `authToken: null` and `expiresIn: 1800`; `GET /api/v2/pins/<id>` shows the token once the PIN is
approved and 404 once it has expired; `GET /api/v2/resources` lists the account's devices with their
`connections`. Plex's real sign-in page is a web app that reads `clientID`, `code` and `forwardUrl`
from the address's fragment: the page here does the same, with an "Approve" and a "Refuse" button
where the real one has an account login.

Not known, so guessed (and marked where used): how plex.tv answers a PIN request without a client
identifier (400 here), and that a refused sign-in leaves the PIN unlinked while the page still
forwards the browser (the real page may simply stay open).
"""

import asyncio
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .server import PlexEmulator, RecordedRequest

ACCOUNT_TOKEN = "plex-tv-account-token"  # the emulated account's token
PIN_LIFETIME = 1800

SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plex (emulated sign-in)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;background:#1f1f1f;color:#eee;display:flex;justify-content:center;
padding-top:10vh}main{background:#2b2b2b;padding:2em;border-radius:8px;max-width:24em}
button{font-size:1.1em;margin:.5em .5em 0 0;padding:.5em 1.2em;border:0;border-radius:4px}
#approve{background:#e5a00d}</style></head>
<body><main><h1>Plex</h1>
<p>This is the emulated plex.tv of Plex Butler's tests and demo: no real account is involved.</p>
<p id="what">Allow <b id="product"></b> to access your Plex account?</p>
<button id="approve">Approve</button><button id="refuse">Refuse</button>
<p id="done" hidden>Done: you can close this window.</p></main>
<script>
const params = new URLSearchParams(location.hash.replace(/^#\\??/, ""));
document.getElementById("product").textContent = params.get("context[device][product]") || "an app";
async function finish(approved) {
  if (approved) {
    await fetch("/emulator/approve?" + new URLSearchParams({code: params.get("code") || ""}),
                {method: "POST"});
  }
  const forward = params.get("forwardUrl");
  if (forward) { location.href = forward; } else { document.getElementById("done").hidden = false; }
}
document.getElementById("approve").onclick = () => finish(true);
document.getElementById("refuse").onclick = () => finish(false);
</script></body></html>
"""


@dataclass(slots=True)
class EmulatedPin:
    id: int
    code: str
    client_identifier: str
    created: float
    auth_token: str | None = None

    def record(self, lifetime: int) -> dict[str, Any]:
        left = max(0, round(lifetime - (time.monotonic() - self.created)))
        return {
            "id": self.id,
            "code": self.code,
            "product": "Plex Butler",
            "trusted": False,
            "clientIdentifier": self.client_identifier,
            "expiresIn": left,
            "authToken": self.auth_token,
            "newRegistration": None,
        }


@dataclass(slots=True)
class PlexTvEmulator:
    """The account of the emulated plex.tv and what it lists. `await start()` binds 127.0.0.1."""

    account_token: str = ACCOUNT_TOKEN
    # Resource records as `/api/v2/resources` lists them; see owned_server() and shared_server().
    resources: list[dict[str, Any]] = field(default_factory=list)
    pin_lifetime: int = PIN_LIFETIME
    # path prefix -> status to answer instead, for every request to that path (a test's fault knob).
    failures: dict[str, int] = field(default_factory=dict)
    # path -> body to answer with status 200 instead of the real answer (malformed answers).
    bodies: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before each answer (a slow plex.tv).
    delay: float = 0.0
    pins: dict[int, EmulatedPin] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    _runner: web.AppRunner | None = None
    _ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1000))

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
        """What the user's "Approve" does: link the PIN (the latest one unless `code` says which)."""
        pin = self._pin_by_code(code)
        pin.auth_token = self.account_token

    def expire_pins(self) -> None:
        """Every PIN outlives its half hour at once."""
        for pin in self.pins.values():
            pin.created -= self.pin_lifetime + 1

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # Handlers ----------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(request.method, request.path, dict(request.query), dict(request.headers))
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        for path, status in self.failures.items():
            if request.path.startswith(path):
                return web.json_response({"errors": [{"code": status, "message": "emulated"}]}, status=status)
        if request.path in self.bodies:
            return web.Response(text=self.bodies[request.path], content_type="application/json")
        response: web.StreamResponse = await handler(request)
        return response

    async def _create_pin(self, request: web.Request) -> web.Response:
        client = request.headers.get("X-Plex-Client-Identifier")
        if not client:
            # Guessed: plex.tv refuses a PIN it could not tie to a client.
            return web.json_response(
                {"errors": [{"message": "X-Plex-Client-Identifier is missing"}]}, status=400
            )
        strong = request.query.get("strong") == "true"
        # A strong PIN is a long code meant for a link, a weak one four characters meant to be typed.
        code = secrets.token_hex(12) if strong else secrets.token_hex(2).upper()
        pin = EmulatedPin(next(self._ids), code, client, time.monotonic())
        self.pins[pin.id] = pin
        return web.json_response(pin.record(self.pin_lifetime), status=201)

    async def _get_pin(self, request: web.Request) -> web.Response:
        pin = (
            self.pins.get(int(request.match_info["pin_id"]))
            if request.match_info["pin_id"].isdigit()
            else None
        )
        if pin is None or time.monotonic() - pin.created > self.pin_lifetime:
            return web.json_response(
                {"errors": [{"code": 1020, "message": "Code not found or expired"}]}, status=404
            )
        return web.json_response(pin.record(self.pin_lifetime))

    async def _resources(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Plex-Token") != self.account_token:
            return web.json_response(
                {"errors": [{"code": 1001, "message": "User could not be authenticated"}]}, status=401
            )
        return web.json_response(self.resources)

    async def _page(self, _request: web.Request) -> web.Response:
        return web.Response(text=SIGN_IN_PAGE, content_type="text/html")

    async def _approve(self, request: web.Request) -> web.Response:
        try:
            self.approve(request.query.get("code"))
        except KeyError:
            return web.Response(status=404)
        return web.Response(status=204)

    def _pin_by_code(self, code: str | None) -> EmulatedPin:
        pins = [pin for pin in self.pins.values() if code in (None, pin.code)]
        if not pins:
            raise KeyError(code)
        return pins[-1]


def owned_server(server: PlexEmulator, *, dead_port: int, name: str | None = None) -> dict[str, Any]:
    """The resource record of an emulated server the account owns, as plex.tv lists one.

    Its addresses, in plex.tv's (unranked) order: a remote one that works, a relay and a local https
    one that are dead, and the local plain one that works. A client that ranks them as it should uses
    the local plain one; all point at 127.0.0.1, as no test may reach anything else.
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
    """A server someone shared with the account: its token cannot run the Butler."""
    return {
        "name": name,
        "product": "Plex Media Server",
        "productVersion": "1.43.2.10687-563d026ea",
        "clientIdentifier": machine_identifier,
        "provides": "server",
        "owned": False,
        "accessToken": "shared-server-token",
        "httpsRequired": False,
        "publicAddressMatches": False,
        "connections": [_connection("http", "127.0.0.1", port, local=False)],
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
