"""Numbers: the hours at which Plex's maintenance window opens and closes."""

from dataclasses import dataclass

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .commands import async_set_settings
from .const import SETTING_END_HOUR, SETTING_START_HOUR
from .coordinator import PlexButlerConfigEntry, PlexButlerCoordinator
from .entity import PlexButlerEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PlexButlerHourDescription(NumberEntityDescription):
    """An hour setting of the Butler."""

    setting_id: str


HOURS = (
    PlexButlerHourDescription(
        key="window_start", translation_key="window_start", setting_id=SETTING_START_HOUR
    ),
    PlexButlerHourDescription(key="window_end", translation_key="window_end", setting_id=SETTING_END_HOUR),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the window's hours, where the server has those settings."""
    coordinator = entry.runtime_data
    async_add_entities(
        PlexButlerHour(coordinator, description)
        for description in HOURS
        if coordinator.data.hour_setting(description.setting_id) is not None
    )


class PlexButlerHour(PlexButlerEntity, NumberEntity):
    """An hour of the day, 0 to 23, in the server's local time."""

    entity_description: PlexButlerHourDescription
    _attr_entity_category = EntityCategory.CONFIG
    _attr_native_min_value = 0
    _attr_native_max_value = 23
    _attr_native_step = 1
    _attr_mode = NumberMode.BOX
    _attr_native_unit_of_measurement = UnitOfTime.HOURS

    def __init__(self, coordinator: PlexButlerCoordinator, description: PlexButlerHourDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | None:
        """The hour now set on the server."""
        return self.coordinator.data.hour_setting(self.entity_description.setting_id)

    async def async_set_native_value(self, value: float) -> None:
        """Set the hour on the server."""
        await async_set_settings(self.coordinator, {self.entity_description.setting_id: int(value)})
