"""The coordinator: one polling cycle reads the task list and the activities of one server."""

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    Activity,
    ActivityNotification,
    ButlerTask,
    PlexButlerAuthError,
    PlexButlerClient,
    PlexButlerError,
    PlexButlerForbiddenError,
    ServerIdentity,
)
from .const import (
    DOMAIN,
    HANDOVER_SECONDS,
    LOGGER,
    POLL_INTERVAL,
    PUSH_POLL_INTERVAL,
    START_GRACE_SECONDS,
)
from .push import NotificationListener, PushCallbacks


@dataclass(frozen=True, slots=True)
class ButlerState:
    """What entities render: the server's tasks, which of them run now, and the Butler's runs.

    `butler_activities` holds every open Butler run (a finished one may linger at 100 % beside a new
    one); `butler_activity` is the one the progress and current task are read from.
    `stopped_from_home_assistant` names the tasks Home Assistant stopped while they ran, until they run
    again: their end is a stop, not a finish.
    """

    tasks: dict[str, ButlerTask]
    running: frozenset[str]
    butler_activity: Activity | None = None
    butler_activities: tuple[Activity, ...] = ()
    stopped_from_home_assistant: frozenset[str] = frozenset()
    # The task the server names as the one it works on (its newest open task activity), if any.
    current_task: str | None = None
    # Every activity the server has open now, in the order it listed or opened them.
    activities: tuple[Activity, ...] = ()
    # The open activities whose start a notification reported (a poll finds activities already open).
    seen_starting: frozenset[str] = frozenset()
    # Tasks started from Home Assistant and held as running; when "start all" was last pressed here.
    started_from_home_assistant: frozenset[str] = frozenset()
    start_all_at: float | None = None


@dataclass(slots=True)
class _StartedTasks:
    """Tasks started from Home Assistant, held as running until the server's Butler run ends.

    The server names only the task it works on now; the others we queued wait inside the same run.
    """

    started_at: dict[str, float] = field(default_factory=dict)
    seen_run: bool = False

    def add(self, name: str) -> None:
        self.started_at[name] = time.monotonic()

    def discard(self, name: str) -> None:
        self.started_at.pop(name, None)

    def clear(self) -> None:
        self.started_at.clear()
        self.seen_run = False

    def describe(self) -> list[dict[str, object]]:
        """The bookkeeping as diagnostics show it: names, ages, whether their run was seen."""
        now = time.monotonic()
        return [
            {"task": name, "age_seconds": round(now - at, 1), "run_seen": self.seen_run}
            for name, at in sorted(self.started_at.items())
        ]

    @property
    def waiting(self) -> bool:
        """Whether a start is still waiting for the server to open its run."""
        return bool(self.started_at) and not self.seen_run

    def ended_alone(self, names: set[str]) -> None:
        """Tasks whose own activity the server showed and has now ended: done, whatever the run does."""
        for name in names:
            self.started_at.pop(name, None)

    def still_running(self, butler_activity: Activity | None) -> set[str]:
        if butler_activity is not None:
            self.seen_run = True
            return set(self.started_at)
        if self.seen_run:
            # The run we were part of has ended, and with it everything we queued.
            self.clear()
            return set()
        # No run seen yet: the server may open it a moment after answering our start.
        deadline = time.monotonic() - START_GRACE_SECONDS
        for name in [name for name, at in self.started_at.items() if at < deadline]:
            del self.started_at[name]
        return set(self.started_at)


def task_of(activity: Activity, tasks: Mapping[str, ButlerTask]) -> str | None:
    """The task an activity is the work of: a run's child names it, some tasks have their own kind."""
    task = activity.subtitle if activity.is_butler else activity.own_task
    return task if task in tasks else None


