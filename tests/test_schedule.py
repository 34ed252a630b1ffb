"""The Butler's schedule: window hours, per-task toggles, the next window, and set_schedule."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler.const import DOMAIN

from .plex_emulator import PlexEmulator

START = "number.living_room_plex_maintenance_window_start"
END = "number.living_room_plex_maintenance_window_end"
OPTIMIZE_SCHEDULED = "switch.living_room_plex_optimize_database_scheduled"
NEXT_WINDOW = "sensor.living_room_plex_next_maintenance_window"


def _puts(emulator: PlexEmulator) -> list[dict[str, str]]:
    return [r.query for r in emulator.requests_to("PUT", "/:/prefs")]


async def test_window_hours(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    assert hass.states.get(START).state == "2"
    assert hass.states.get(END).state == "5"
    await hass.services.async_call("number", "set_value", {ATTR_ENTITY_ID: START, "value": 23}, blocking=True)
    assert _puts(emulator) == [{"ButlerStartHour": "23"}]
    assert emulator.settings["ButlerStartHour"]["value"] == 23
    assert hass.states.get(START).state == "23"


async def test_task_toggle_follows_and_drives_the_server(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    assert hass.states.get(OPTIMIZE_SCHEDULED).state == STATE_ON
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: OPTIMIZE_SCHEDULED}, blocking=True)
    assert _puts(emulator) == [{"ButlerTaskOptimizeDatabase": "false"}]
    assert hass.states.get(OPTIMIZE_SCHEDULED).state == STATE_OFF
    # The server's task list follows its toggle.
    assert hass.states.get("switch.living_room_plex_optimize_database").attributes["scheduled"] is False
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: OPTIMIZE_SCHEDULED}, blocking=True)
    assert _puts(emulator)[-1] == {"ButlerTaskOptimizeDatabase": "true"}
    assert hass.states.get(OPTIMIZE_SCHEDULED).state == STATE_ON


async def test_tasks_named_butler_task_use_their_own_name(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    entity_id = "switch.living_room_plex_generate_intro_markers_scheduled"
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: entity_id}, blocking=True)
    assert _puts(emulator) == [{"ButlerTaskGenerateIntroMarkers": "false"}]


async def test_no_toggle_no_switch(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    # The emulated server, like some real versions, has no Butler toggle for these two.
    assert hass.states.get("switch.living_room_plex_automatic_updates_scheduled") is None
    assert hass.states.get("switch.living_room_plex_refresh_epg_guides_scheduled") is None
    assert hass.states.get("switch.living_room_plex_refresh_epg_guides") is not None
    scheduled = [e for e in hass.states.async_entity_ids("switch") if e.endswith("_scheduled")]
    assert len(scheduled) == 21


async def test_server_without_window_settings(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    del emulator.settings["ButlerStartHour"], emulator.settings["ButlerEndHour"]
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(START) is None
    assert hass.states.get(NEXT_WINDOW) is None
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", {"start_hour": 3}, blocking=True)
    assert caught.value.translation_key == "invalid_hour"


async def test_next_window(
    hass: HomeAssistant, emulator: PlexEmulator, config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    zone = dt_util.get_default_time_zone()
    freezer.move_to(dt_util.as_utc(dt_util.now(zone).replace(year=2026, month=11, day=22, hour=10, minute=0)))
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    expected = dt_util.now(zone).replace(day=23, hour=2, minute=0, second=0, microsecond=0)
    assert dt_util.parse_datetime(hass.states.get(NEXT_WINDOW).state) == expected


async def test_set_schedule_changes_several_settings_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.requests.clear()
    await hass.services.async_call(
        DOMAIN,
        "set_schedule",
        {
            "start_hour": 1,
            "end_hour": 4,
            "tasks": {
                "OptimizeDatabase": False,
                "ButlerTaskGenerateIntroMarkers": False,
                "BackupDatabase": True,
            },
        },
        blocking=True,
    )
    assert _puts(emulator) == [
        {
            "ButlerStartHour": "1",
            "ButlerEndHour": "4",
            "ButlerTaskOptimizeDatabase": "false",
            "ButlerTaskGenerateIntroMarkers": "false",
            "ButlerTaskBackupDatabase": "true",
        }
    ]
    # One refresh after the change.
    assert sorted(r.path for r in emulator.requests if r.method == "GET") == [
        "/:/prefs",
        "/activities",
        "/butler",
    ]
    assert hass.states.get(START).state == "1"
    assert hass.states.get(END).state == "4"
    assert hass.states.get(OPTIMIZE_SCHEDULED).state == STATE_OFF


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"start_hour": 24}, "invalid_hour"),
        ({"end_hour": -1}, "invalid_hour"),
        ({"tasks": {"RefreshEpgGuides": True}}, "unknown_schedule_task"),
        ({"tasks": {"../prefs?X=1": True}}, "unknown_schedule_task"),
        ({"tasks": {"NoSuchTask": False}}, "unknown_schedule_task"),
    ],
)
async def test_set_schedule_refuses(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    data: dict[str, object],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", data, blocking=True)
    assert caught.value.translation_key == key
    if key == "unknown_schedule_task":
        assert "OptimizeDatabase" in caught.value.translation_placeholders["tasks"]
        assert "RefreshEpgGuides" not in caught.value.translation_placeholders["tasks"]
    assert _puts(emulator) == []


async def test_set_schedule_server_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.faults.add("/:/prefs", method="PUT", status=500)
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", {"start_hour": 3}, blocking=True)
    assert caught.value.translation_key == "command_failed"


async def test_toggle_that_disappears_takes_its_switch_along(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    registry = er.async_get(hass)
    assert registry.async_get(OPTIMIZE_SCHEDULED) is not None
    del emulator.settings["ButlerTaskOptimizeDatabase"]  # a server version without that toggle
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert registry.async_get(OPTIMIZE_SCHEDULED) is None
    assert hass.states.get(OPTIMIZE_SCHEDULED) is None
    # The task itself stays.
    assert hass.states.get("switch.living_room_plex_optimize_database") is not None
