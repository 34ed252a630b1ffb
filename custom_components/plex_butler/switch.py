"""One switch per Butler task: on starts it, off stops it, the state says whether it runs."""

import re
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ButlerTask
from .commands import async_start_task, async_stop_task
from .const import DOMAIN, KNOWN_TASKS
from .coordinator import PlexButlerConfigEntry, PlexButlerCoordinator
from .entity import PlexButlerEntity

PARALLEL_UPDATES = 1

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a switch for every task the server lists, now and whenever the list changes."""
    coordinator = entry.runtime_data
    added: set[str] = set()

    @callback
    def sync_tasks() -> None:
        names = coordinator.data.tasks.keys()
        new = [task for name, task in coordinator.data.tasks.items() if name not in added]
        if new:
            added.update(task.name for task in new)
            async_add_entities(PlexButlerTaskSwitch(coordinator, task) for task in new)
        gone = added - names
        if gone:
            # A task the server no longer lists (after an upgrade) leaves the registry with its switch.
            registry = er.async_get(hass)
            machine_id = coordinator.identity.machine_identifier
            for name in gone:
                entity_id = registry.async_get_entity_id("switch", DOMAIN, f"{machine_id}-{name}")
                if entity_id is not None:
                    registry.async_remove(entity_id)
            added.difference_update(gone)

    sync_tasks()
    entry.async_on_unload(coordinator.async_add_listener(sync_tasks))


class PlexButlerTaskSwitch(PlexButlerEntity, SwitchEntity):
    """A Butler task: on while it runs."""

    def __init__(self, coordinator: PlexButlerCoordinator, task: ButlerTask) -> None:
        super().__init__(coordinator, task.name)
        self.task_name = task.name
        if task.name in KNOWN_TASKS:
            # Translated name and own icon for tasks we know.
            self._attr_translation_key = _CAMEL_BOUNDARY.sub("_", task.name).lower()
        else:
            self._attr_translation_key = "task"
            self._attr_name = task.title

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
