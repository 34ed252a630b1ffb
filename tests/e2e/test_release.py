"""The release zip, installed the way HACS installs it, loads in a fresh Home Assistant and works."""

import asyncio
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import aiohttp
import pytest

from ..conftest import TOKEN
from ..plex_emulator import PlexEmulator
from .hass_process import PROJECT, HassProcess

pytestmark = pytest.mark.e2e

VERSION = "9.8.7"


def _build_release() -> Path:
    """The very command the release workflow runs on a tag."""
    script = PROJECT / "scripts" / "build-release"
    subprocess.run(  # noqa: S603 - our own script, a constant argument
        [script, VERSION], check=True, cwd=PROJECT, env={**os.environ, "PYTHON": sys.executable}
    )
    return PROJECT / "dist" / "plex_butler.zip"


async def test_release_zip_installs_and_loads(
    tmp_path: Path, session: aiohttp.ClientSession, emulator: PlexEmulator
) -> None:
    archive = await asyncio.to_thread(_build_release)
    with zipfile.ZipFile(archive) as release:
        names = release.namelist()
        # What HACS unpacks into custom_components/plex_butler: the files at the root, nothing cached.
        assert "manifest.json" in names
        assert "translations/de.json" in names
        assert "brand/icon@2x.png" in names
        assert not [name for name in names if "__pycache__" in name or name.startswith("custom_components")]
        release.extractall(tmp_path / "config" / "custom_components" / "plex_butler")

    hass = HassProcess(tmp_path / "config", link_integration=False)
    try:
        await hass.start(session)
        await hass.onboard(session)
        manifest = await hass.ws(session, {"type": "manifest/get", "integration": "plex_butler"})
        assert manifest["version"] == VERSION
        entry_id = await hass.add_plex_butler(session, emulator.url, TOKEN)
        entries = await hass.get(session, "/api/config/config_entries/entry")
        (entry,) = [entry for entry in entries if entry["entry_id"] == entry_id]
        assert entry["state"] == "loaded"
        states = await hass.get(session, "/api/states")
        assert "switch.living_room_plex_back_up_database" in {state["entity_id"] for state in states}
    finally:
        await hass.stop()
