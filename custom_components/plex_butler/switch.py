"""Switches: one per Butler task, and one per task that Plex schedules with an on/off toggle.

A task switch starts the task (on) or stops it (off) and shows whether it runs; a schedule switch says
whether the maintenance window runs the task.
"""

from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Setting
from .commands import async_set_settings, async_start_task, async_stop_task
from .coordinator import PlexButlerCoordinator
from .entity import PlexButlerEntity, PlexButlerSettingsEntity
from .entity_sync import EntitySync
from .names import UNKNOWN_SCHEDULE_KEY, UNKNOWN_TASK_KEY, shown_by_default, task_key, toggle_key
from .runtime import PlexButlerConfigEntry, PlexButlerData

PARALLEL_UPDATES = 1

SCHEDULE_SUFFIX = "-scheduled"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the task switches and schedule switches; both follow the server's lists as they change."""
    data = entry.runtime_data
    coordinator, settings = data.coordinator, data.settings
    machine_id = coordinator.identity.machine_identifier
    task_switches = EntitySync(hass, "switch", machine_id, async_add_entities)
    schedule_switches = EntitySync(hass, "switch", machine_id, async_add_entities)

    @callback
    def sync() -> None:
        tasks = coordinator.data.tasks
        task_switches.sync(tasks, lambda name: PlexButlerTaskSwitch(coordinator, name))
        if (current := settings.current) is None:
            # Schedule unknown for now: keep the switches we have, unavailable, until it is read again.
            return
        toggled = [name for name in tasks if current.toggle(name) is not None]
        schedule_switches.sync(
            [f"{name}{SCHEDULE_SUFFIX}" for name in toggled],
            lambda key: PlexButlerScheduleSwitch(data, key.removesuffix(SCHEDULE_SUFFIX)),
        )

    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))
    entry.async_on_unload(settings.async_add_listener(sync))


class PlexButlerTaskSwitch(PlexButlerEntity, SwitchEntity):
    """A Butler task: on while it runs."""

    def __init__(self, coordinator: PlexButlerCoordinator, name: str) -> None:
        super().__init__(coordinator, name)
        self.task_name = name
        key = task_key(name)
        self._attr_translation_key = key or UNKNOWN_TASK_KEY
        self._attr_entity_registry_visible_default = shown_by_default(name)
        if key is None:
            # A task we do not know: the server's title, or one derived from its name.
            self._attr_translation_placeholders = {"task": coordinator.data.tasks[name].title}

    @property
    @override
    def available(self) -> bool:
        """Unavailable while the server is unreachable or no longer lists the task."""
        return super().available and self.task_name in self.coordinator.data.tasks

    @property
    @override
    def is_on(self) -> bool:
        """Whether the task runs now."""
        return self.task_name in self.coordinator.data.running

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """The task's schedule as the server reports it, and its name for actions."""
        task = self.coordinator.data.tasks.get(self.task_name)
        if task is None:
            return {"task": self.task_name}
        return {"task": task.name, **task.attributes()}

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the task."""
        await async_start_task(self.coordinator, self.task_name)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the task; a task that is not running stays off without an error."""
        await async_stop_task(self.coordinator, self.task_name)


class PlexButlerScheduleSwitch(PlexButlerSettingsEntity, SwitchEntity):
    """Whether Plex runs a task in its maintenance window: the task's `ButlerTask<Name>` toggle."""

    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, data: PlexButlerData, name: str) -> None:
        super().__init__(data.settings, data.coordinator, f"{name}{SCHEDULE_SUFFIX}")
        self._data = data
        self.task_name = name
        self._attr_translation_key = toggle_key(name)
        if self._attr_translation_key == UNKNOWN_SCHEDULE_KEY:
            self._attr_translation_placeholders = {"task": data.coordinator.data.tasks[name].title}
        toggle = self._toggle
        # Plex Web does not show hidden toggles either; where a behaviour governs the task too, its
        # select is the control that counts.
        self._attr_entity_registry_enabled_default = toggle is None or not toggle.hidden

    @property
    def _toggle(self) -> Setting | None:
        settings = self.coordinator.data
        return None if settings is None else settings.toggle(self.task_name)

    @property
    @override
    def available(self) -> bool:
        """Unavailable while the schedule cannot be read or the server no longer has the toggle."""
        return super().available and self._toggle is not None

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the window runs the task."""
        toggle = self._toggle
        return None if toggle is None else bool(toggle.value)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Put the task in the maintenance window."""
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave the task out of the maintenance window."""
        await self._async_set(False)

    async def _async_set(self, value: bool) -> None:
        toggle = self._toggle
        if toggle is not None:
            await async_set_settings(self._data, {toggle.id: value})
