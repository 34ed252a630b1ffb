"""The run history of one server: each Butler run and each task run Plex Butler saw, kept across restarts.

Fed by the coordinator's states (no request of its own) and kept in a Store, one file per entry. Only
what was observed is written: a start that no notification reported is None, and so is an end that
happened while Plex Butler was not watching (a restart, a reload, a server that did not answer).
"""

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Literal, override

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, START_GRACE_SECONDS
from .coordinator import ButlerState, PlexButlerCoordinator, task_of

STORAGE_VERSION: Final = 1
# Enough for a season of nightly runs, small enough to read in a few milliseconds.
MAX_RUNS_PER_TASK: Final = 50
MAX_BUTLER_RUNS: Final = 50
MAX_AGE: Final = timedelta(days=90)
# A night's 23 tasks within a minute are one or two writes; Home Assistant writes what is pending
# when it stops.
SAVE_DELAY_SECONDS: Final = 60.0
# Fired at each task start and end; logbook.py describes it on the task's switch.
EVENT_TASK_RUN: Final = f"{DOMAIN}_task_run"

type Outcome = Literal["finished", "stopped"]
type StartedBy = Literal["home_assistant", "server"]


@dataclass(slots=True)
class ButlerRunRecord:
    """One Butler run (a parent activity)."""

    uuid: str
    start: datetime | None
    end: datetime | None = None
    last_seen_open: datetime | None = None
    seen_from_start: bool = False
    open: bool = True
    # The watch (see RunHistory) it was last seen open in; not stored: a restart begins a new watch.
    watch: int | None = field(default=None, repr=False)

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, where both were seen."""
        return _seconds(self.start, self.end)

    def describe(self) -> dict[str, Any]:
        """As actions and diagnostics show it."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "duration": self.duration,
            "seen_from_start": self.seen_from_start,
            "last_seen_open": _iso(self.last_seen_open),
            "open": self.open,
        }


@dataclass(slots=True)
class TaskRunRecord:
    """One run of one task: a child activity naming it, its own activity, or a start from here."""

    task: str
    start: datetime | None
    started_by: StartedBy
    end: datetime | None = None
    outcome: Outcome | None = None
    last_seen_open: datetime | None = None
    seen_from_start: bool = False
    # When the task's own activity (general.db.optimize, general.bundle.clean) opened, if it did.
    own_activity_start: datetime | None = None
    # A task started here that the server never named: it ended with the Butler run it joined.
    ended_with_run: bool = False
    open: bool = True
    named: bool = field(default=False, repr=False)
    watch: int | None = field(default=None, repr=False)

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, where both were seen."""
        return _seconds(self.start, self.end)

    def describe(self) -> dict[str, Any]:
        """As actions and diagnostics show it."""
        return {
            "task": self.task,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "duration": self.duration,
            "outcome": self.outcome,
            "started_by": self.started_by,
            "seen_from_start": self.seen_from_start,
            "own_activity_start": _iso(self.own_activity_start),
            "ended_with_run": self.ended_with_run,
            "last_seen_open": _iso(self.last_seen_open),
            "open": self.open,
        }


class _HistoryStore(Store[dict[str, Any]]):
    """The history file; later versions migrate from here."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        # Version 1 is the first; a newer minor version only adds fields, which loading ignores.
        return old_data


