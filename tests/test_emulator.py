"""The emulator's own promises that the client tests do not reach: its websocket and its auth."""

import asyncio
import json

import aiohttp
import pytest

from .conftest import TOKEN
from .plex_emulator import NOTIFICATIONS_PATH, PlexEmulator


@pytest.fixture
def push_enabled() -> bool:
    """These tests are about the notification socket: the emulator opens it."""
    return True


async def _next_frame(socket: aiohttp.ClientWebSocketResponse) -> dict[str, object]:
    message = await asyncio.wait_for(socket.receive(), timeout=2)
    assert message.type is aiohttp.WSMsgType.TEXT
    container: dict[str, object] = json.loads(message.data)["NotificationContainer"]
    return container


async def test_activity_notifications_follow_a_run(emulator: PlexEmulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            f"{emulator.url}{NOTIFICATIONS_PATH}?filters=activity", headers={"X-Plex-Token": TOKEN}
        ) as socket,
    ):
        assert emulator.butler.start("BackupDatabase")
        started = await _next_frame(socket)
        assert started["type"] == "activity"
        (notification,) = started["ActivityNotification"]  # type: ignore[misc]
        assert notification["event"] == "started"
        assert notification["Activity"]["type"] == "butler"

        updated = await _next_frame(socket)
        assert updated["ActivityNotification"][0]["Activity"]["subtitle"] == "BackupDatabase"  # type: ignore[index]

        await emulator.broadcast_other("playing")  # filtered out: the next frame is the run's end
        await emulator.butler.stop_all()
        ended = await _next_frame(socket)
        assert ended["ActivityNotification"][0]["event"] == "ended"  # type: ignore[index]


async def test_unfiltered_socket_gets_other_types(emulator: PlexEmulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{emulator.url}{NOTIFICATIONS_PATH}?X-Plex-Token={TOKEN}") as socket,
    ):
        await emulator.broadcast_other("playing")
        assert (await _next_frame(socket))["type"] == "playing"


@pytest.mark.parametrize("token", [None, "wrong"])
async def test_socket_needs_the_token(emulator: PlexEmulator, token: str | None) -> None:
    headers = {} if token is None else {"X-Plex-Token": token}
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await session.ws_connect(f"{emulator.url}{NOTIFICATIONS_PATH}", headers=headers)
    assert caught.value.status == 401


async def test_socket_refusal_knob(emulator: PlexEmulator) -> None:
    emulator.faults.websocket_status = 401
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(f"{emulator.url}{NOTIFICATIONS_PATH}", headers={"X-Plex-Token": TOKEN})


async def test_identity_needs_no_token(emulator: PlexEmulator) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{emulator.url}/identity") as response:
        assert response.status == 200
        body = await response.text()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0"')
    assert 'machineIdentifier="b4e051156514c3673d6305f3df48b2bd645d6fd5"' in body


async def test_unauthorized_is_html(emulator: PlexEmulator) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{emulator.url}/butler") as response:
        assert response.status == 401
        assert response.content_type == "text/html"
    assert emulator.requests[-1].path == "/butler"
