"""Diagnostics: a snapshot, and no token anywhere in it."""

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from .conftest import TOKEN


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    await hass.services.async_call("plex_butler", "start_task", {"task": "BackupDatabase"}, blocking=True)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert TOKEN not in json.dumps(diagnostics)
    assert "127.0.0.1" not in json.dumps(diagnostics)
    for activity in diagnostics["butler_activities"]:
        activity["uuid"] = "<uuid>"
    assert diagnostics["schedule"]["last_update_success"] is True
    assert diagnostics == snapshot
