"""The Butler's schedule as real servers have it: window hours, toggles, behaviours, set_schedule.

Preferences live on their own coordinator: a server that fails to give them keeps its tasks working.
"""

import json
import logging
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.plex_butler.const import DOMAIN, POLL_INTERVAL, SETTINGS_POLL_INTERVAL

from .conftest import MACHINE_ID, settle
from .plex_emulator import PlexEmulator

START = "number.living_room_plex_maintenance_starts"
END = "number.living_room_plex_maintenance_stops"
OPTIMIZE_SCHEDULE = "switch.living_room_plex_optimize_database_schedule"
INTRO_SCHEDULE = "select.living_room_plex_generate_intro_markers_schedule"
NEXT_WINDOW = "sensor.living_room_plex_next_maintenance_window"
OPTIMIZE = "switch.living_room_plex_optimize_database"
# A real 2019 server's preferences, trimmed; tests/fixtures/README.md names the source.
CAPTURE = Path(__file__).resolve().parent / "fixtures" / "prefs_2019_macos.json"

# The classic tasks of a 1.43.2 server that have a ButlerTask<Name> toggle on real servers.
TOGGLED = {
    "BackupDatabase",
    "CleanOldBundles",
    "CleanOldCacheFiles",
    "DeepMediaAnalysis",
    "GarbageCollectBlobs",
    "GenerateMediaIndexFiles",
    "OptimizeDatabase",
    "RefreshEpgGuides",
    "RefreshLibraries",
    "RefreshLocalMedia",
    "RefreshPeriodicMetadata",
    "UpgradeMediaAnalysis",
}
BEHAVIOURS = {
    "GenerateAdMarkerBehavior",
    "GenerateBIFBehavior",
    "GenerateChapterThumbBehavior",
    "GenerateCreditsMarkerBehavior",
    "GenerateIntroMarkerBehavior",
    "GenerateVADBehavior",
    "LoudnessAnalysisBehavior",
    "MusicAnalysisBehavior",
}


def _puts(emulator: PlexEmulator) -> list[dict[str, str]]:
    return [r.query for r in emulator.requests_to("PUT", "/:/prefs")]


def _unique_ids(registry: er.EntityRegistry, platform: str) -> dict[str, er.RegistryEntry]:
    return {
        entry.unique_id.removeprefix(f"{MACHINE_ID}-"): entry
        for entry in registry.entities.values()
        if entry.platform == DOMAIN and entry.domain == platform
    }


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, interval: object) -> None:
    freezer.tick(interval)  # type: ignore[arg-type]
    async_fire_time_changed(hass)
    await settle(hass)


async def test_window_hours(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    start = hass.states.get(START)
    assert (start.state, start.attributes["min"], start.attributes["max"]) == ("2", 0, 23)
    assert hass.states.get(END).state == "5"
    emulator.requests.clear()
    await hass.services.async_call("number", "set_value", {ATTR_ENTITY_ID: START, "value": 23}, blocking=True)
    assert _puts(emulator) == [{"ButlerStartHour": "23"}]
    assert emulator.settings["ButlerStartHour"]["value"] == 23
    assert hass.states.get(START).state == "23"


async def test_hours_take_their_range_from_the_server(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    # One real server labels hours with a colon look-alike; the value is what stands before ':'.
    emulator.settings["ButlerEndHour"]["enumValues"] = "|".join(f"{h}:{h}\ua78900" for h in range(1, 13))
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    end = hass.states.get(END)
    assert (end.attributes["min"], end.attributes["max"]) == (1, 12)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", {"end_hour": 20}, blocking=True)
    assert caught.value.translation_key == "invalid_hour"
    assert caught.value.translation_placeholders["high"] == "12"


async def test_schedule_switches_for_exactly_the_toggled_tasks(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    switches = _unique_ids(entity_registry, "switch")
    scheduled = {key.removesuffix("-scheduled") for key in switches if key.endswith("-scheduled")}
    # No toggle for the analysis and marker tasks, none for AutomaticUpdates; the toggles of tasks the
    # server no longer lists (ReverseGeocode, GenerateAutoTags) get no switch either.
    assert scheduled == TOGGLED
    hidden = {"RefreshEpgGuides", "GarbageCollectBlobs", "GenerateMediaIndexFiles"}
    for name in TOGGLED:
        entry = switches[f"{name}-scheduled"]
        assert entry.entity_category is EntityCategory.CONFIG
        # Plex Web does not show hidden toggles: their switches start disabled.
        assert (entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION) is (name in hidden), name
    assert hass.states.get(OPTIMIZE_SCHEDULE).name == "Living room Plex Optimize database schedule"


async def test_toggle_drives_the_server_and_shows_the_value_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_ON
    emulator.requests.clear()
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: OPTIMIZE_SCHEDULE}, blocking=True)
    assert _puts(emulator) == [{"ButlerTaskOptimizeDatabase": "false"}]
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_OFF
    await settle(hass)
    # The server's task list follows its toggle, read by the refresh that follows with the socket down.
    assert hass.states.get(OPTIMIZE).attributes["scheduled"] is False
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: OPTIMIZE_SCHEDULE}, blocking=True)
    assert _puts(emulator)[-1] == {"ButlerTaskOptimizeDatabase": "true"}
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_ON


