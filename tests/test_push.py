"""Live state from the server's notification socket: latency, events, fallback to polling, reauth."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON, STATE_OFF, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.plex_butler.const import POLL_INTERVAL, PUSH_POLL_INTERVAL

from .plex_emulator import PlexEmulator

OPTIMIZE = "switch.living_room_plex_optimize_database"
CLEAN = "switch.living_room_plex_clean_old_bundles"
START_ALL = "button.living_room_plex_start_all_tasks"
STOP_ALL = "button.living_room_plex_stop_all_tasks"
RUNNING = "binary_sensor.living_room_plex_butler"
CACHE = "switch.living_room_plex_clean_old_cache_files"
CURRENT = "sensor.living_room_plex_current_task"
PROGRESS = "sensor.living_room_plex_butler_progress"
EVENTS = "event.living_room_plex_butler_task"


async def _until(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the event loop run until `condition` holds; fail after `seconds` of real time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


def _fired_events(hass: HomeAssistant) -> list[tuple[str, str]]:
    """(event type, task) of every event the Butler task event entity fires from now on."""
    fired: list[tuple[str, str]] = []

    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == EVENTS and new is not None and "event_type" in new.attributes:
            fired.append((new.attributes["event_type"], new.attributes["task"]))

    hass.bus.async_listen("state_changed", record)
    return fired


@pytest.fixture
def push_enabled() -> bool:
    """These tests are about the notification socket: the emulator opens it."""
    return True


@pytest.fixture(autouse=True)
def fast_reconnect() -> None:
    with patch("custom_components.plex_butler.push.RECONNECT_MIN_SECONDS", 0.02):
        yield


@pytest.fixture
async def pushed(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> MockConfigEntry:
    """The entry, once its notification socket is open."""
    await _until(lambda: init_integration.runtime_data.coordinator.listener.connected)
    return init_integration


async def test_socket_slows_polling(pushed: MockConfigEntry, emulator: PlexEmulator) -> None:
    assert pushed.runtime_data.coordinator.update_interval == PUSH_POLL_INTERVAL
    (socket_request,) = [r for r in emulator.requests if r.path == "/:/websockets/notifications"]
    assert socket_request.query == {"filters": "activity"}
    assert "X-Plex-Token" in socket_request.headers
    assert "X-Plex-Token" not in socket_request.query


async def test_server_started_task_shows_without_polling(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    requests_before = len(emulator.requests)
    emulator.butler.start("OptimizeDatabase")  # the server's own schedule, not us
    await _until(lambda: hass.states.get(OPTIMIZE).state == STATE_ON)
    assert hass.states.get(RUNNING).state == STATE_ON
    current = hass.states.get(CURRENT)
    assert current.state == "optimize_database"
    # The server's name and title beside the slug; every task the server lists is a possible state.
    assert current.attributes["task"] == "OptimizeDatabase"
    assert current.attributes["title"] == "Optimize database"
    assert current.attributes["device_class"] == "enum"
    assert "butler_task_generate_intro_markers" in current.attributes["options"]
    assert len(current.attributes["options"]) == 23
    assert hass.states.get(PROGRESS).state == "0"
    assert len(emulator.requests) == requests_before  # no HTTP round trip

    await emulator.butler.stop_all()
    await _until(lambda: hass.states.get(OPTIMIZE).state == STATE_OFF)
    assert hass.states.get(RUNNING).state == STATE_OFF
    assert hass.states.get(CURRENT).state == "unknown"
    assert len(emulator.requests) == requests_before


@pytest.mark.parametrize("task_duration", [0.1])
async def test_event_entity_fires_started_and_finished(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    fired: list[tuple[str, str, str]] = []

    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == EVENTS and new is not None and "event_type" in new.attributes:
            fired.append((new.attributes["event_type"], new.attributes["task"], new.attributes["title"]))

    hass.bus.async_listen("state_changed", record)
    # One started from Home Assistant...
    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    await _until(lambda: len(fired) == 2)
    # ...and one started by the server's schedule.
    emulator.butler.start("CleanOldBundles")
    await _until(lambda: len(fired) == 4)
    assert fired == [
        ("started", "OptimizeDatabase", "Optimize database"),
        ("finished", "OptimizeDatabase", "Optimize database"),
        ("started", "CleanOldBundles", "Clean old bundles"),
        ("finished", "CleanOldBundles", "Clean old bundles"),
    ]


@pytest.mark.parametrize("push_enabled", [True, False], ids=["socket", "polling"])
async def test_a_stop_from_home_assistant_is_stopped_not_finished(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, push_enabled: bool
) -> None:
    """A cancelled backup must not fire "backup done" automations: a stop from here fires `stopped`."""
    fired = await _optimize_started_here(hass, init_integration, push_enabled)
    await hass.services.async_call("switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    await _until(lambda: len(fired) == 2)
    # Started again (by Plex's schedule this time) and left to end: that one finishes.
    coordinator = init_integration.runtime_data.coordinator
    emulator.butler.start("OptimizeDatabase")
    await coordinator.async_refresh()
    await _until(lambda: len(fired) == 3)
    emulator.butler.stop("OptimizeDatabase")
    await coordinator.async_refresh()
    await _until(lambda: len(fired) == 4)
    assert fired == [
        ("started", "OptimizeDatabase"),
        ("stopped", "OptimizeDatabase"),
        ("started", "OptimizeDatabase"),
        ("finished", "OptimizeDatabase"),
    ]


async def _optimize_started_here(
    hass: HomeAssistant, entry: MockConfigEntry, push_enabled: bool
) -> list[tuple[str, str]]:
    """Once the socket is as the test wants it, OptimizeDatabase turned on here; the events so far."""
    fired = _fired_events(hass)
    coordinator = entry.runtime_data.coordinator
    await _until(lambda: coordinator.listener.connected == push_enabled)
    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    await _until(lambda: fired == [("started", "OptimizeDatabase")])
    return fired


STOP_WAYS = {
    "switch": ("switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: OPTIMIZE}),
    "stop_task": ("plex_butler", "stop_task", {"task": "OptimizeDatabase"}),
    "stop_all_button": ("button", "press", {ATTR_ENTITY_ID: STOP_ALL}),
    "stop_all_tasks": ("plex_butler", "stop_all_tasks", {}),
}


@pytest.mark.parametrize("way", list(STOP_WAYS))
@pytest.mark.parametrize("push_enabled", [True, False], ids=["socket", "polling"])
async def test_a_stop_answered_after_the_run_ended_is_still_stopped(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    push_enabled: bool,
    way: str,
) -> None:
    """The server may report the run's end before it answers the stop: the stop is noted first."""
    fired = await _optimize_started_here(hass, init_integration, push_enabled)
    emulator.faults.stop_answer_delay = 0.3
    domain, service, data = STOP_WAYS[way]
    await hass.services.async_call(domain, service, data, blocking=True)
    await _until(lambda: len(fired) == 2)
    assert fired == [("started", "OptimizeDatabase"), ("stopped", "OptimizeDatabase")]
    assert hass.states.get(OPTIMIZE).state == STATE_OFF


