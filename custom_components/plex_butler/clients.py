"""The Plex clients, built on Home Assistant's shared session: for a server and for plex.tv.

Setup, the config flow and the sign-in all build their clients here, so none of them imports the
package's `__init__`.
"""

import os
from collections.abc import Mapping
from typing import Any, Final

from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import instance_id
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import REQUEST_TIMEOUT, ClientNames, PlexButlerClient, PlexTvClient

# Development setting: the base URL of an emulated plex.tv (API and sign-in page on one host), as
# scripts/develop and the end-to-end tests set it. Read once, when Home Assistant loads the module.
PLEX_TV_URL_VARIABLE: Final = "PLEX_BUTLER_PLEX_TV_URL"
PLEX_TV_URL_OVERRIDE: Final = os.environ.get(PLEX_TV_URL_VARIABLE) or None


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


async def async_create_public_client(hass: HomeAssistant, url: str) -> PlexButlerClient:
    """A client without a token, for what a server tells anyone (`/identity`): discovery."""
    return PlexButlerClient(
        async_get_clientsession(hass), url, None, timeout=REQUEST_TIMEOUT, **await async_client_names(hass)
    )


async def async_create_plex_tv_client(hass: HomeAssistant) -> PlexTvClient:
    """A plex.tv client on Home Assistant's shared session (or on the emulated plex.tv, see above)."""
    names = await async_client_names(hass)
    session = async_get_clientsession(hass)
    if not PLEX_TV_URL_OVERRIDE:
        return PlexTvClient(session, **names, timeout=REQUEST_TIMEOUT)
    base = PLEX_TV_URL_OVERRIDE.rstrip("/")
    return PlexTvClient(
        session, **names, timeout=REQUEST_TIMEOUT, api_url=base, sign_in_page_url=f"{base}/auth"
    )
