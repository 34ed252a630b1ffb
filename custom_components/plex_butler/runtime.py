"""What a loaded entry holds: the coordinator of the server's tasks and that of its schedule."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import PlexButlerCoordinator
from .history import RunHistory
from .settings_coordinator import PlexButlerSettingsCoordinator


@dataclass(frozen=True, slots=True)
class PlexButlerData:
    """The entry's runtime data."""

    coordinator: PlexButlerCoordinator
    settings: PlexButlerSettingsCoordinator
    history: RunHistory


type PlexButlerConfigEntry = ConfigEntry[PlexButlerData]
