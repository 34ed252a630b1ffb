"""Binary sensor: whether the Butler is at work on a server."""

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import BinarySensorDeviceClass
from .coordinator import PlexButlerCoordinator
from .entity import PlexButlerEntity
from .runtime import PlexButlerConfigEntry

# Read-only: the coordinator does the fetching.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the "Butler running" sensor of a server."""
    async_add_entities([PlexButlerRunningSensor(entry.runtime_data.coordinator)])


class PlexButlerRunningSensor(PlexButlerEntity, BinarySensorEntity):
    """On while the server has a Butler run open or any task runs."""

    _attr_device_class = BinarySensorDeviceClass.RUNNING
    _attr_translation_key = "butler_running"

    def __init__(self, coordinator: PlexButlerCoordinator) -> None:
        super().__init__(coordinator, "butler_running")

    @property
    @override
    def is_on(self) -> bool:
        """Whether the Butler works now."""
        state = self.coordinator.data
        return bool(state.butler_activities) or bool(state.running)
