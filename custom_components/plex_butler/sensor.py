"""Sensors: how far the Butler's run is, and which task it works on."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ButlerState, PlexButlerConfigEntry, PlexButlerCoordinator
from .entity import PlexButlerEntity

PARALLEL_UPDATES = 0


def _progress(state: ButlerState) -> int | None:
    activity = state.butler_activity
    return None if activity is None else activity.progress


def _current_task_title(state: ButlerState) -> str | None:
    name = state.current_task
    return None if name is None else state.tasks[name].title


@dataclass(frozen=True, kw_only=True)
class PlexButlerSensorDescription(SensorEntityDescription):
    """A sensor and how it reads the coordinator's state."""

    value: Callable[[ButlerState], int | str | None]


SENSORS = (
    PlexButlerSensorDescription(
        key="butler_progress",
        translation_key="butler_progress",
        native_unit_of_measurement=PERCENTAGE,
        value=_progress,
    ),
    PlexButlerSensorDescription(
        key="current_task", translation_key="current_task", value=_current_task_title
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the progress and current-task sensors of a server."""
    async_add_entities(PlexButlerSensor(entry.runtime_data, description) for description in SENSORS)


class PlexButlerSensor(PlexButlerEntity, SensorEntity):
    """A value read from the Butler's run; unknown while no run is open."""

    entity_description: PlexButlerSensorDescription

    def __init__(self, coordinator: PlexButlerCoordinator, description: PlexButlerSensorDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | str | None:
        """The value now."""
        return self.entity_description.value(self.coordinator.data)
