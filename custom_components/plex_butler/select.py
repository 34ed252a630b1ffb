"""Selects: one per behaviour preference (never / scheduled / asap) that governs a Butler task.

Plex has no on/off toggle for the analysis and marker tasks; these preferences decide whether they run
never, in the maintenance window, or in the window and as soon as media is added.
"""

from typing import override

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import BEHAVIOUR_TASKS, Setting, readable_title
from .commands import async_set_settings
from .entity import PlexButlerSettingsEntity
from .entity_sync import async_follow_schedule
from .names import UNKNOWN_SCHEDULE_KEY, schedule_key
from .runtime import PlexButlerConfigEntry, PlexButlerData

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a select per behaviour preference the server lists, as the server lists them."""
    data = entry.runtime_data
    async_follow_schedule(
        hass,
        entry,
        "select",
        async_add_entities,
        lambda settings: [setting.id for setting in settings.behaviours],
        lambda setting_id: PlexButlerBehaviourSelect(data, setting_id),
    )


class PlexButlerBehaviourSelect(PlexButlerSettingsEntity, SelectEntity):
    """When Plex runs a task: never, in the maintenance window, or also whenever media is added."""

    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, data: PlexButlerData, setting_id: str) -> None:
        super().__init__(data.settings, data.coordinator, setting_id)
        self._data = data
        self.setting_id = setting_id
        self._attr_translation_key = schedule_key(BEHAVIOUR_TASKS.get(setting_id))
        if self._attr_translation_key == UNKNOWN_SCHEDULE_KEY:
            setting = self._setting
            label = "" if setting is None else setting.label
            self._attr_translation_placeholders = {"task": label or readable_title(setting_id)}

    @property
    def _setting(self) -> Setting | None:
        settings = self.coordinator.data
        return None if settings is None else settings.settings.get(self.setting_id)

    @property
    @override
    def available(self) -> bool:
        """Unavailable while the schedule cannot be read or the server no longer has the preference."""
        return super().available and self._setting is not None

    @property
    @override
    def options(self) -> list[str]:
        """The values the server offers, in its order; any it adds later show as they are."""
        setting = self._setting
        return [] if setting is None else list(setting.enum_keys)

    @property
    @override
    def current_option(self) -> str | None:
        """The value set on the server."""
        setting = self._setting
        if setting is None or str(setting.value) not in setting.enum_keys:
            return None
        return str(setting.value)

    @override
    async def async_select_option(self, option: str) -> None:
        """Write the value; the select shows it at once (a preference sends no notification)."""
        await async_set_settings(self._data, {self.setting_id: option})