async def test_a_failed_stop_leaves_no_intent(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """A stop the server refused explains nothing: the run's later end is a finish."""
    coordinator = pushed.runtime_data.coordinator
    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    await _until(lambda: "OptimizeDatabase" in coordinator.data.running)
    emulator.faults.add("/butler/OptimizeDatabase", status=500)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    emulator.faults.clear()
    emulator.butler.stop("OptimizeDatabase")
    await _until(lambda: "OptimizeDatabase" not in coordinator.data.running)
    assert "OptimizeDatabase" not in coordinator.data.stopped_from_home_assistant


async def test_socket_loss_falls_back_to_polling_then_recovers(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    coordinator = pushed.runtime_data.coordinator
    emulator.faults.websocket_status = 503  # reconnects fail for now
    await emulator.drop_websockets()
    await _until(lambda: not coordinator.listener.connected)
    assert coordinator.update_interval == POLL_INTERVAL
    # The loss is followed by one refresh at once, since events may have been missed.
    await _until(lambda: len(emulator.requests_to("GET", "/butler")) == 2)
    await _until(lambda: len(emulator.requests_to("GET", "/:/websockets/notifications")) >= 3)
    assert caplog.text.count("No notifications from Living room Plex") == 1

    emulator.faults.websocket_status = None
    await _until(lambda: coordinator.listener.connected)
    assert coordinator.update_interval == PUSH_POLL_INTERVAL
    assert caplog.text.count("Notifications from Living room Plex are back") == 1


async def test_socket_refusing_the_token_starts_reauth(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.faults.websocket_status = 401
    await emulator.drop_websockets()
    await _until(lambda: bool(hass.config_entries.flow.async_progress()))
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH


async def test_garbage_frames_are_ignored(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    for garbage in (
        "not json",
        '{"NotificationContainer": {"type": "activity", "ActivityNotification": [{"event": "started"}]}}',
        '{"NotificationContainer": {"type": "activity", "ActivityNotification": [{"Activity": {}}]}}',
        '{"NotificationContainer": {"type": "playing"}}',
        "[]",
    ):
        await emulator.send_raw_notification(garbage)
    emulator.butler.start("OptimizeDatabase")
    await _until(lambda: hass.states.get(OPTIMIZE).state == STATE_ON)
    assert pushed.runtime_data.coordinator.listener.connected


async def test_unload_closes_the_socket(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    assert emulator._sockets
    assert await hass.config_entries.async_unload(pushed.entry_id)
    await hass.async_block_till_done()
    await _until(lambda: not emulator._sockets)


async def test_one_request_per_command_while_the_socket_is_up(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.requests.clear()
    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    # The server's 200 says it runs: the switch is on before any notification, and nothing is read.
    assert hass.states.get(OPTIMIZE).state == STATE_ON
    assert [(r.method, r.path) for r in emulator.requests] == [("POST", "/butler/OptimizeDatabase")]
    await _until(lambda: hass.states.get(CURRENT).state == "optimize_database")

    emulator.requests.clear()
    await hass.services.async_call("switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
    assert hass.states.get(OPTIMIZE).state == STATE_OFF
    assert [(r.method, r.path) for r in emulator.requests] == [("DELETE", "/butler/OptimizeDatabase")]

    emulator.requests.clear()
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: START_ALL}, blocking=True)
    assert [(r.method, r.path) for r in emulator.requests] == [("POST", "/butler")]
    # What runs now comes from the socket.
    await _until(lambda: hass.states.get(RUNNING).state == STATE_ON)
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: STOP_ALL}, blocking=True)
    assert hass.states.get(RUNNING).state == STATE_OFF
    assert [(r.method, r.path) for r in emulator.requests] == [("POST", "/butler"), ("DELETE", "/butler")]


async def test_a_start_whose_run_never_comes_falls_back(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    # The server says 200 but opens no run (as inside the window, where it may only schedule a task).
    emulator.faults.add("/butler/OptimizeDatabase", method="POST", status=200, times=1)
    with patch("custom_components.plex_butler.coordinator.START_GRACE_SECONDS", 0.05):
        await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: OPTIMIZE}, blocking=True)
        assert hass.states.get(OPTIMIZE).state == STATE_ON
        reads = len(emulator.requests_to("GET", "/butler"))
        await asyncio.sleep(0.1)
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
        await _until(lambda: hass.states.get(OPTIMIZE).state == STATE_OFF)
    # One re-check read the server; no poll was due.
    assert len(emulator.requests_to("GET", "/butler")) == reads + 1


async def test_a_task_activity_beside_a_lingering_run(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """A run's parent lingers at 100 % with no subtitle (the real 1.43.2 capture); a child names a task.

    Numbers come as strings, and a library refresh runs beside: it invents no task.
    """
    parent = {
        "uuid": "run-1",
        "type": "butler",
        "cancellable": "0",
        "userID": "1",
        "title": "Butler tasks",
        "subtitle": "",
    }
    emulator.broadcast_activity("updated", parent | {"progress": "100"})
    emulator.broadcast_activity(
        "started",
        {"uuid": "lib-1", "type": "library.refresh.items", "title": "Refreshing", "subtitle": "Movies"}
        | {"cancellable": "1", "userID": "1", "progress": "-1"},
    )
    child = parent | {"uuid": "task-1", "subtitle": "CleanOldCacheFiles", "progress": "0"}
    emulator.broadcast_activity("started", child)
    await _until(lambda: hass.states.get(CACHE).state == STATE_ON)
    assert hass.states.get(CURRENT).state == "clean_old_cache_files"
    # The progress is the run's (its parent's), not the task's.
    assert hass.states.get(PROGRESS).state == "100"
    tasks = [
        e for e in hass.states.async_entity_ids("switch") if not e.endswith(("_schedule", "_old_toggle"))
    ]
    running = {e for e in tasks if hass.states.get(e).state == STATE_ON}
    assert running == {CACHE}  # nothing invented by the other activities

    # The parent saws down as the task joins the count; the task runs on until its child ends.
    emulator.broadcast_activity("updated", parent | {"progress": "50"})
    await _until(lambda: hass.states.get(PROGRESS).state == "50")
    assert hass.states.get(CACHE).state == STATE_ON
    emulator.broadcast_activity("ended", child)
    await _until(lambda: hass.states.get(CACHE).state == STATE_OFF)
    assert hass.states.get(CURRENT).state == "unknown"
    assert hass.states.get(RUNNING).state == STATE_ON  # the run is still open
    emulator.broadcast_activity("ended", parent | {"progress": "100"})
    await _until(lambda: hass.states.get(RUNNING).state == STATE_OFF)


async def test_after_a_poll_the_unfinished_run_is_shown(
    hass: HomeAssistant, pushed: MockConfigEntry, emulator: PlexEmulator
) -> None:
    base = {"type": "butler", "cancellable": False, "userID": 1, "title": "Butler tasks"}
    emulator.extra_activities = [
        base | {"uuid": "run-1", "subtitle": "", "progress": 100},
        base | {"uuid": "run-2", "subtitle": "", "progress": 40},
        base | {"uuid": "task-1", "subtitle": "CleanOldCacheFiles", "progress": 0},
    ]
    await pushed.runtime_data.coordinator.async_refresh()
    assert hass.states.get(CACHE).state == STATE_ON
    assert hass.states.get(CURRENT).state == "clean_old_cache_files"
    assert hass.states.get(PROGRESS).state == "40"