async def test_behaviour_selects(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    entity_registry: er.EntityRegistry,
) -> None:
    selects = _unique_ids(entity_registry, "select")
    assert set(selects) == BEHAVIOURS
    assert all(entry.entity_category is EntityCategory.CONFIG for entry in selects.values())
    state = hass.states.get(INTRO_SCHEDULE)
    assert state.name == "Living room Plex Generate intro markers schedule"
    assert state.state == "scheduled"
    assert state.attributes["options"] == ["never", "scheduled", "asap"]
    preview = hass.states.get("select.living_room_plex_generate_video_preview_thumbnails_schedule")
    assert preview.state == "never"

    emulator.requests.clear()
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: INTRO_SCHEDULE, "option": "never"}, blocking=True
    )
    # No notification comes for a preference: the select shows what it wrote, right away.
    assert hass.states.get(INTRO_SCHEDULE).state == "never"
    assert _puts(emulator) == [{"GenerateIntroMarkerBehavior": "never"}]
    assert emulator.settings["GenerateIntroMarkerBehavior"]["value"] == "never"


async def test_behaviours_the_server_adds(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    intro = emulator.settings["GenerateIntroMarkerBehavior"]
    intro["enumValues"] = f"{intro['enumValues']}|idle:when the server is idle"
    emulator.settings["GenerateThumbnailBehavior"] = dict(
        intro, id="GenerateThumbnailBehavior", label="Generate thumbnails", value="asap"
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(INTRO_SCHEDULE).attributes["options"] == ["never", "scheduled", "asap", "idle"]
    # A behaviour of a task we do not know is named from the server's label.
    unknown = hass.states.get("select.living_room_plex_generate_thumbnails_schedule")
    assert unknown.state == "asap"


async def test_unknown_value_on_the_server_is_no_option(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.settings["GenerateIntroMarkerBehavior"]["value"] = "sometimes"
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(INTRO_SCHEDULE).state == "unknown"


async def test_numbers_sent_as_strings(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.numbers_as_strings = True  # older servers: "value": "2"
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(START).state == "2"
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_ON


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
    assert caught.value.translation_key == "no_window_setting"


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


async def test_set_schedule_changes_toggles_behaviours_and_hours_at_once(
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
                # Spelled as the switches read: case, spaces and the ButlerTask prefix do not matter.
                "generate intro markers": "never",
                "Backup database": True,
                "LoudnessAnalysis": "asap",
            },
        },
        blocking=True,
    )
    assert _puts(emulator) == [
        {
            "ButlerStartHour": "1",
            "ButlerEndHour": "4",
            "ButlerTaskOptimizeDatabase": "false",
            "GenerateIntroMarkerBehavior": "never",
            "ButlerTaskBackupDatabase": "true",
            "LoudnessAnalysisBehavior": "asap",
        }
    ]
    assert hass.states.get(START).state == "1"
    assert hass.states.get(END).state == "4"
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_OFF
    assert hass.states.get(INTRO_SCHEDULE).state == "never"
    await settle(hass)
    # The settings are read back once; the socket is down here, so the tasks are read once too.
    assert sorted(r.path for r in emulator.requests if r.method == "GET") == [
        "/:/prefs",
        "/activities",
        "/butler",
    ]


@pytest.mark.parametrize(
    ("data", "key", "named"),
    [
        ({"start_hour": 24}, "invalid_hour", "23"),
        ({"end_hour": -1}, "invalid_hour", "0"),
        ({"tasks": {"AutomaticUpdates": True}}, "unknown_schedule_task", "OptimizeDatabase"),
        ({"tasks": {"../prefs?X=1": True}}, "unknown_schedule_task", "LoudnessAnalysis"),
        ({"tasks": {"NoSuchTask": False}}, "unknown_schedule_task", "OptimizeDatabase"),
        (
            {"tasks": {"ButlerTaskGenerateIntroMarkers": False}},
            "invalid_schedule_value",
            "never, scheduled, asap",
        ),
        ({"tasks": {"OptimizeDatabase": "asap"}}, "invalid_schedule_value", "true, false"),
        # Preview thumbnails take both: their hidden toggle and the behaviour Plex Web shows.
        ({"tasks": {"GenerateMediaIndexFiles": "soon"}}, "invalid_schedule_value", "true, false, never"),
    ],
)
async def test_set_schedule_refuses_naming_the_valid_values(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    data: dict[str, object],
    key: str,
    named: str,
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", data, blocking=True)
    assert caught.value.translation_key == key
    assert named in " ".join(caught.value.translation_placeholders.values())
    if key == "unknown_schedule_task":
        assert "AutomaticUpdates" not in caught.value.translation_placeholders["tasks"]
    assert _puts(emulator) == []


async def test_a_refused_value_is_written_as_in_yaml(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, "set_schedule", {"tasks": {"ButlerTaskGenerateIntroMarkers": True}}, blocking=True
        )
    assert caught.value.translation_placeholders["value"] == "true"


async def test_true_false_writes_a_toggle_that_a_behaviour_governs_and_says_so(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """0.1.0 wrote toggles only, so automations written for it keep working."""
    response = await hass.services.async_call(
        DOMAIN,
        "set_schedule",
        {"tasks": {"GenerateMediaIndexFiles": True, "Optimize database": False}},
        blocking=True,
        return_response=True,
    )
    assert _puts(emulator) == [
        {"ButlerTaskGenerateMediaIndexFiles": "true", "ButlerTaskOptimizeDatabase": "false"}
    ]
    assert response == {
        "written": {"ButlerTaskGenerateMediaIndexFiles": True, "ButlerTaskOptimizeDatabase": False},
        "governed_by": {
            "GenerateMediaIndexFiles": "GenerateBIFBehavior",
            "OptimizeDatabase": "ButlerTaskOptimizeDatabase",
        },
    }
    # Without a response asked for, the action runs as before.
    await hass.services.async_call(DOMAIN, "set_schedule", {"start_hour": 3}, blocking=True)
    assert _puts(emulator)[-1] == {"ButlerStartHour": "3"}


@pytest.mark.parametrize("status", [400, 403])
async def test_refused_write_names_the_setting_and_never_reauths(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    issue_registry: ir.IssueRegistry,
    status: int,
) -> None:
    # Real servers answer 400 or 403 to a setting they do not have.
    emulator.faults.add("/:/prefs", method="PUT", status=status)
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "select", "select_option", {ATTR_ENTITY_ID: INTRO_SCHEDULE, "option": "never"}, blocking=True
        )
    assert caught.value.translation_key == "setting_refused"
    assert caught.value.translation_placeholders["settings"] == "GenerateIntroMarkerBehavior"
    await settle(hass)
    assert not [
        f for f in hass.config_entries.flow.async_progress() if f["context"]["source"] == SOURCE_REAUTH
    ]
    assert not issue_registry.issues
    assert hass.states.get(INTRO_SCHEDULE).state == "scheduled"


async def test_set_schedule_server_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.faults.add("/:/prefs", method="PUT", status=500)
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", {"start_hour": 3}, blocking=True)
    assert caught.value.translation_key == "command_failed"


async def test_toggle_that_disappears_takes_its_switch_along(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    entity_registry: er.EntityRegistry,
) -> None:
    assert entity_registry.async_get(OPTIMIZE_SCHEDULE) is not None
    del emulator.settings["ButlerTaskOptimizeDatabase"]  # a server version without that toggle
    await init_integration.runtime_data.settings.async_refresh()
    await hass.async_block_till_done()
    assert entity_registry.async_get(OPTIMIZE_SCHEDULE) is None
    # The task itself stays.
    assert hass.states.get(OPTIMIZE) is not None


@pytest.mark.parametrize("failure", ["404", "500", "truncated"])
async def test_failing_prefs_never_block_setup_or_tasks(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    caplog.set_level(logging.INFO)
    if failure == "truncated":
        emulator.faults.add("/:/prefs", method="GET", truncate=True)
    else:
        emulator.faults.add("/:/prefs", method="GET", status=int(failure))
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    for entity_id in (
        OPTIMIZE,
        "button.living_room_plex_start_all_tasks",
        "sensor.living_room_plex_current_task",
    ):
        assert hass.states.get(entity_id).state != STATE_UNAVAILABLE, entity_id
    assert hass.states.get(START) is None
    assert hass.states.get(INTRO_SCHEDULE) is None
    # Tasks start and stop as ever.
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    assert hass.states.get(OPTIMIZE).state == STATE_ON
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "set_schedule", {"start_hour": 3}, blocking=True)
    assert caught.value.translation_key == "schedule_unavailable"

    await _tick(hass, freezer, POLL_INTERVAL)  # still failing: asks again at the short interval
    emulator.faults.clear()
    await _tick(hass, freezer, POLL_INTERVAL)
    # Back by themselves, without a reload.
    assert hass.states.get(START).state == "2"
    assert hass.states.get(INTRO_SCHEDULE).state == "scheduled"
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_ON
    assert caplog.text.count("Error fetching plex_butler settings") == 1
    assert caplog.text.count("Fetching plex_butler settings Living room Plex data recovered") == 1


async def test_schedule_entities_alone_go_unavailable_and_come_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    emulator.faults.add("/:/prefs", method="GET", status=500)
    await _tick(hass, freezer, SETTINGS_POLL_INTERVAL)
    for entity_id in (START, INTRO_SCHEDULE, OPTIMIZE_SCHEDULE, NEXT_WINDOW):
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE, entity_id
    assert hass.states.get(OPTIMIZE).state == STATE_OFF
    assert hass.states.get("binary_sensor.living_room_plex_butler").state == STATE_OFF
    emulator.faults.clear()
    await _tick(hass, freezer, POLL_INTERVAL)
    assert hass.states.get(INTRO_SCHEDULE).state == "scheduled"
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_ON


async def test_schedule_follows_the_server_down_and_is_read_again_when_it_answers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _tick(hass, freezer, POLL_INTERVAL)  # fire the timers set before the clock froze
    for path in ("/butler", "/activities", "/:/prefs"):
        emulator.faults.add(path, method="GET", drop=True)
    await _tick(hass, freezer, POLL_INTERVAL)
    assert hass.states.get(OPTIMIZE).state == STATE_UNAVAILABLE
    # The schedule was read well within its own interval, yet it is not shown as if still true.
    for entity_id in (START, END, INTRO_SCHEDULE, OPTIMIZE_SCHEDULE, NEXT_WINDOW):
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE, entity_id

    # Changed in Plex Web during the outage.
    emulator.settings["GenerateIntroMarkerBehavior"]["value"] = "never"
    emulator.faults.clear()
    emulator.requests.clear()
    await _tick(hass, freezer, POLL_INTERVAL)
    assert hass.states.get(OPTIMIZE).state == STATE_OFF
    assert hass.states.get(INTRO_SCHEDULE).state == "never"
    assert hass.states.get(OPTIMIZE_SCHEDULE).state == STATE_ON
    assert len(emulator.requests_to("GET", "/:/prefs")) == 1


async def test_settings_are_not_read_with_every_poll(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    # The first tick under a frozen clock fires every timer set before it froze: start after it.
    await _tick(hass, freezer, POLL_INTERVAL)
    emulator.requests.clear()
    for _ in range(10):  # five minutes of 30 s polls
        await _tick(hass, freezer, POLL_INTERVAL)
    reads = [r.path for r in emulator.requests if r.method == "GET"]
    assert reads.count("/butler") == 10
    assert reads.count("/:/prefs") == 1


async def test_busy_after_a_write_is_ridden_out(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.faults.busy_after_prefs_write = 1.2  # the server answers 400 to everything for a moment
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: INTRO_SCHEDULE, "option": "asap"}, blocking=True
    )
    # A command right after the write meets the busy server: it is retried, not reported.
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    await settle(hass)
    assert any(status == 400 for *_request, status in emulator.responses)
    assert hass.states.get(OPTIMIZE).state == STATE_ON
    assert hass.states.get(INTRO_SCHEDULE).state == "asap"
    assert all(state.state != STATE_UNAVAILABLE for state in hass.states.async_all())
    assert init_integration.runtime_data.coordinator.last_update_success
    assert init_integration.runtime_data.settings.last_update_success


async def test_list_tasks_says_how_each_task_is_scheduled(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    response = await hass.services.async_call(DOMAIN, "list_tasks", {}, blocking=True, return_response=True)
    tasks = {task["name"]: task for task in response["tasks"]}
    assert tasks["OptimizeDatabase"]["schedule"] == {
        "control": "toggle",
        "setting": "ButlerTaskOptimizeDatabase",
        "value": True,
    }
    assert tasks["ButlerTaskGenerateIntroMarkers"]["schedule"] == {
        "control": "behaviour",
        "setting": "GenerateIntroMarkerBehavior",
        "value": "scheduled",
        "options": ["never", "scheduled", "asap"],
    }
    assert tasks["AutomaticUpdates"]["schedule"] == {"control": "none"}
    assert tasks["OptimizeDatabase"]["scheduled"] is True
    assert tasks["OptimizeDatabase"]["enabled"] is True  # deprecated, kept for this release


async def test_real_2019_preferences_end_to_end(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: PlexEmulator,
    entity_registry: er.EntityRegistry,
) -> None:
    # The emulator answers GET /:/prefs with the real server's body (its Butler settings).
    emulator.faults.add("/:/prefs", method="GET", body=CAPTURE.read_bytes(), content_type="application/json")
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    switches = _unique_ids(entity_registry, "switch")
    scheduled = {key.removesuffix("-scheduled") for key in switches if key.endswith("-scheduled")}
    # The 2019 server predates GarbageCollectBlobs' toggle; the rest of TOGGLED is there.
    assert scheduled == TOGGLED - {"GarbageCollectBlobs"}
    assert switches["GenerateMediaIndexFiles-scheduled"].disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert set(_unique_ids(entity_registry, "select")) == {
        "GenerateBIFBehavior",
        "GenerateChapterThumbBehavior",
        "LoudnessAnalysisBehavior",
    }
    start, end = hass.states.get(START), hass.states.get(END)
    assert (start.state, end.state, end.attributes["min"], end.attributes["max"]) == ("1", "7", 0, 23)
    capture = {s["id"]: s for s in json.loads(CAPTURE.read_bytes())["MediaContainer"]["Setting"]}
    assert hass.states.get("switch.living_room_plex_refresh_libraries_schedule").state == (
        STATE_ON if capture["ButlerTaskRefreshLibraries"]["value"] else STATE_OFF
    )

    # Writes go out with the ids and values real servers take.
    await hass.services.async_call(
        "select",
        "select_option",
        {
            ATTR_ENTITY_ID: "select.living_room_plex_generate_video_preview_thumbnails_schedule",
            "option": "never",
        },
        blocking=True,
    )
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: OPTIMIZE_SCHEDULE}, blocking=True)
    await hass.services.async_call("number", "set_value", {ATTR_ENTITY_ID: END, "value": 6}, blocking=True)
    assert _puts(emulator) == [
        {"GenerateBIFBehavior": "never"},
        {"ButlerTaskOptimizeDatabase": "false"},
        {"ButlerEndHour": "6"},
    ]
