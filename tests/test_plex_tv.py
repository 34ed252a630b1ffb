"""The plex.tv client on its own: how it reads plex.tv's answers and which address it ranks first."""

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.plex_butler.api import (
    PlexConnection,
    PlexTvClient,
    PlexTvConnectionError,
    PlexTvPinExpiredError,
    PlexTvResponseError,
    ranked_connections,
)

from .plex_emulator.plextv import ACCOUNT_TOKEN, PlexTvEmulator


@pytest.fixture
async def plex_tv(socket_enabled: None) -> AsyncIterator[PlexTvEmulator]:
    tv = PlexTvEmulator()
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
        ("/api/v2/pins", '{"id": 5, "code": "abc", "expiresIn": "soon"}'),
    ],
)
async def test_unusable_answers(client: PlexTvClient, plex_tv: PlexTvEmulator, path: str, body: str) -> None:
    plex_tv.bodies[path] = body
    if "soon" in body:
        # Not an error: only the lifetime is unknown.
        assert (await client.create_pin()).expires_in is None
        return
    call = client.create_pin() if path.endswith("pins") else client.get_resources(ACCOUNT_TOKEN)
    with pytest.raises(PlexTvResponseError):
        await call


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


def test_connection_ranking() -> None:
    def connection(uri: str, *, local: bool, relay: bool = False) -> PlexConnection:
        return PlexConnection(uri=uri, protocol=uri.split(":")[0], local=local, relay=relay)

    relay = connection("https://1-2-3-4.x.plex.direct:8443", local=False, relay=True)
    remote_plain = connection("http://1.2.3.4:32400", local=False)
    remote_direct = connection("https://1-2-3-4.x.plex.direct:32400", local=False)
    local_plain = connection("http://192.168.1.10:32400", local=True)
    local_direct = connection("https://192-168-1-10.x.plex.direct:32400", local=True)
    ranked = ranked_connections([relay, remote_plain, remote_direct, local_plain, local_direct])
    assert ranked == [local_direct, local_plain, remote_direct, remote_plain, relay]
