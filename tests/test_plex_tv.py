"""The plex.tv client on its own: how it reads plex.tv's answers and which address it ranks first."""

import asyncio
import dataclasses
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.plex_butler.api import (
    AddressKind,
    PlexConnection,
    PlexResource,
    PlexTvBusyError,
    PlexTvClient,
    PlexTvConnectionError,
    PlexTvPinExpiredError,
    PlexTvResponseError,
    address_candidates,
    find_connection,
)

from .plex_emulator import PlexEmulator
from .plex_emulator.plextv import ACCOUNT_TOKEN, PlexTvEmulator, plex_direct_hash, plex_direct_host
from .plex_emulator.tls import client_ssl_context, server_ssl_context
from .resolver import ResolverStub


@pytest.fixture
async def plex_tv(socket_enabled: None) -> AsyncIterator[PlexTvEmulator]:
    # Polled back to back here; the pacing of real sign-ins is test_sign_in.py's.
    tv = PlexTvEmulator(min_poll_interval=0)
    await tv.start()
    yield tv
    await tv.stop()


@pytest.fixture
async def client(plex_tv: PlexTvEmulator) -> AsyncIterator[PlexTvClient]:
    async with aiohttp.ClientSession() as session:
        yield PlexTvClient(
            session,
            client_identifier="test-client",
            product="Plex Butler",
            device_name="Tests",
            api_url=plex_tv.url,
            sign_in_page_url=plex_tv.sign_in_page,
            timeout=2,
        )


async def test_pin_life(client: PlexTvClient, plex_tv: PlexTvEmulator) -> None:
    pin = await client.create_pin()
    assert pin.auth_token is None
    assert pin.expires_in == 1800
    assert len(pin.code) >= 16  # strong
    assert (await client.check_pin(pin.id)).auth_token is None
    plex_tv.approve(pin.code)
    approved = await client.check_pin(pin.id)
    assert approved.auth_token == ACCOUNT_TOKEN
    # The token never shows in a printed PIN.
    assert ACCOUNT_TOKEN not in repr(approved)
    plex_tv.expire_pins()
    with pytest.raises(PlexTvPinExpiredError):
        await client.check_pin(pin.id)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v2/resources", '{"not": "a list"}'),
        ("/api/v2/resources", "<html>captive portal</html>"),
        ("/api/v2/pins", '{"id": "x"}'),
        ("/api/v2/pins", "[]"),
    ],
)
async def test_unusable_answers(client: PlexTvClient, plex_tv: PlexTvEmulator, path: str, body: str) -> None:
    plex_tv.bodies[path] = body
    call = client.create_pin() if path.endswith("pins") else client.get_resources(ACCOUNT_TOKEN)
    with pytest.raises(PlexTvResponseError):
        await call


async def test_a_pin_with_an_unreadable_lifetime_is_still_a_pin(
    client: PlexTvClient, plex_tv: PlexTvEmulator
) -> None:
    plex_tv.bodies["/api/v2/pins"] = '{"id": 5, "code": "abc", "expiresIn": "soon"}'
    pin = await client.create_pin()
    assert (pin.id, pin.code, pin.expires_in) == (5, "abc", None)


async def test_resources_as_older_answers_write_them(client: PlexTvClient, plex_tv: PlexTvEmulator) -> None:
    """Flags as "1"/"0" strings, a record without an identifier, connections without an address."""
    plex_tv.resources = [
        {"name": "nameless"},
        {
            "clientIdentifier": "abc",
            "provides": "server, player",
            "owned": "1",
            "accessToken": "t",
            "connections": [
                {"uri": "https://10-0-0-2.abc.plex.direct:32400", "local": "0", "relay": "0"},
                {},
            ],
        },
        {"clientIdentifier": "def", "owned": "0"},
    ]
    first, second = await client.get_resources(ACCOUNT_TOKEN)
    assert first.is_server
    assert first.owned
    assert first.name == "abc"
    (connection,) = first.connections
    assert connection.protocol == "https"
    assert connection.plex_direct
    assert not connection.local
    assert not second.owned
    assert not second.is_server
    assert "access_token" not in repr(first)


async def test_plex_tv_unreachable(client: PlexTvClient, plex_tv: PlexTvEmulator) -> None:
    await plex_tv.stop()
    with pytest.raises(PlexTvConnectionError, match="Cannot reach"):
        await client.create_pin()


async def test_plex_tv_too_slow(plex_tv: PlexTvEmulator) -> None:
    plex_tv.delay = 1.0
    async with aiohttp.ClientSession() as session:
        client = PlexTvClient(
            session, client_identifier="c", product="p", device_name="d", api_url=plex_tv.url, timeout=0.1
        )
        with pytest.raises(PlexTvConnectionError, match="in time"):
            await client.create_pin()


def _row(
    address: str, port: int, *, local: bool, relay: bool = False, uri: str | None = None
) -> PlexConnection:
    label = address.replace(".", "-").replace(":", "-")
    return PlexConnection(
        uri=uri or f"https://{label}.0123abcd.plex.direct:{port}",
        protocol="https",
        local=local,
        relay=relay,
        address=address,
        port=port,
    )


