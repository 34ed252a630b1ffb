"""Upgrading from 0.1.0: what 0.1.0 stored, started with this code, keeps every id and user setting."""

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ..plex_emulator import PlexEmulator
from .hass_process import HassProcess

pytestmark = pytest.mark.e2e

STORED_BY_0_1_0 = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade_from_0_1_0"
USER_SETTINGS = ("entity_id", "name", "disabled_by", "hidden_by", "device_id")


def _seed(config: Path, url: str) -> dict[str, Any]:
    """0.1.0's storage in a fresh configuration directory; its entity registry records by unique id."""
    storage = config / ".storage"
    storage.mkdir(parents=True)
    for stored in STORED_BY_0_1_0.glob("*.*_*"):
        (storage / stored.name).write_text(stored.read_text().replace("{url}", url))
    entities = json.loads((storage / "core.entity_registry").read_text())["data"]["entities"]
    return {entity["unique_id"]: entity for entity in entities}


@pytest.mark.parametrize("push_enabled", [True])
async def test_upgrade_from_0_1_0(
    tmp_path: Path, session: aiohttp.ClientSession, emulator: PlexEmulator
) -> None:
    config = tmp_path / "config"
    before = _seed(config, emulator.url)
    hass = HassProcess(config)
    await hass.start(session)
    try:
        await hass.onboard(session)
        entries = await hass.get(session, "/api/config/config_entries/entry")
        assert [(e["domain"], e["state"]) for e in entries if e["domain"] == "plex_butler"] == [
            ("plex_butler", "loaded")
        ]
        registry = await hass.ws(session, {"type": "config/entity_registry/list_for_display"})
        listed = await hass.ws(session, {"type": "config/entity_registry/list"})
        after = {e["unique_id"]: e for e in listed if e["platform"] == "plex_butler"}
        states = {state["entity_id"]: state for state in await hass.get(session, "/api/states")}
    finally:
        await hass.stop()

    # Every entity 0.1.0 made keeps its id and what the user set; none is left behind, none doubled.
    for unique_id, old in before.items():
        assert unique_id in after, f"{old['entity_id']} is gone"
        assert {key: after[unique_id][key] for key in USER_SETTINGS} == {
            key: old[key] for key in USER_SETTINGS
        }
    assert (
        after["b4e051156514c3673d6305f3df48b2bd645d6fd5-BackupDatabase"]["entity_id"] == "switch.plex_backup"
    )
    ours = [e["ei"] for e in registry["entities"] if e["ei"] in {a["entity_id"] for a in after.values()}]
    assert not [entity_id for entity_id in ours if entity_id.endswith("_2")]
    orphans = [
        entry["entity_id"]
        for entry in after.values()
        if entry["disabled_by"] is None
        and states.get(entry["entity_id"], {}).get("attributes", {}).get("restored")
    ]
    assert orphans == []
    devices = {entry["device_id"] for entry in after.values()}
    assert len(devices) == 1

    # 0.1.0's repair issue for a token without Butler rights is gone; re-authentication covers it now.
    issues = json.loads((config / ".storage" / "repairs.issue_registry").read_text())["data"]["issues"]
    assert [issue["issue_id"] for issue in issues if issue["domain"] == "plex_butler"] == []

    # Nothing went wrong on the way.
    log = (
        (config / "home-assistant.log").read_text()
        if (config / "home-assistant.log").exists()
        else hass.output()
    )
    trouble = [line for line in log.splitlines() if " ERROR " in line or " WARNING " in line]
    assert [line for line in trouble if "plex_butler" in line and "custom integration" not in line] == []
