"""The base of every Plex Butler entity: one device per server, ids built from its machine id."""

from typing import Any, override

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .api import ServerIdentity
from .const import DOMAIN, MANUFACTURER, MODEL
from .coordinator import PlexButlerCoordinator
from .settings_coordinator import PlexButlerSettingsCoordinator


class PlexButlerBaseEntity[CoordinatorT: DataUpdateCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """Renders one coordinator's state, on the server's device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CoordinatorT, server: PlexButlerCoordinator, key: str) -> None:
        super().__init__(coordinator)
        identity: ServerIdentity = server.identity
        self._attr_unique_id = f"{identity.machine_identifier}-{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identity.machine_identifier)},
            name=identity.friendly_name,
            manufacturer=MANUFACTURER,
            model=MODEL,
            sw_version=identity.version,
            configuration_url=str(server.client.base_url / "web"),
            entry_type=DeviceEntryType.SERVICE,
        )


class PlexButlerEntity(PlexButlerBaseEntity[PlexButlerCoordinator]):
    """An entity of the server's tasks and runs; commands go through commands.py."""

    def __init__(self, coordinator: PlexButlerCoordinator, key: str) -> None:
        super().__init__(coordinator, coordinator, key)


class PlexButlerSettingsEntity(PlexButlerBaseEntity[PlexButlerSettingsCoordinator]):
    """An entity of the server's schedule: unavailable while the schedule or the server cannot be read."""

    def __init__(
        self, settings: PlexButlerSettingsCoordinator, server: PlexButlerCoordinator, key: str
    ) -> None:
        super().__init__(settings, server, key)
        self.server = server

    @property
    @override
    def available(self) -> bool:
        """Available once the schedule has been read, while it and the server can be."""
        return self.coordinator.current is not None
