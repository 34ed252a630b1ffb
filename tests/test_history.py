"""The run history: what was seen of each Butler run and task run, kept across reloads and restarts."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler.const import DOMAIN
from custom_components.plex_butler.history import EVENT_TASK_RUN, RunHistory
from custom_components.plex_butler.logbook import async_describe_events

from .conftest import until
from .plex_emulator import PlexEmulator

BACKUP = "switch.living_room_plex_back_up_database"
BACKUP_LAST_RUN = "sensor.living_room_plex_back_up_database_last_run"
BUTLER_LAST_RUN = "sensor.living_room_plex_butler_last_run"


def _history(entry: MockConfigEntry) -> RunHistory:
    history: RunHistory = entry.runtime_data.history
    return history


async def _socket_up(entry: MockConfigEntry) -> None:
    await until(lambda: entry.runtime_data.coordinator.listener.connected)


def _same_second(shown: str, recorded: str) -> bool:
    """A timestamp sensor shows whole seconds."""
    first, second = dt_util.parse_datetime(shown), dt_util.parse_datetime(recorded)
    assert first is not None
    assert second is not None
    return abs((first - second).total_seconds()) < 1


async def _history_response(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response: dict[str, Any] = await hass.services.async_call(
        DOMAIN, "get_history", data, blocking=True, return_response=True
    )
    return response


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.05, True)])
async def test_a_real_shaped_run_is_recorded_as_it_happened(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """Parent, children and own activities over the socket: every task, sub-second ones included."""
    await _socket_up(init_integration)
    emulator.butler.linger = 0.3  # the parent stays open at 100 % after its last task
    before = dt_util.utcnow()
    await hass.services.async_call(DOMAIN, "start_task", {"task": "OptimizeDatabase"}, blocking=True)
    emulator.butler.start("CleanOldBundles")  # the server's own schedule
    emulator.butler.start("GarbageCollectBlobs")
    await until(lambda: emulator.butler.run is None and emulator.butler.completed)
    await until(lambda: not _history(init_integration).butler_runs[-1].open)

    response = await _history_response(hass)
    (run,) = response["butler_runs"]
    assert run["seen_from_start"] is True
    assert dt_util.parse_datetime(run["start"]) >= before
    assert run["duration"] >= 0.3  # the lingering parent counts
    tasks = {task["task"]: task for task in response["task_runs"]}
    assert emulator.butler.completed == ["OptimizeDatabase", "CleanOldBundles", "GarbageCollectBlobs"]
    assert set(tasks) == set(emulator.butler.completed)
    for task in tasks.values():
        assert task["outcome"] == "finished"
        assert task["seen_from_start"] is True
        assert 0 <= task["duration"] < 1
        assert task["end"] <= run["end"]
    assert tasks["OptimizeDatabase"]["started_by"] == "home_assistant"
    assert tasks["CleanOldBundles"]["started_by"] == "server"
    # The two tasks with an activity of their own are recorded from its start.
    assert tasks["OptimizeDatabase"]["own_activity_start"] >= tasks["OptimizeDatabase"]["start"]
    assert tasks["CleanOldBundles"]["own_activity_start"] is not None
    assert tasks["GarbageCollectBlobs"]["own_activity_start"] is None
    # Newest first.
    assert [task["task"] for task in response["task_runs"]] == list(reversed(emulator.butler.completed))

    # The sensors show the ends.
    state = hass.states.get("sensor.living_room_plex_optimize_database_last_run")
    assert _same_second(state.state, tasks["OptimizeDatabase"]["end"])
    assert state.attributes["outcome"] == "finished"
    assert state.attributes["started_by"] == "home_assistant"
    assert _same_second(hass.states.get(BUTLER_LAST_RUN).state, run["end"])
    # list_tasks says when each task last ran.
    listed = await hass.services.async_call(DOMAIN, "list_tasks", {}, blocking=True, return_response=True)
    last_runs = {task["name"]: task["last_run"] for task in listed["tasks"]}
    assert last_runs["GarbageCollectBlobs"]["outcome"] == "finished"
    assert last_runs["BackupDatabase"] is None


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.05, True)])
async def test_with_only_the_parent_pushed_tasks_are_recorded_where_seen(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await _socket_up(init_integration)
    emulator.butler.push_children = False
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    emulator.butler.start("OptimizeDatabase")  # its own activity reaches the socket
    emulator.butler.start("GarbageCollectBlobs")  # only its child would name it: never seen
    await until(lambda: emulator.butler.run is None and len(emulator.butler.completed) == 3)
    await until(
        lambda: bool(_history(init_integration).butler_runs)
        and not _history(init_integration).butler_runs[-1].open
    )
    await until(lambda: not any(run.open for run in _history(init_integration).task_runs), 4)

    response = await _history_response(hass)
    assert len(response["butler_runs"]) == 1
    tasks = {task["task"]: task for task in response["task_runs"]}
    assert set(tasks) == {"BackupDatabase", "OptimizeDatabase"}
    # Started here and never named by what the socket sent: it ended with the run it joined.
    assert tasks["BackupDatabase"]["ended_with_run"] is True
    assert tasks["BackupDatabase"]["started_by"] == "home_assistant"
    assert tasks["OptimizeDatabase"]["ended_with_run"] is False


@pytest.mark.parametrize("push_enabled", [True])
async def test_a_stop_from_here_is_recorded_as_stopped(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await _socket_up(init_integration)
    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: BACKUP}, blocking=True)
    await until(lambda: emulator.butler.is_running("BackupDatabase"))
    await hass.services.async_call("switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: BACKUP}, blocking=True)
    await until(lambda: hass.states.get(BACKUP_LAST_RUN).state not in ("unknown", "unavailable"))
    assert hass.states.get(BACKUP_LAST_RUN).attributes["outcome"] == "stopped"


async def test_a_run_found_by_a_poll_has_no_invented_start(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """The socket is down: a poll finds the run open, and the next poll finds it gone."""
    emulator.butler.start("BackupDatabase")
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.async_refresh()
    await emulator.butler.stop_all()
    await coordinator.async_refresh()
    response = await _history_response(hass, task="backup database")
    (run,) = response["task_runs"]
    assert run["start"] is None
    assert run["seen_from_start"] is False
    assert run["end"] is not None  # watched without a gap since it was seen open
    assert run["duration"] is None
    assert response["butler_runs"][0]["start"] is None


@pytest.mark.parametrize("push_enabled", [True])
async def test_reload_keeps_every_run_and_invents_no_end(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await _socket_up(init_integration)
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    await until(lambda: bool(_history(init_integration).butler_runs))
    started = _history(init_integration).task_runs[0].start
    assert started is not None

    # Unloaded while the backup runs; it ends while nobody watches.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await emulator.butler.stop_all()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    response = await _history_response(hass)
    (run,) = response["task_runs"]
    assert run["start"] == started.isoformat()  # kept
    assert run["end"] is None  # not invented
    assert run["last_seen_open"] is not None
    assert run["outcome"] is None
    assert response["butler_runs"][0]["end"] is None
    assert hass.states.get(BACKUP_LAST_RUN).state == "unknown"

    # A run open across a reload keeps the start it was seen with and ends when seen ending.
    await _socket_up(init_integration)
    await hass.services.async_call(DOMAIN, "start_task", {"task": "OptimizeDatabase"}, blocking=True)
    await until(lambda: len(_history(init_integration).task_runs) == 2)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await _socket_up(init_integration)
    await emulator.butler.stop_all()
    await until(lambda: not _history(init_integration).task_runs[-1].open)
    optimize = _history(init_integration).task_runs[-1]
    assert optimize.task == "OptimizeDatabase"
    assert optimize.start is not None
    assert optimize.end is not None


@pytest.mark.parametrize("push_enabled", [True])
async def test_home_assistant_stopping_writes_the_history(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    hass_storage: dict[str, Any],
) -> None:
    await _socket_up(init_integration)
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    await until(lambda: bool(_history(init_integration).task_runs))
    key = f"{DOMAIN}.history.{init_integration.entry_id}"
    assert key not in hass_storage  # a delayed write, not one per change
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    stored = hass_storage[key]
    assert stored["version"] == 1
    (run,) = stored["data"]["task_runs"]
    assert (run["task"], run["open"], run["started_by"]) == ("BackupDatabase", True, "home_assistant")


async def test_history_is_restored_bounded_and_removed_with_the_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    now = dt_util.utcnow()
    old = now - timedelta(days=120)
    runs = [
        {
            "task": "BackupDatabase",
            "start": (now - timedelta(days=day, minutes=3)).isoformat(),
            "end": (now - timedelta(days=day)).isoformat(),
            "outcome": "finished",
            "started_by": "server",
            "seen_from_start": True,
            "open": False,
        }
        for day in range(60, 0, -1)  # oldest first, as recorded
    ]
    runs.append(
        {
            "task": "OptimizeDatabase",
            "start": None,
            "end": old.isoformat(),
            "outcome": "finished",
            "started_by": "server",
            "open": False,
        }
    )
    key = f"{DOMAIN}.history.{config_entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"butler_runs": [], "task_runs": runs},
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(BACKUP_LAST_RUN)
    assert _same_second(state.state, (now - timedelta(days=1)).isoformat())
    assert state.attributes["duration"] == 180.0

    history = _history(config_entry)
    history._prune(now)
    assert len([run for run in history.task_runs if run.task == "BackupDatabase"]) == 50
    assert not [run for run in history.task_runs if run.task == "OptimizeDatabase"]  # older than 90 days

    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.05, True)])
async def test_each_task_start_and_end_is_a_bus_event_the_logbook_describes(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await _socket_up(init_integration)
    events: list[Event] = []
    hass.bus.async_listen(EVENT_TASK_RUN, events.append)
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    await until(lambda: len(events) == 2)
    assert [(e.data["task"], e.data["event_type"], e.data["entity_id"]) for e in events] == [
        ("BackupDatabase", "started", BACKUP),
        ("BackupDatabase", "finished", BACKUP),
    ]
    assert events[1].data["duration"] >= 0.05

    described: dict[str, Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda domain, event, describe: described.__setitem__(event, describe))
    entry = described[EVENT_TASK_RUN](events[1])
    assert entry["entity_id"] == BACKUP
    assert entry["name"] == "Living room Plex Back up database"
    assert entry["message"] == "Finished (0:00:00)"
    assert described[EVENT_TASK_RUN](events[0])["message"] == "Started"


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.05, True)])
async def test_the_logbook_speaks_home_assistants_language(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    hass.config.language = "de"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await _socket_up(config_entry)
    events: list[Event] = []
    hass.bus.async_listen(EVENT_TASK_RUN, events.append)
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    await until(lambda: len(events) == 2)
    described: dict[str, Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda domain, event, describe: described.__setitem__(event, describe))
    entry = described[EVENT_TASK_RUN](events[1])
    assert entry["name"] == "Living room Plex Datenbank sichern"
    assert entry["message"].startswith("Abgeschlossen")
