"""Buttons and task switches: registry snapshot, states, and the requests the emulator received."""

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.plex_butler.const import DOMAIN

from .conftest import MACHINE_ID, TOKEN
from .plex_emulator import PlexEmulator

START_ALL = "button.living_room_plex_start_all_tasks"
STOP_ALL = "button.living_room_plex_stop_all_tasks"
BACKUP = "switch.living_room_plex_back_up_database"
OPTIMIZE = "switch.living_room_plex_optimize_database"


async def test_entities_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    # The fields that make our contract, not the whole RegistryEntry: its other fields differ between
    # the Home Assistant versions of the two test lanes.
    entries = er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
    # 23 task switches, 12 schedule switches (3 hidden, so disabled), 8 behaviour selects, 2 hours,
    # 2 buttons, 3 sensors, the running sensor and the event.
    assert len(entries) == 76
    registry = {}
    for entry in sorted(entries, key=lambda entry: entry.entity_id):
        state = hass.states.get(entry.entity_id)
        if state is None:
            assert entry.disabled_by is not None, entry.entity_id
        registry[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "original_name": entry.original_name,
            "translation_key": entry.translation_key,
            "entity_category": entry.entity_category,
            "device_class": entry.original_device_class,
            "disabled_by": entry.disabled_by,
            "hidden_by": entry.hidden_by,
            "state": None if state is None else state.state,
            # str(): newer Home Assistant keys some attributes by a StrEnum.
            "attributes": {}
            if state is None
            else {str(key): value for key, value in state.attributes.items()},
        }
    # Rarely started tasks stay off auto-generated dashboards until the user shows them.
    hidden = sorted(entity_id for entity_id, entry in registry.items() if entry["hidden_by"] is not None)
    assert "switch.living_room_plex_back_up_database" not in hidden
    # The switch and the last-run sensor of each of the 13 such tasks.
    assert len([entity_id for entity_id in hidden if entity_id.startswith("switch.")]) == 13
    assert len([entity_id for entity_id in hidden if entity_id.endswith("_last_run")]) == 13
    assert "sensor.living_room_plex_back_up_database_last_run" not in hidden
    # The next window's start depends on today's date: checked for shape, then masked.
    next_window = registry["sensor.living_room_plex_next_maintenance_window"]
    opens = dt_util.parse_datetime(next_window["state"])
    assert opens is not None
    assert (dt_util.as_local(opens).hour, opens.minute, opens.second) == (2, 0, 0)
    next_window["state"] = "<next 02:00>"
    assert registry == snapshot


async def test_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    emulator: PlexEmulator,
) -> None:
    (device,) = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    assert device.identifiers == {(DOMAIN, MACHINE_ID)}
    assert device.name == "Living room Plex"
    assert device.manufacturer == "Plex"
    assert device.model == "Plex Media Server"
    assert device.sw_version == "1.43.2.10687-563d026ea"
    assert device.configuration_url == f"{emulator.url}/web"
    assert device.entry_type is dr.DeviceEntryType.SERVICE


async def test_start_all_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await hass.services.async_call(BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: START_ALL}, blocking=True)
    (request,) = emulator.requests_to("POST", "/butler")
    assert request.headers["X-Plex-Token"] == TOKEN
    # The server works on its first enabled task: the switch shows it right after the press.
    assert hass.states.get(BACKUP).state == STATE_ON


async def test_stop_all_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await hass.services.async_call(SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    await hass.services.async_call(SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: BACKUP}, blocking=True)
    assert hass.states.get(OPTIMIZE).state == STATE_ON
    # Queued behind OptimizeDatabase in the same run, so the server does not name it yet: still on.
    assert hass.states.get(BACKUP).state == STATE_ON

    await hass.services.async_call(BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: STOP_ALL}, blocking=True)
    assert len(emulator.requests_to("DELETE", "/butler")) == 1
    assert emulator.butler.run is None
    assert hass.states.get(OPTIMIZE).state == STATE_OFF
    assert hass.states.get(BACKUP).state == STATE_OFF


async def test_switch_on_off(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    state = hass.states.get(OPTIMIZE)
    assert state.state == STATE_OFF
    assert state.attributes["task"] == "OptimizeDatabase"
    assert state.attributes["interval_days"] == 7

    emulator.requests.clear()
    await hass.services.async_call(SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    command, *refresh = [(r.method, r.path) for r in emulator.requests]
    assert command == ("POST", "/butler/OptimizeDatabase")
    # With the notification socket down, exactly one refresh follows the command, no second poll.
    assert sorted(refresh) == [("GET", "/activities"), ("GET", "/butler")]
    assert hass.states.get(OPTIMIZE).state == STATE_ON

    await hass.services.async_call(SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    assert len(emulator.requests_to("DELETE", "/butler/OptimizeDatabase")) == 1
    assert hass.states.get(OPTIMIZE).state == STATE_OFF


async def test_turning_off_an_idle_task_is_fine(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await hass.services.async_call(SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: BACKUP}, blocking=True)
    assert len(emulator.requests_to("DELETE", "/butler/BackupDatabase")) == 1
    assert hass.states.get(BACKUP).state == STATE_OFF


async def test_disabled_task_still_has_a_working_switch(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    entity_id = "switch.living_room_plex_refresh_libraries"
    assert hass.states.get(entity_id).attributes["scheduled"] is False
    await hass.services.async_call(SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True)
    assert hass.states.get(entity_id).state == STATE_ON


@pytest.mark.parametrize(
    ("service", "entity_id", "path", "method"),
    [
        (f"{BUTTON_DOMAIN}.{SERVICE_PRESS}", START_ALL, "/butler", "POST"),
        (f"{SWITCH_DOMAIN}.{SERVICE_TURN_ON}", BACKUP, "/butler/BackupDatabase", "POST"),
        (f"{SWITCH_DOMAIN}.{SERVICE_TURN_OFF}", BACKUP, "/butler/BackupDatabase", "DELETE"),
    ],
)
async def test_server_failure_is_a_translated_error(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    service: str,
    entity_id: str,
    path: str,
    method: str,
) -> None:
    emulator.faults.add(path, method=method, status=500)
    domain, name = service.split(".")
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(domain, name, {ATTR_ENTITY_ID: entity_id}, blocking=True)
    assert caught.value.translation_key == "command_failed"
    assert caught.value.translation_placeholders["server"] == "Living room Plex"
    assert "HTTP 500" in caught.value.translation_placeholders["error"]
    assert TOKEN not in str(caught.value)


async def test_rejected_token_on_command_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.rotate_token("rotated")
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: START_ALL}, blocking=True
        )
    assert caught.value.translation_key == "command_auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