def _resource(*connections: PlexConnection, https_required: bool = False) -> PlexResource:
    return PlexResource(
        name="Plex",
        client_identifier="a" * 40,
        product_version="1.43.2",
        owned=True,
        provides=("server",),
        connections=connections,
        https_required=https_required,
    )


def test_address_candidates_add_plain_lan_addresses_only() -> None:
    """Plain http only for local IP literals: never for remote, relay or custom-URL rows."""
    resource = _resource(
        _row("198.51.100.7", 8443, local=False, relay=True),
        _row("203.0.113.10", 32400, local=False),
        _row("plex.example.org", 443, local=False, uri="https://plex.example.org:443"),
        _row("2001:db8::10", 32400, local=True),
        _row("192.168.1.10", 32400, local=True),
    )
    assert [(c.url, c.kind) for c in address_candidates(resource)] == [
        ("https://2001-db8--10.0123abcd.plex.direct:32400", AddressKind.LOCAL_HTTPS),
        ("https://192-168-1-10.0123abcd.plex.direct:32400", AddressKind.LOCAL_HTTPS),
        ("http://[2001:db8::10]:32400", AddressKind.LOCAL_HTTP),
        ("http://192.168.1.10:32400", AddressKind.LOCAL_HTTP),
        ("https://203-0-113-10.0123abcd.plex.direct:32400", AddressKind.REMOTE),
        ("https://plex.example.org", AddressKind.REMOTE),
        ("https://198-51-100-7.0123abcd.plex.direct:8443", AddressKind.RELAY),
    ]
    assert not [c for c in address_candidates(resource) if c.url.startswith("http://") and c.kind > 1]


def test_https_required_means_no_plain_address() -> None:
    resource = _resource(_row("192.168.1.10", 32400, local=True), https_required=True)
    assert [c.url for c in address_candidates(resource)] == [
        "https://192-168-1-10.0123abcd.plex.direct:32400"
    ]


async def test_pin_carries_the_origin_of_its_forward_url(
    client: PlexTvClient, plex_tv: PlexTvEmulator
) -> None:
    """plex.tv's page links a PIN only when it was created with the origin of the page's forwardUrl."""
    forward = "https://ha.example.com:8123/auth/plex_butler/callback?flow_id=1"
    pin = await client.create_pin(forward)
    (create,) = plex_tv.requests_to("POST", "/api/v2/pins")
    assert create.headers["Origin"] == "https://ha.example.com:8123"
    assert plex_tv.approve_from_page(client.sign_in_url(pin, forward)) == forward
    assert (await client.check_pin(pin.id)).auth_token == ACCOUNT_TOKEN


async def test_rate_limit_is_busy_not_refused(client: PlexTvClient, plex_tv: PlexTvEmulator) -> None:
    pin = await client.create_pin()
    plex_tv.rate_limited = 1
    with pytest.raises(PlexTvBusyError):
        await client.check_pin(pin.id)
    assert (await client.check_pin(pin.id)).auth_token is None


@pytest.fixture
async def tls_server(socket_enabled: None) -> AsyncIterator[PlexEmulator]:
    """The emulated server on https, with a certificate for `*.<hash>.plex.direct` from a test CA.

    A real server answers plain http on the same port too; this one cannot, and its TLS layer
    complains of the plain probe to the event loop, which is not a failure of the test.
    """
    loop = asyncio.get_running_loop()
    handler = loop.get_exception_handler()

    def quiet_plain_http(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, ssl.SSLError) and error.reason == "HTTP_REQUEST":
            return
        if handler is not None:
            handler(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(quiet_plain_http)
    server = PlexEmulator(token="t")
    await server.start(ssl_context=server_ssl_context(plex_direct_hash(server.identity["machineIdentifier"])))
    yield server
    await server.stop()
    loop.set_exception_handler(handler)


@pytest.mark.parametrize("resolves", [True, False], ids=["plex_direct_resolves", "rebind_protected"])
async def test_find_connection_prefers_plex_direct_when_it_resolves(
    tls_server: PlexEmulator, resolver: ResolverStub, resolves: bool
) -> None:
    """With the LAN name resolving and its certificate trusted, https plex.direct wins over plain http,
    certificate verified; where the router refuses the name, the plain LAN address is what works."""
    hash_ = plex_direct_hash(tls_server.identity["machineIdentifier"])
    host = plex_direct_host("127.0.0.1", hash_)
    if resolves:
        resolver.register(host, "127.0.0.1")
    resource = dataclasses.replace(
        _resource(_row("127.0.0.1", tls_server.port, local=True, uri=f"https://{host}:{tls_server.port}")),
        client_identifier=tls_server.identity["machineIdentifier"],
    )
    connector = aiohttp.TCPConnector(ssl=client_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        found = await find_connection(session, resource, client_identifier="c", product="p", device_name="d")
    assert resolver.asked == [host]
    if resolves:
        assert found is not None
        assert found.url == f"https://{host}:{tls_server.port}"
        assert found.kind is AddressKind.LOCAL_HTTPS
    else:
        # The plain address reaches an https-only server here: nothing answers, as with a real one.
        assert found is None
