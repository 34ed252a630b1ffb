"""Sensors: the Butler's progress, its current task, the next window, and last runs (last_run.py).

The current task's state is the task's slug (`backup_database`), stable across server versions and
languages for automations to compare, and translated on screen through state translations; the
server's name and title are its attributes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import SETTING_START_HOUR, task_slug
from .const import ATTR_TASK, ATTR_TITLE
from .coordinator import ButlerState, PlexButlerCoordinator
from .entity import PlexButlerEntity, PlexButlerSettingsEntity
from .entity_sync import async_follow_schedule
from .last_run import async_add_last_run_sensors
from .runtime import PlexButlerConfigEntry, PlexButlerData

PARALLEL_UPDATES = 0
NEXT_WINDOW_KEY = "next_window"


def _progress(state: ButlerState) -> int | None:
    activity = state.butler_activity
    # Plex writes -1 for "no measure".
    return (
        None if activity is None or activity.progress is None or activity.progress < 0 else activity.progress
    )


@dataclass(frozen=True, kw_only=True)
class PlexButlerSensorDescription(SensorEntityDescription):
    """A sensor and how it reads the coordinator's state."""

    value_fn: Callable[[ButlerState], int | str | None]


SENSORS = (
    PlexButlerSensorDescription(
        key="butler_progress",
        translation_key="butler_progress",
        native_unit_of_measurement=PERCENTAGE,
        value_fn=_progress,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the progress and current-task sensors, and the next window once the schedule is read."""
    data = entry.runtime_data
    async_add_entities(
        [
            *(PlexButlerSensor(data.coordinator, description) for description in SENSORS),
            PlexButlerCurrentTaskSensor(data.coordinator),
        ]
    )
    async_add_last_run_sensors(hass, entry, async_add_entities)
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
    @override
    def native_value(self) -> int | str | None:
        """The value now."""
        return self.entity_description.value_fn(self.coordinator.data)


class PlexButlerCurrentTaskSensor(PlexButlerEntity, SensorEntity):
    """The task the Butler works on now, as a slug; unknown while it names none."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_translation_key = "current_task"

    def __init__(self, coordinator: PlexButlerCoordinator) -> None:
        super().__init__(coordinator, "current_task")

    @property
    @override
    def options(self) -> list[str]:
        """Every task the server lists, so any of them can be the state."""
        return sorted(task_slug(name) for name in self.coordinator.data.tasks)

    @property
    @override
    def native_value(self) -> str | None:
        """The current task's slug."""
        name = self.coordinator.data.current_task
        return None if name is None else task_slug(name)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, str | None]:
        """The server's own name and title of the current task."""
        state = self.coordinator.data
        name = state.current_task
        return {ATTR_TASK: name, ATTR_TITLE: None if name is None else state.tasks[name].title}


class PlexButlerNextWindowSensor(PlexButlerSettingsEntity, SensorEntity):
    """When the maintenance window opens next."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP
    _attr_translation_key = "next_window"

    def __init__(self, data: PlexButlerData) -> None:
        super().__init__(data.settings, data.coordinator, NEXT_WINDOW_KEY)

    @property
    @override
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
