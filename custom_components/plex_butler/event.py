"""Event entity: fires when a Butler task starts, finishes, or is stopped from Home Assistant.

A stop from Plex itself (Plex Web, the end of the maintenance window) is a "finished": the server only
reports that the run ended, not why.
"""

from typing import override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PlexButlerCoordinator
from .entity import PlexButlerEntity
from .runtime import PlexButlerConfigEntry

PARALLEL_UPDATES = 0

EVENT_STARTED = "started"
EVENT_FINISHED = "finished"
EVENT_STOPPED = "stopped"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the "Butler task" event entity of a server."""
    async_add_entities([PlexButlerTaskEvent(entry.runtime_data.coordinator)])


class PlexButlerTaskEvent(PlexButlerEntity, EventEntity):
    """Derives start and finish events from consecutive states, so polls and pushes both count."""

    _attr_translation_key = "butler_task"

    def __init__(self, coordinator: PlexButlerCoordinator) -> None:
        super().__init__(coordinator, "butler_task")
        self._attr_event_types = [EVENT_STARTED, EVENT_FINISHED, EVENT_STOPPED]
        self._running = coordinator.data.running
        self._titles = {name: task.title for name, task in coordinator.data.tasks.items()}

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        state = self.coordinator.data
        # A task that vanished from the list while running keeps the title it had.
        self._titles.update({name: task.title for name, task in state.tasks.items()})
        changes = [(EVENT_STARTED, name) for name in sorted(state.running - self._running)]
        changes += [
            (EVENT_STOPPED if name in state.stopped_from_home_assistant else EVENT_FINISHED, name)
            for name in sorted(self._running - state.running)
        ]
        self._running = state.running
        for event_type, name in changes:
            self._trigger_event(event_type, {"task": name, "title": self._titles.get(name, name)})
            self.async_write_ha_state()
        if not changes:
            # Availability may still have changed.
            self.async_write_ha_state()
