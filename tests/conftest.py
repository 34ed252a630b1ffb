"""Fixtures: the Plex emulator on a free loopback port and a Plex Butler entry set up against it."""

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable

import pytest
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

# Import ours before Home Assistant starts: pytest-homeassistant-custom-component ships a package
# named custom_components too, and whichever is imported first wins.
import custom_components.plex_butler  # noqa: F401
from custom_components.plex_butler.const import DOMAIN
from tests.plex_emulator import PlexEmulator

# Autouse: every test resolves names through a stub that knows only what the test registers.
from tests.resolver import resolver  # noqa: F401

TOKEN = "emulator-token-5f1c"
MACHINE_ID = "b4e051156514c3673d6305f3df48b2bd645d6fd5"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/plex_butler."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots through Home Assistant's serializer, which masks ids and timestamps.

    The plugin defines this fixture too, but syrupy's own can win depending on plugin order.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def task_duration() -> float:
    """Seconds an emulated task runs; long by default so nothing ends unless a test wants it to."""
    return 300.0


@pytest.fixture
def push_enabled() -> bool:
    """Whether the emulator opens its notification socket.

    Off by default, so a command is always followed by one refresh and tests do not depend on how
    fast the socket opens; test_push.py and the benchmark turn it on.
    """
    return False


@pytest.fixture
async def emulator(
    socket_enabled: None, task_duration: float, push_enabled: bool
) -> AsyncIterator[PlexEmulator]:
    """A Plex Media Server emulator with the real 1.43.2 server's 23 tasks, on 127.0.0.1."""
    server = PlexEmulator(token=TOKEN, task_duration=task_duration)
    if not push_enabled:
        server.faults.websocket_status = 404
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def config_entry(emulator: PlexEmulator) -> MockConfigEntry:
    """An entry for the emulated server, not yet added to Home Assistant."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Living room Plex",
        unique_id=MACHINE_ID,
        data={CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True},
    )


@pytest.fixture
async def init_integration(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The entry, set up and loaded."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


async def settle(hass: HomeAssistant) -> None:
    """Wait for Home Assistant's pending work, background polls included.

    Not `async_block_till_done(wait_background_tasks=True)`: the push listener is a background task
    that runs until unload, so that would wait forever.
    """
    await hass.async_block_till_done()
    others = [
        task
        for task in hass._background_tasks
        if not task.done() and not task.get_name().startswith(f"{DOMAIN} notifications")
    ]
    if others:
        await asyncio.wait(others, timeout=10)
    await hass.async_block_till_done()


@pytest.fixture
async def quiet_handshake_failures() -> AsyncIterator[None]:
    """Let a client refuse an emulator's certificate without failing the test.

    The client hangs up mid-handshake, and the emulator's side reports that to the loop's exception
    handler, which would fail the test for the server's sake.
    """
    loop = asyncio.get_running_loop()
    handler = loop.get_exception_handler()

    def ignore(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        if isinstance(context.get("exception"), ConnectionResetError | ssl.SSLError):
            return
        if handler is not None:
            handler(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(ignore)
    yield
    loop.set_exception_handler(handler)


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for `condition`, polling, when Home Assistant cannot be waited for (a run still waiting)."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")