class RunHistory:
    """Watches one server's states and remembers the runs in them."""

    def __init__(self, hass: HomeAssistant, entry_id: str, coordinator: PlexButlerCoordinator) -> None:
        self._hass = hass
        self._coordinator = coordinator
        self._store = _HistoryStore(hass, STORAGE_VERSION, _key(entry_id))
        self._unsubscribe: CALLBACK_TYPE | None = None
        self.butler_runs: list[ButlerRunRecord] = []
        self.task_runs: list[TaskRunRecord] = []
        # Records open now. A new watch begins at setup and after every poll that failed: a run gone
        # in another watch than the one it was last seen open in (record.watch) has no seen end.
        self._open_runs: dict[str, ButlerRunRecord] = {}
        self._open_tasks: dict[str, TaskRunRecord] = {}
        self._watch = 0
        self._listeners: list[Callable[[], None]] = []
        self.writes = 0

    async def async_load(self) -> None:
        """Read what was saved; records open then are open now until a state says otherwise."""
        stored = await self._store.async_load()
        if stored is not None:
            self.restore(stored)

    def restore(self, stored: dict[str, Any]) -> None:
        """Take the records of a stored history (the file is read and parsed off the event loop)."""
        self.butler_runs = [_butler_run(record) for record in stored.get("butler_runs", [])]
        self.task_runs = [_task_run(record) for record in stored.get("task_runs", [])]
        self._open_runs = {run.uuid: run for run in self.butler_runs if run.open}
        self._open_tasks = {run.task: run for run in self.task_runs if run.open}

    @callback
    def async_start(self) -> None:
        """Follow the coordinator from its current state on."""
        self._watch += 1
        self._on_update()
        self._unsubscribe = self._coordinator.async_add_listener(self._on_update)

    async def async_stop(self) -> None:
        """Stop following and write now (at unload): a reload reads the latest, no late timer writes."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self._store.async_save(self._data())

    @staticmethod
    async def async_remove(hass: HomeAssistant, entry_id: str) -> None:
        """Forget a server's history with its entry."""
        await _HistoryStore(hass, STORAGE_VERSION, _key(entry_id)).async_remove()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` after every change of the records."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def last_task_run(self, task: str) -> TaskRunRecord | None:
        """The newest run of `task` whose end was seen."""
        return next((run for run in reversed(self.task_runs) if run.task == task and run.end), None)

    def last_butler_run(self) -> ButlerRunRecord | None:
        """The newest Butler run whose end was seen."""
        return next((run for run in reversed(self.butler_runs) if run.end), None)

    def query(
        self, task: str | None = None, since: datetime | None = None
    ) -> tuple[list[ButlerRunRecord], list[TaskRunRecord]]:
        """Runs newest first; open runs and runs whose end was not seen are always included."""

        def wanted(end: datetime | None) -> bool:
            return since is None or end is None or end >= since

        butler = [run for run in reversed(self.butler_runs) if wanted(run.end)]
        tasks = [
            run for run in reversed(self.task_runs) if wanted(run.end) and (task is None or run.task == task)
        ]
        return butler, tasks

    @callback
    def _on_update(self) -> None:
        coordinator = self._coordinator
        if not coordinator.last_update_success:
            # The server did not answer: what ends before it does, ended unseen.
            self._watch += 1
            return
        now = dt_util.utcnow()
        changed = self._observe_runs(coordinator.data, now)
        changed |= self._observe_tasks(coordinator.data, now)
        if changed:
            self._prune(now)
            self._store.async_delay_save(self._data, SAVE_DELAY_SECONDS)
            for listener in list(self._listeners):
                listener()

    def _observe_runs(self, state: ButlerState, now: datetime) -> bool:
        changed = False
        open_now = {run.uuid for run in state.butler_activities}
        for uuid in open_now - self._open_runs.keys():
            seen = uuid in state.seen_starting
            record = ButlerRunRecord(uuid, now if seen else None, seen_from_start=seen)
            self._open_runs[uuid] = record
            self.butler_runs.append(record)
            changed = True
        for uuid, record in list(self._open_runs.items()):
            if uuid in open_now:
                record.last_seen_open = now
                record.watch = self._watch
                continue
            self._close(record, now)
            del self._open_runs[uuid]
            changed = True
        return changed

    def _observe_tasks(self, state: ButlerState, now: datetime) -> bool:
        changed = False
        working = {
            task: activity
            for activity in state.activities
            if (task := task_of(activity, state.tasks)) is not None
        }
        for task in state.running - self._open_tasks.keys():
            activity = working.get(task)
            here = task in state.started_from_home_assistant
            seen = here or (activity is not None and activity.uuid in state.seen_starting)
            record = TaskRunRecord(
                task,
                now if seen else None,
                "home_assistant" if here or self._after_start_all(state) else "server",
                seen_from_start=seen,
                own_activity_start=now if activity is not None and not activity.is_butler and seen else None,
            )
            self._open_tasks[task] = record
            self.task_runs.append(record)
            self._fire(record, "started")
            changed = True
        for task, record in list(self._open_tasks.items()):
            if task in state.running:
                record.last_seen_open = now
                record.named |= task in working
                activity = working.get(task)
                if (
                    record.own_activity_start is None
                    and activity is not None
                    and not activity.is_butler
                    and activity.uuid in state.seen_starting
                ):
                    record.own_activity_start = now
                record.watch = self._watch
                continue
            if self._close(record, now):
                record.outcome = "stopped" if task in state.stopped_from_home_assistant else "finished"
                record.ended_with_run = record.started_by == "home_assistant" and not record.named
                self._fire(record, record.outcome)
            del self._open_tasks[task]
            changed = True
        return changed

    def _after_start_all(self, state: ButlerState) -> bool:
        at = state.start_all_at
        return at is not None and time.monotonic() - at <= START_GRACE_SECONDS

    def _close(self, record: ButlerRunRecord | TaskRunRecord, now: datetime) -> bool:
        """Close a record; its end is `now` only if it was watched without a gap since last seen open."""
        record.open = False
        if record.watch == self._watch:
            record.end = now
            record.last_seen_open = None
            return True
        return False

    def _fire(self, record: TaskRunRecord, event_type: str) -> None:
        machine = self._coordinator.identity.machine_identifier
        switch = er.async_get(self._hass).async_get_entity_id("switch", DOMAIN, f"{machine}-{record.task}")
        self._hass.bus.async_fire(
            EVENT_TASK_RUN,
            {
                "entity_id": switch,
                "config_entry_id": self._coordinator.config_entry.entry_id,
                "task": record.task,
                "event_type": event_type,
                "outcome": record.outcome,
                "duration": record.duration,
            },
        )

    def _prune(self, now: datetime) -> None:
        oldest = now - MAX_AGE
        self.butler_runs = _bounded(self.butler_runs, lambda _run: "", MAX_BUTLER_RUNS, oldest)
        self.task_runs = _bounded(self.task_runs, lambda run: run.task, MAX_RUNS_PER_TASK, oldest)

    def _data(self) -> dict[str, Any]:
        self.writes += 1
        return {
            "butler_runs": [_stored(run) for run in self.butler_runs],
            "task_runs": [_stored(run) for run in self.task_runs],
        }


def _bounded[R: (ButlerRunRecord, TaskRunRecord)](
    runs: list[R], group: Callable[[R], str], limit: int, oldest: datetime
) -> list[R]:
    """The newest `limit` runs of each group, without closed ones older than `oldest`; order kept."""
    counts: Counter[str] = Counter()
    kept: list[R] = []
    for run in reversed(runs):
        if not run.open and (_when(run) or oldest) < oldest:
            continue
        counts[group(run)] += 1
        if counts[group(run)] <= limit:
            kept.append(run)
    kept.reverse()
    return kept


def _key(entry_id: str) -> str:
    return f"{DOMAIN}.history.{entry_id}"


def _when(run: ButlerRunRecord | TaskRunRecord) -> datetime | None:
    return run.end or run.last_seen_open or run.start


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 3)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _stored(run: ButlerRunRecord | TaskRunRecord) -> dict[str, Any]:
    record = asdict(run)
    record.pop("named", None)
    record.pop("watch", None)
    return {key: _iso(value) if isinstance(value, datetime) else value for key, value in record.items()}


def _times(record: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    # fromisoformat reads what isoformat wrote, several times faster than a general parser.
    return {key: datetime.fromisoformat(record[key]) if record.get(key) else None for key in keys}


def _butler_run(record: dict[str, Any]) -> ButlerRunRecord:
    return ButlerRunRecord(
        uuid=str(record["uuid"]),
        seen_from_start=bool(record.get("seen_from_start")),
        open=bool(record.get("open")),
        **_times(record, ("start", "end", "last_seen_open")),
    )


def _task_run(record: dict[str, Any]) -> TaskRunRecord:
    started_by: StartedBy = "home_assistant" if record.get("started_by") == "home_assistant" else "server"
    outcome = record.get("outcome")
    return TaskRunRecord(
        task=str(record["task"]),
        started_by=started_by,
        outcome=outcome if outcome in ("finished", "stopped") else None,
        seen_from_start=bool(record.get("seen_from_start")),
        ended_with_run=bool(record.get("ended_with_run")),
        open=bool(record.get("open")),
        **_times(record, ("start", "end", "last_seen_open", "own_activity_start")),
    )
