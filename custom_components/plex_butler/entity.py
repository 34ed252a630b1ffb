"""The base of every Plex Butler entity: one device per server, ids built from its machine id."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER, MODEL
from .coordinator import PlexButlerCoordinator


class PlexButlerEntity(CoordinatorEntity[PlexButlerCoordinator]):
    """Renders coordinator state; commands go through commands.async_run_command."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: PlexButlerCoordinator, key: str) -> None:
        super().__init__(coordinator)
        identity = coordinator.identity
        self._attr_unique_id = f"{identity.machine_identifier}-{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identity.machine_identifier)},
            name=identity.friendly_name,
            manufacturer=MANUFACTURER,
            model=MODEL,
            sw_version=identity.version,
            configuration_url=str(coordinator.client.base_url / "web"),
            entry_type=DeviceEntryType.SERVICE,
        )
