"""The servers of Home Assistant's own Plex integration, which Plex Butler can add in one click."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant

CORE_PLEX_DOMAIN: Final = "plex"


@dataclass(frozen=True, slots=True)
class CorePlexServer:
    """A server of Home Assistant's own Plex integration, as its entry stores it."""

    machine_identifier: str
    name: str
    url: str
    token: str
    verify_ssl: bool

    @property
    def data(self) -> dict[str, Any]:
        """The entry data Plex Butler would store for this server."""
        return {CONF_URL: self.url, CONF_TOKEN: self.token, CONF_VERIFY_SSL: self.verify_ssl}


def core_plex_servers(
    hass: HomeAssistant, configured: Collection[str], only: str | None = None
) -> dict[str, CorePlexServer]:
    """Core Plex's servers that have a token and are not `configured`; only `only` when given."""
    servers: dict[str, CorePlexServer] = {}
    for entry in hass.config_entries.async_entries(CORE_PLEX_DOMAIN):
        server = _core_plex_server(entry)
        if server is None or server.machine_identifier in configured:
            continue
        if only in (None, server.machine_identifier):
            servers[server.machine_identifier] = server
    return servers


def _core_plex_server(entry: ConfigEntry) -> CorePlexServer | None:
    """The URL and token a core Plex entry holds, when it holds both (a token only when one was given)."""
    config = entry.data.get("server_config")
    if not entry.unique_id or not isinstance(config, Mapping):
        return None
    url, token = config.get(CONF_URL), config.get(CONF_TOKEN)
    if not isinstance(url, str) or not isinstance(token, str) or not url or not token:
        return None
    return CorePlexServer(
        machine_identifier=entry.unique_id,
        name=entry.title or str(entry.data.get("server") or entry.unique_id),
        url=url,
        token=token,
        # Core stores verify_ssl only for https URLs.
        verify_ssl=bool(config.get(CONF_VERIFY_SSL, True)),
    )
