"""Plex Butler: see and drive the maintenance tasks of a Plex Media Server."""

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import instance_id
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import ClientNames, PlexButlerClient
from .const import DOMAIN, REQUEST_TIMEOUT
from .coordinator import PlexButlerCoordinator
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


async def async_client_names(hass: HomeAssistant) -> ClientNames:
    """How this Home Assistant names itself to Plex servers and to plex.tv.

    The identifier comes from Home Assistant's instance id, stored once per instance: Plex lists it as
    one device under Settings > Authorized Devices, however many servers there are.
    """
    installation = await instance_id.async_get(hass)
    return ClientNames(
        client_identifier=f"home-assistant-plex-butler-{installation}",
        product="Plex Butler for Home Assistant",
        device_name="Home Assistant",
    )


async def async_create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> PlexButlerClient:
    """A client on Home Assistant's shared session, for a config entry's or a flow's data."""
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    return PlexButlerClient(
        async_get_clientsession(hass, verify_ssl=verify_ssl),
        str(data[CONF_URL]),
        str(data[CONF_TOKEN]),
        verify_ssl=verify_ssl,
        timeout=REQUEST_TIMEOUT,
        **await async_client_names(hass),
    )


async def async_setup_entry(hass: HomeAssistant, entry: PlexButlerConfigEntry) -> bool:
    """Connect to one server and add its entities."""
    client = await async_create_client(hass, entry.data)
    coordinator = PlexButlerCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    # The schedule is secondary: a server that fails to give it is still set up, without it for now.
    settings = PlexButlerSettingsCoordinator(hass, entry, client)
    await settings.async_refresh()
    entry.runtime_data = PlexButlerData(coordinator, settings)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start_push()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PlexButlerConfigEntry) -> bool:
    """Remove the server's entities; the coordinator's timer ends with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
