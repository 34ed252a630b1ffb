"""Sensors: how far the Butler's run is, and which task it works on."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import SETTING_START_HOUR
from .coordinator import ButlerState, PlexButlerConfigEntry, PlexButlerCoordinator
from .entity import PlexButlerEntity

PARALLEL_UPDATES = 0


def _progress(state: ButlerState) -> int | None:
    activity = state.butler_activity
    return None if activity is None else activity.progress


def _current_task_title(state: ButlerState) -> str | None:
    name = state.current_task
    return None if name is None else state.tasks[name].title


def _next_window_start(state: ButlerState) -> datetime | None:
    # Plex counts the hour in the server's local time; we take Home Assistant's time zone for it.
    hour = state.hour_setting(SETTING_START_HOUR)
    if hour is None:
        return None
    now = dt_util.now()
    start = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return start if start > now else start + timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class PlexButlerSensorDescription(SensorEntityDescription):
    """A sensor and how it reads the coordinator's state."""

    value: Callable[[ButlerState], int | str | datetime | None]
    exists: Callable[[ButlerState], bool] = lambda _state: True


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
    PlexButlerSensorDescription(
        key="next_window",
        translation_key="next_window",
        device_class=SensorDeviceClass.TIMESTAMP,
        value=_next_window_start,
        exists=lambda state: state.hour_setting(SETTING_START_HOUR) is not None,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the progress, current-task and next-window sensors of a server."""
    coordinator = entry.runtime_data
    async_add_entities(
        PlexButlerSensor(coordinator, description)
        for description in SENSORS
        if description.exists(coordinator.data)
    )


class PlexButlerSensor(PlexButlerEntity, SensorEntity):
    """A value read from the Butler's run; unknown while no run is open."""

    entity_description: PlexButlerSensorDescription

    def __init__(self, coordinator: PlexButlerCoordinator, description: PlexButlerSensorDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | str | datetime | None:
        """The value now."""
        return self.entity_description.value(self.coordinator.data)
