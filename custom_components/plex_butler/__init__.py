"""Plex Butler: see and drive the maintenance tasks of a Plex Media Server."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .clients import async_create_client
from .const import DOMAIN
from .coordinator import PlexButlerCoordinator
from .history import RunHistory
from .logbook import async_load_words
from .runtime import PlexButlerConfigEntry, PlexButlerData
from .services import async_register_services
from .settings_coordinator import PlexButlerSettingsCoordinator

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which exist whether or not a server is configured."""
    async_register_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PlexButlerConfigEntry) -> bool:
    """Connect to one server and add its entities."""
    # 0.1.0 raised this repair issue for a token without Butler rights; re-authentication covers that
    # now, and Home Assistant would keep the record forever.
    ir.async_delete_issue(hass, DOMAIN, f"not_admin_{entry.entry_id}")
    client = await async_create_client(hass, entry.data)
    coordinator = PlexButlerCoordinator(hass, entry, client)
    history = RunHistory(hass, entry.entry_id, coordinator)
    await history.async_load()
    await coordinator.async_config_entry_first_refresh()
    # The schedule is secondary: a server that fails to give it is still set up, without it for now.
    settings = PlexButlerSettingsCoordinator(hass, entry, coordinator)
    await settings.async_refresh()
    entry.async_on_unload(settings.async_follow_server())
    await async_load_words(hass)
    entry.runtime_data = PlexButlerData(coordinator, settings, history)
    history.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start_push()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PlexButlerConfigEntry) -> bool:
    """Remove the server's entities and write its history; the coordinator's timer ends with the entry."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.history.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: PlexButlerConfigEntry) -> None:
    """Forget the server's run history."""
    await RunHistory.async_remove(hass, entry.entry_id)
