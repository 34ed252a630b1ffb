"""Make tests/fixtures/upgrade_from_0_1_0: what Home Assistant stores after running Plex Butler 0.1.0.

Run inside scripts/lib/loopback-ns from the repository root, with the newest lane's Python:
    python -m scripts.lib.upgrade_fixture <checkout of 0.1.0 (commit 5126e7a)> <output directory>

It starts a real Home Assistant with 0.1.0 linked in, adds the emulated server as 0.1.0's form did,
makes the changes a user makes (renames an entity id and a name, disables one, hides one), lets 0.1.0
raise its repair issue for a token without Butler rights, stops, and keeps Plex Butler's records of
the registries and the issue registry. The server's URL is written as {url} for the test to fill in.
"""

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import TOKEN
from tests.e2e.hass_process import HassProcess
from tests.plex_emulator import PlexEmulator

FILES = ("core.config_entries", "core.device_registry", "core.entity_registry", "repairs.issue_registry")


async def main(release: Path, output: Path) -> None:
    """Run 0.1.0 once, as a user would, and keep what Home Assistant stored."""
    emulator = PlexEmulator(token=TOKEN, task_duration=300.0)
    await emulator.start()
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory)
        (config / "custom_components").mkdir()
        (config / "custom_components" / "plex_butler").symlink_to(
            release / "custom_components" / "plex_butler"
        )
        hass = HassProcess(config, link_integration=False)
        async with aiohttp.ClientSession() as session:
            await hass.start(session)
            await hass.onboard(session)
            flow = await hass.post(session, "/api/config/config_entries/flow", {"handler": "plex_butler"})
            result = await hass.post(
                session,
                f"/api/config/config_entries/flow/{flow['flow_id']}",
                {"url": emulator.url, "token": TOKEN, "verify_ssl": True},
            )
            if result["type"] != "create_entry":
                raise SystemExit(f"0.1.0 did not add the server: {result}")
            await asyncio.sleep(2)
            await _customize(hass, session)
            # 0.1.0 raised a repair issue when the server refused the Butler (HTTP 403).
            emulator.faults.add("/butler", method="GET", status=403, times=1)
            await hass.post(
                session,
                "/api/services/homeassistant/update_entity",
                {"entity_id": "binary_sensor.living_room_plex_butler_running"},
            )
            await asyncio.sleep(2)
            await hass.stop()
        output.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            stored = json.loads((config / ".storage" / name).read_text())
            (output / name).write_text(json.dumps(_ours(name, stored, emulator.url), indent=2) + "\n")
    await emulator.stop()


async def _customize(hass: HassProcess, session: aiohttp.ClientSession) -> None:
    entities = await hass.ws(session, {"type": "config/entity_registry/list"})
    by_key = {
        e["unique_id"].split("-", 1)[1]: e["entity_id"] for e in entities if e["platform"] == "plex_butler"
    }
    for key, changes in (
        ("BackupDatabase", {"new_entity_id": "switch.plex_backup"}),
        ("OptimizeDatabase", {"name": "Optimize the Plex database"}),
        ("butler_progress", {"disabled_by": "user"}),
        ("DeepMediaAnalysis", {"hidden_by": "user"}),
    ):
        entity_id = by_key[key]
        await hass.ws(session, {"type": "config/entity_registry/update", "entity_id": entity_id, **changes})


def _ours(name: str, stored: dict[str, Any], url: str) -> dict[str, Any]:
    """Plex Butler's records only; the URL as a placeholder."""
    data = stored["data"]
    if name == "core.config_entries":
        data["entries"] = [e for e in data["entries"] if e["domain"] == "plex_butler"]
        for entry in data["entries"]:
            entry["data"]["url"] = "{url}"
    elif name == "core.device_registry":
        data["devices"] = [d for d in data["devices"] if any(i[0] == "plex_butler" for i in d["identifiers"])]
        data["deleted_devices"] = []
    elif name == "core.entity_registry":
        data["entities"] = [e for e in data["entities"] if e["platform"] == "plex_butler"]
        data["deleted_entities"] = []
    elif name == "repairs.issue_registry":
        data["issues"] = [i for i in data["issues"] if i["domain"] == "plex_butler"]
    text = json.dumps(stored).replace(url, "{url}")
    return json.loads(text)  # type: ignore[no-any-return]


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()))
