"""One switch per Butler task: on starts it, off stops it, the state says whether it runs."""

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ButlerTask
from .commands import async_set_settings, async_start_task, async_stop_task
from .const import DOMAIN, KNOWN_TASKS
from .coordinator import PlexButlerConfigEntry, PlexButlerCoordinator
from .entity import PlexButlerEntity

PARALLEL_UPDATES = 1

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")
SCHEDULED_SUFFIX = "-scheduled"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a switch per task, and a "scheduled" switch per task the server has a toggle for.

    Both follow the server's lists: switches appear and leave the registry as the lists change.
    """
    coordinator = entry.runtime_data
    added: set[str] = set()

    @callback
    def sync() -> None:
        state = coordinator.data
        wanted: dict[str, Callable[[], SwitchEntity]] = {}
        for name, task in state.tasks.items():
            wanted[name] = partial(PlexButlerTaskSwitch, coordinator, task)
            if state.schedule_setting(name) is not None:
                wanted[f"{name}{SCHEDULED_SUFFIX}"] = partial(PlexButlerScheduleSwitch, coordinator, task)
        new = [key for key in wanted if key not in added]
        if new:
            added.update(new)
            async_add_entities(wanted[key]() for key in new)
        gone = added - wanted.keys()
        if gone:
            registry = er.async_get(hass)
            machine_id = coordinator.identity.machine_identifier
            for key in gone:
                entity_id = registry.async_get_entity_id("switch", DOMAIN, f"{machine_id}-{key}")
                if entity_id is not None:
                    registry.async_remove(entity_id)
            added.difference_update(gone)

    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))


class PlexButlerTaskSwitch(PlexButlerEntity, SwitchEntity):
    """A Butler task: on while it runs."""

    def __init__(self, coordinator: PlexButlerCoordinator, task: ButlerTask) -> None:
        super().__init__(coordinator, task.name)
        self.task_name = task.name
        # Named by the task's readable title, as the server gives it or as derived from its name; tasks
        # we know get their own icon through their translation key, any other the generic one.
        self._attr_name = task.title
        self._attr_translation_key = (
            _CAMEL_BOUNDARY.sub("_", task.name).lower() if task.name in KNOWN_TASKS else "task"
        )

    @property
    def available(self) -> bool:
        """Unavailable while the server is unreachable or no longer lists the task."""
        return super().available and self.task_name in self.coordinator.data.tasks

    @property
    def is_on(self) -> bool:
        """Whether the task runs now."""
        return self.task_name in self.coordinator.data.running

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The task's schedule as the server reports it, and its name for actions."""
        task = self.coordinator.data.tasks.get(self.task_name)
        if task is None:
            return {"task": self.task_name}
        return {
            "task": task.name,
            "interval_days": task.interval_days,
            "scheduled": task.enabled,
            "randomized": task.randomized,
        }

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the task."""
        await async_start_task(self.coordinator, self.task_name)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the task; a task that is not running stays off without an error."""
        await async_stop_task(self.coordinator, self.task_name)


class PlexButlerScheduleSwitch(PlexButlerEntity, SwitchEntity):
    """Whether Plex runs a task in its maintenance window (Plex Web's Scheduled Tasks toggle)."""

    _attr_entity_category = EntityCategory.CONFIG
    _attr_translation_key = "task_scheduled"

    def __init__(self, coordinator: PlexButlerCoordinator, task: ButlerTask) -> None:
        super().__init__(coordinator, f"{task.name}{SCHEDULED_SUFFIX}")
        self.task_name = task.name
        self._attr_translation_placeholders = {"task": task.title}

    @property
    def available(self) -> bool:
        """Unavailable while the server is unreachable or no longer has the toggle."""
        return super().available and self.coordinator.data.schedule_setting(self.task_name) is not None

    @property
    def is_on(self) -> bool | None:
        """Whether the task is scheduled."""
        setting = self.coordinator.data.schedule_setting(self.task_name)
        return None if setting is None else bool(setting.value)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Schedule the task."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave the task out of the maintenance window."""
        await self._async_set(False)

    async def _async_set(self, value: bool) -> None:
        setting = self.coordinator.data.schedule_setting(self.task_name)
        if setting is not None:
            await async_set_settings(self.coordinator, {setting.id: value})
