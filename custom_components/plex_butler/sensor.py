"""Sensors: how far the Butler's run is, and which task it works on."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import SETTING_START_HOUR
from .coordinator import ButlerState, PlexButlerCoordinator
from .entity import PlexButlerEntity, PlexButlerSettingsEntity
from .entity_sync import async_follow_schedule
from .runtime import PlexButlerConfigEntry, PlexButlerData

PARALLEL_UPDATES = 0
NEXT_WINDOW_KEY = "next_window"


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
    """Add the progress and current-task sensors, and the next window once the schedule is read."""
    data = entry.runtime_data
    async_add_entities(PlexButlerSensor(data.coordinator, description) for description in SENSORS)
    async_follow_schedule(
        hass,
        entry,
        "sensor",
        async_add_entities,
        lambda schedule: [NEXT_WINDOW_KEY] if schedule.hour(SETTING_START_HOUR) is not None else [],
        lambda _key: PlexButlerNextWindowSensor(data),
    )


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


class PlexButlerNextWindowSensor(PlexButlerSettingsEntity, SensorEntity):
    """When the maintenance window opens next."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP
    _attr_translation_key = "next_window"

    def __init__(self, data: PlexButlerData) -> None:
        super().__init__(data.settings, data.coordinator, NEXT_WINDOW_KEY)

    @property
    def native_value(self) -> datetime | None:
        """The next start of the window."""
        settings = self.coordinator.data
        hour = None if settings is None else settings.hour(SETTING_START_HOUR)
        if hour is None:
            return None
        # Plex counts the hour in the server's local time; we take Home Assistant's time zone for it.
        now = dt_util.now()
        start = now.replace(hour=hour, minute=0, second=0, microsecond=0)
        return start if start > now else start + timedelta(days=1)
