"""The coordinator: one polling cycle reads the task list and the activities of one server."""

import asyncio
import time
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import issue_registry as ir
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
    Setting,
)
from .const import (
    BUTLER_SETTING_PREFIX,
    BUTLER_TASK_PREFIX,
    DOMAIN,
    LOGGER,
    POLL_INTERVAL,
    PUSH_POLL_INTERVAL,
    START_GRACE_SECONDS,
)
from .push import NotificationListener, PushCallbacks

type PlexButlerConfigEntry = ConfigEntry[PlexButlerCoordinator]


@dataclass(frozen=True, slots=True)
class ButlerState:
    """What entities render: the server's tasks and which of them run now."""

    tasks: dict[str, ButlerTask]
    running: frozenset[str]
    butler_activity: Activity | None = None
    # The server's Butler settings (ids beginning with "Butler"), by id.
    settings: dict[str, Setting] = field(default_factory=dict)

    def schedule_setting(self, task_name: str) -> Setting | None:
        """The on/off toggle that schedules a task, where the server has one.

        Plex names it ButlerTask<TaskName>; a task whose name already begins with ButlerTask may use
        its own name.
        """
        candidates = [f"{BUTLER_TASK_PREFIX}{task_name}"]
        if task_name.startswith(BUTLER_TASK_PREFIX):
            candidates.append(task_name)
        for candidate in candidates:
            setting = self.settings.get(candidate)
            if setting is not None and setting.type == "bool":
                return setting
        return None

    def hour_setting(self, setting_id: str) -> int | None:
        """ButlerStartHour or ButlerEndHour, where the server has it."""
        setting = self.settings.get(setting_id)
        return setting.value if setting is not None and isinstance(setting.value, int) else None

    @property
    def current_task(self) -> str | None:
        """The task the server names as the one it works on, when it names one."""
        activity = self.butler_activity
        if activity is not None and activity.subtitle in self.tasks:
            return activity.subtitle
        return None


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


class PlexButlerCoordinator(DataUpdateCoordinator[ButlerState]):
    """Polls one Plex server's Butler and holds the last state read."""

    config_entry: PlexButlerConfigEntry
    identity: ServerIdentity

    def __init__(self, hass: HomeAssistant, entry: PlexButlerConfigEntry, client: PlexButlerClient) -> None:
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

    async def _async_setup(self) -> None:
        """Learn who the server is, once, before the first poll."""
        try:
            identity = await self.client.get_identity()
        except PlexButlerError as err:
            raise self._translate(err) from err
        if identity.machine_identifier != self.config_entry.unique_id:
            raise ConfigEntryError(translation_domain=DOMAIN, translation_key="wrong_server")
        self.identity = identity

    async def _async_update_data(self) -> ButlerState:
        try:
            tasks, activities, settings = await asyncio.gather(
                self.client.get_tasks(), self.client.get_activities(), self.client.get_settings()
            )
        except PlexButlerError as err:
            raise self._translate(err) from err
        ir.async_delete_issue(self.hass, DOMAIN, self.not_admin_issue_id)
        self._activities = {activity.uuid: activity for activity in activities}
        butler_settings = {s.id: s for s in settings if s.id.startswith(BUTLER_SETTING_PREFIX)}
        return self._state({task.name: task for task in tasks}, butler_settings)

    def _state(self, by_name: dict[str, ButlerTask], settings: dict[str, Setting]) -> ButlerState:
        activities = self._activities.values()
        butler = next((activity for activity in activities if activity.is_butler), None)
        # A task runs when the Butler names it (the run's subtitle or a sub-activity titled like the
        # task) or when we started it and its run has not ended yet.
        named = {activity.title for activity in activities} | {butler.subtitle if butler else ""}
        running = (named | self._started.still_running(butler)) & by_name.keys()
        return ButlerState(
            tasks=by_name, running=frozenset(running), butler_activity=butler, settings=settings
        )

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
        else:
            self._activities[activity.uuid] = activity
        # The listener starts after the first refresh, so there is always a state to patch.
        state = self._state(self.data.tasks, self.data.settings)
        if state != self.data:
            self.async_set_updated_data(state)

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

    def mark_started(self, name: str) -> None:
        """Record a start from Home Assistant, before the refresh that follows it."""
        self._started.add(name)

    def mark_stopped(self, name: str | None = None) -> None:
        """Record a stop of one task, or of all of them."""
        if name is None:
            self._started.clear()
        else:
            self._started.discard(name)

    @property
    def not_admin_issue_id(self) -> str:
        """The id of this entry's repair issue for a token without admin rights."""
        return f"not_admin_{self.config_entry.entry_id}"

    def _translate(self, err: PlexButlerError) -> Exception:
        """The Home Assistant exception for a client error during a poll."""
        if isinstance(err, PlexButlerForbiddenError):
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self.not_admin_issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key="not_admin",
                translation_placeholders={"server": self.config_entry.title},
            )
        if isinstance(err, PlexButlerAuthError):
            return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        )
