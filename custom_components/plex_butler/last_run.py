"""Last-run sensors: when each task, and the server's Butler, last ran to a seen end.

They read the run history (history.py), which outlives restarts, so their state needs no restoring.
"""

from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import PlexButlerEntity
from .entity_sync import EntitySync
from .history import ButlerRunRecord, TaskRunRecord
from .names import shown_by_default, task_key
from .runtime import PlexButlerConfigEntry, PlexButlerData

LAST_RUN_SUFFIX = "-last_run"
BUTLER_LAST_RUN_KEY = f"butler{LAST_RUN_SUFFIX}"
UNKNOWN_TASK_LAST_RUN_KEY = "task_last_run"


@callback
def async_add_last_run_sensors(
    hass: HomeAssistant, entry: PlexButlerConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The Butler's last-run sensor, and one per task the server lists, following its list."""
    data = entry.runtime_data
    coordinator = data.coordinator
    async_add_entities([PlexButlerLastRunSensor(data, None)])
    sensors = EntitySync(hass, "sensor", coordinator.identity.machine_identifier, async_add_entities)

    @callback
    def sync() -> None:
        sensors.sync(
            [f"{name}{LAST_RUN_SUFFIX}" for name in coordinator.data.tasks],
            lambda key: PlexButlerLastRunSensor(data, key.removesuffix(LAST_RUN_SUFFIX)),
        )

    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))


class PlexButlerLastRunSensor(PlexButlerEntity, SensorEntity):
    """The end of the last run with a seen end: of one task, or of the Butler (task None)."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP

    def __init__(self, data: PlexButlerData, task: str | None) -> None:
        super().__init__(
            data.coordinator, BUTLER_LAST_RUN_KEY if task is None else f"{task}{LAST_RUN_SUFFIX}"
        )
        self._history = data.history
        self.task_name = task
        if task is None:
            self._attr_translation_key = "butler_last_run"
            return
        key = task_key(task)
        self._attr_translation_key = UNKNOWN_TASK_LAST_RUN_KEY if key is None else f"{key}_last_run"
        if key is None:
            self._attr_translation_placeholders = {"task": data.coordinator.data.tasks[task].title}
        self._attr_entity_registry_visible_default = shown_by_default(task)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self._history.async_add_listener(self.async_write_ha_state))

    @property
    def _run(self) -> ButlerRunRecord | TaskRunRecord | None:
        if self.task_name is None:
            return self._history.last_butler_run()
        return self._history.last_task_run(self.task_name)

    @property
    @override
    def available(self) -> bool:
        """Always: the history is Home Assistant's, whether or not the server answers now."""
        return True

    @property
    @override
    def native_value(self) -> Any:
        """When the last run ended; unknown until one was seen ending."""
        run = self._run
        return None if run is None else run.end

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """How long it took, and for a task how it ended and who started it."""
        run = self._run
        if isinstance(run, TaskRunRecord):
            return {"duration": run.duration, "outcome": run.outcome, "started_by": run.started_by}
        return {"duration": None if run is None else run.duration}
