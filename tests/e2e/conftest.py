"""Fixtures of the end-to-end tests: an HTTP session and a real Home Assistant process."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from .hass_process import HassProcess

NO_NAMESPACE = (
    "end-to-end tests start a real Home Assistant and Chromium, which reach out unless they run in a "
    "loopback-only network namespace: run them through scripts/test as root, or where unprivileged user "
    "namespaces are allowed (Ubuntu: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0)"
)


@pytest.fixture(autouse=True)
def loopback_namespace() -> None:
    """Only inside scripts/lib/loopback-ns's namespace; CI (PLEX_BUTLER_REQUIRE_NETNS=1) never skips."""
    if os.environ.get("PLEX_BUTLER_NETNS") == "loopback":
        return
    if os.environ.get("PLEX_BUTLER_REQUIRE_NETNS") == "1":
        pytest.fail(NO_NAMESPACE)
    pytest.skip(NO_NAMESPACE)


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client, as a browser or script would be."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def home_assistant(tmp_path: Path, session: aiohttp.ClientSession) -> AsyncIterator[HassProcess]:
    """A started Home Assistant with a fresh configuration directory, stopped afterwards."""
    hass = HassProcess(tmp_path / "config")
    await hass.start(session)
    try:
        yield hass
    finally:
        await hass.stop()