class PlexButlerCoordinator(DataUpdateCoordinator[ButlerState]):
    """Polls one Plex server's Butler and holds the last state read."""

    config_entry: ConfigEntry
    identity: ServerIdentity

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: PlexButlerClient) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=POLL_INTERVAL,
            # Entities are written only when something on the server changed.
            always_update=False,
        )
        self.client = client
        self._started = _StartedTasks()
        # What the server is doing, by activity uuid: replaced by each poll, patched by each push event.
        self._activities: dict[str, Activity] = {}
        # The Butler run that a notification changed last: the one whose progress and task are shown.
        self._pushed_run: str | None = None
        # Tasks we stopped that the server still names until its next word on the Butler's runs.
        self._stopped_still_named: set[str] = set()
        # Tasks stopped from Home Assistant while running, until they run again (see ButlerState).
        self._stopped_from_home_assistant: set[str] = set()
        # Tasks whose stop has been sent and not answered yet: a run that ends meanwhile ended by it.
        self._stopping: set[str] = set()
        self._grace_check: CALLBACK_TYPE | None = None
        # The tasks the server's activities named at the last state.
        self._named: set[str] = set()
        # Activities whose "started" notification arrived (see ButlerState.seen_starting).
        self._seen_starting: set[str] = set()
        self._start_all_at: float | None = None
        # Tasks between their own activity and their child (see _handed_over), with a deadline.
        self._own_named: set[str] = set()
        self._handover: dict[str, float] = {}
        self._handover_check: CALLBACK_TYPE | None = None
        # A command answered after the entry unloaded (a reload mid-request) sets no more timers.
        self._unloaded = False
        entry.async_on_unload(self._on_unload)
        self.listener = NotificationListener(
            client,
            entry.title,
            PushCallbacks(
                on_connected=self._on_push_connected,
                on_disconnected=self._on_push_disconnected,
                on_notification=self._on_notification,
                on_auth_failed=lambda: entry.async_start_reauth(hass),
            ),
        )
        self._push_was_up = False

    @override
    async def _async_setup(self) -> None:
        """Learn who the server is, once, before the first poll."""
        try:
            identity = await self.client.get_identity()
        except PlexButlerError as err:
            raise self._translate(err) from err
        if identity.machine_identifier != self.config_entry.unique_id:
            raise ConfigEntryError(translation_domain=DOMAIN, translation_key="wrong_server")
        self.identity = identity

    @override
    async def _async_update_data(self) -> ButlerState:
        try:
            tasks, activities = await asyncio.gather(self.client.get_tasks(), self.client.get_activities())
        except PlexButlerError as err:
            raise self._translate(err) from err
        self._activities = {activity.uuid: activity for activity in activities}
        self._pushed_run = None
        self._stopped_still_named.clear()
        return self._state({task.name: task for task in tasks})

    def _state(self, by_name: dict[str, ButlerTask]) -> ButlerState:
        activities = tuple(self._activities.values())
        butler = [activity for activity in activities if activity.is_butler]
        # A run is a parent activity (no task in its subtitle) with a child activity per task, whose
        # subtitle is the task's name; a server that shows only one activity naming the task counts
        # that one as the run.
        task_activities = [activity for activity in butler if activity.subtitle in by_name]
        runs = tuple(activity for activity in butler if activity.subtitle not in by_name) or tuple(
            task_activities
        )
        shown = self._shown_run(runs)
        # A task runs when an activity names it (a child's subtitle, or an activity titled like the
        # task) or when we started it and neither its own activity nor the run it joined has ended.
        working = [(task, activity) for activity in activities if (task := task_of(activity, by_name))]
        named = {activity.title for activity in activities} | {task for task, _ in working}
        named |= self._handed_over(
            {task for task, activity in working if not activity.is_butler}, named, runs
        )
        named -= self._stopped_still_named
        self._started.ended_alone(self._named - named)
        self._named = named
        running = (named | self._started.still_running(shown)) & by_name.keys()
        # The server may say a run ended before it answers the stop that ended it.
        previous = self.data.running if self.data is not None else frozenset()
        self._stopped_from_home_assistant |= (previous - running) & self._stopping
        self._stopped_from_home_assistant -= running
        current = next(
            (task for task, _ in reversed(working) if task not in self._stopped_still_named),
            next(iter(self._handover), None),
        )
        return ButlerState(
            tasks=by_name,
            running=frozenset(running),
            butler_activity=shown,
            butler_activities=runs,
            stopped_from_home_assistant=frozenset(self._stopped_from_home_assistant),
            current_task=current,
            activities=activities,
            seen_starting=frozenset(self._seen_starting & self._activities.keys()),
            started_from_home_assistant=frozenset(self._started.started_at) & by_name.keys(),
            start_all_at=self._start_all_at,
        )

    def _handed_over(self, own: set[str], named: set[str], runs: tuple[Activity, ...]) -> set[str]:
        """Tasks whose own activity just ended and whose child has not shown yet: still working.

        OptimizeDatabase and CleanOldBundles work in an activity of their own, then open an instant
        child; without this their switch and event would flicker off and on between the two.
        """
        now = time.monotonic()
        # A task whose own activity ended because we stopped it has nothing to hand over to.
        for task in self._own_named - own - self._stopping - self._stopped_still_named:
            self._handover[task] = now + HANDOVER_SECONDS
        self._own_named = own
        for task, deadline in list(self._handover.items()):
            if task in named or deadline <= now or not runs:
                del self._handover[task]
        if self._handover and not self._unloaded:
            if self._handover_check is not None:
                self._handover_check()
            delay = min(self._handover.values()) - now
            self._handover_check = async_call_later(self.hass, delay, self._on_handover_due)
        return set(self._handover)

    @callback
    def _on_handover_due(self, _now: object) -> None:
        self._handover_check = None
        self._publish()

    def _shown_run(self, runs: tuple[Activity, ...]) -> Activity | None:
        """The run whose progress and task are shown.

        The one a notification changed last; after a poll, the first that has not reached 100 %
        (a finished run can linger at 100 % beside a new one), else the first.
        """
        pushed = next((run for run in runs if run.uuid == self._pushed_run), None)
        if pushed is not None:
            return pushed
        unfinished = (run for run in runs if run.progress is None or run.progress < 100)
        return next(unfinished, runs[0] if runs else None)

    @callback
    def async_start_push(self) -> None:
        """Listen to the server's notifications until the entry unloads or Home Assistant stops."""
        self.config_entry.async_create_background_task(
            self.hass, self.listener.run(), f"{DOMAIN} notifications {self.config_entry.title}"
        )

    @callback
    def _on_notification(self, notification: ActivityNotification) -> None:
        activity = notification.activity
        if notification.event == "ended":
            self._activities.pop(activity.uuid, None)
            self._seen_starting.discard(activity.uuid)
        else:
            self._activities[activity.uuid] = activity
            if notification.event == "started":
                self._seen_starting.add(activity.uuid)
        if activity.is_butler:
            self._pushed_run = None if notification.event == "ended" else activity.uuid
            # The server has spoken about its runs since our stop: trust what it names now.
            self._stopped_still_named.clear()
        self._publish()

    @callback
    def _publish(self) -> None:
        """Hand entities the state as we now know it, if it changed."""
        # The listener starts after the first refresh, so there is always a state to patch.
        state = self._state(self.data.tasks)
        if state != self.data:
            self.async_set_updated_data(state)

    async def async_after_command(self) -> None:
        """Bring the state up to date after a command the server accepted.

        While the notification socket is up, the command's answer (noted by mark_started/mark_stopped)
        and the socket's events say everything: no request. Otherwise one refresh reads the server.
        """
        if self.listener.connected:
            self._publish()
        else:
            await self.async_refresh()

    @callback
    def _on_push_connected(self) -> None:
        self.update_interval = PUSH_POLL_INTERVAL
        if self._push_was_up:
            # Events may have been missed while the socket was down: read everything once.
            self.config_entry.async_create_task(self.hass, self.async_request_refresh())
        self._push_was_up = True

    @callback
    def _on_push_disconnected(self) -> None:
        self.update_interval = POLL_INTERVAL
        # Refreshing now also puts the next poll at the short interval.
        self.config_entry.async_create_task(self.hass, self.async_request_refresh())

    def started_tasks(self) -> list[dict[str, object]]:
        """Tasks started from Home Assistant that are held as running, for diagnostics."""
        return self._started.describe()

    def mark_started_all(self) -> None:
        """Record that the server accepted "start all": runs opening soon after are Home Assistant's."""
        self._start_all_at = time.monotonic()

    def mark_started(self, name: str) -> None:
        """Record a start the server accepted (200 started, 202 already running)."""
        self._started.add(name)
        self._stopped_still_named.discard(name)
        self._stopped_from_home_assistant.discard(name)
        # Should the server never open a run for it, look again once the grace period is over: with
        # the socket up, no poll would come soon enough to take the task's switch back off.
        self._cancel_grace_check()
        if not self._unloaded:
            self._grace_check = async_call_later(self.hass, START_GRACE_SECONDS + 1, self._async_grace_check)

    def intend_stop(self, name: str | None = None) -> None:
        """A stop of one task, or of all, is about to be sent (before its request leaves)."""
        self._stopping.update(self.data.tasks if name is None else (name,))

    def drop_stop_intent(self, name: str | None = None) -> None:
        """The stop was answered, or failed: its intent no longer explains a run's end."""
        self._stopping.difference_update(self.data.tasks if name is None else (name,))

    def mark_stopped(self, name: str | None = None) -> None:
        """Record a stop of one task, or of all of them, that the server accepted."""
        if name is None:
            self._handover.clear()
            self._started.clear()
            self._stopped_still_named.update(self.data.tasks)
            self._stopped_from_home_assistant.update(self.data.running)
        else:
            self._handover.pop(name, None)
            self._started.discard(name)
            self._stopped_still_named.add(name)
            if name in self.data.running:
                self._stopped_from_home_assistant.add(name)

    @callback
    def _on_unload(self) -> None:
        self._unloaded = True
        self._cancel_grace_check()
        if self._handover_check is not None:
            self._handover_check()
            self._handover_check = None

    @callback
    def _cancel_grace_check(self) -> None:
        if self._grace_check is not None:
            self._grace_check()
            self._grace_check = None

    async def _async_grace_check(self, _now: object) -> None:
        self._grace_check = None
        if self._started.waiting:
            # The run never showed: read the server rather than guess.
            await self.async_request_refresh()

    @staticmethod
    def _translate(err: PlexButlerError) -> Exception:
        """The Home Assistant exception for a client error during a poll (a pure mapping).

        A 403 (a valid token without the owner's rights) is a reauth like a 401: the reauth dialog says
        the owner's token is needed, and signing in with the owner's Plex account gets it.
        """
        if isinstance(err, PlexButlerForbiddenError):
            return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="not_owner_token")
        if isinstance(err, PlexButlerAuthError):
            return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        )
