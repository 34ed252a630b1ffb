"""Numbers: the hours at which Plex's maintenance window opens and closes."""

from dataclasses import dataclass
from typing import override

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import SETTING_END_HOUR, SETTING_START_HOUR
from .commands import async_set_settings
from .entity import PlexButlerSettingsEntity
from .entity_sync import async_follow_schedule
from .runtime import PlexButlerConfigEntry, PlexButlerData

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PlexButlerHourDescription(NumberEntityDescription):
    """An hour setting of the Butler."""

    setting_id: str


HOURS = {
    description.key: description
    for description in (
        PlexButlerHourDescription(
            key="window_start", translation_key="window_start", setting_id=SETTING_START_HOUR
        ),
        PlexButlerHourDescription(
            key="window_end", translation_key="window_end", setting_id=SETTING_END_HOUR
        ),
    )
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the window's hours once the server has shown it has those settings."""
    data = entry.runtime_data
    async_follow_schedule(
        hass,
        entry,
        "number",
        async_add_entities,
        lambda settings: [key for key, hour in HOURS.items() if settings.hour(hour.setting_id) is not None],
        lambda key: PlexButlerHour(data, HOURS[key]),
    )


class PlexButlerHour(PlexButlerSettingsEntity, NumberEntity):
    """An hour of the day in the server's local time, within the range the server offers."""

    entity_description: PlexButlerHourDescription
    _attr_entity_category = EntityCategory.CONFIG
    _attr_native_step = 1
    _attr_mode = NumberMode.BOX
    _attr_native_unit_of_measurement = UnitOfTime.HOURS

    def __init__(self, data: PlexButlerData, description: PlexButlerHourDescription) -> None:
        super().__init__(data.settings, data.coordinator, description.key)
        self._data = data
        self.entity_description = description

    @property
    @override
    def available(self) -> bool:
        """Unavailable while the schedule cannot be read or the server no longer has the setting."""
        return super().available and self.native_value is not None

    @property
    @override
    def native_min_value(self) -> float:
        """The first hour the server offers."""
        return self._range[0]

    @property
    @override
    def native_max_value(self) -> float:
        """The last hour the server offers."""
        return self._range[1]

    @property
    def _range(self) -> tuple[int, int]:
        settings = self.coordinator.data
        return (0, 23) if settings is None else settings.hour_range(self.entity_description.setting_id)

    @property
    @override
    def native_value(self) -> int | None:
        """The hour now set on the server."""
        settings = self.coordinator.data
        return None if settings is None else settings.hour(self.entity_description.setting_id)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the hour on the server."""
        await async_set_settings(self._data, {self.entity_description.setting_id: int(value)})
