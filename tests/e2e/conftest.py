"""Fixtures of the end-to-end tests: an HTTP session and a real Home Assistant process."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from .hass_process import HassProcess


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
