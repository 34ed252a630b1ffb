"""The Butler's schedule settings of one server, read apart from its tasks.

Preferences change rarely, produce no notification and are a secondary feature: reading them on their
own slow cycle keeps 130+ settings out of every task poll, and a server that fails to answer
`GET /:/prefs` takes down only the schedule entities, never starting and stopping tasks.
"""

from collections.abc import Mapping
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import ButlerSettings, PlexButlerClient, PlexButlerError
from .const import DOMAIN, LOGGER, POLL_INTERVAL, SETTINGS_POLL_INTERVAL


class PlexButlerSettingsCoordinator(DataUpdateCoordinator[ButlerSettings]):
    """Reads the schedule at setup, after each write and every SETTINGS_POLL_INTERVAL.

    While the server fails to answer, it asks again every POLL_INTERVAL, so the schedule entities
    return soon after the server does. Home Assistant's coordinator logs the failure once and the
    recovery once.
    """

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: PlexButlerClient) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} settings {entry.title}",
            update_interval=SETTINGS_POLL_INTERVAL,
            always_update=False,
        )
        self.client = client

    @override
    async def _async_update_data(self) -> ButlerSettings:
        try:
            settings = await self.client.get_butler_settings()
        except PlexButlerError as err:
            self.update_interval = POLL_INTERVAL
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="settings_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self.update_interval = SETTINGS_POLL_INTERVAL
        return settings

    @callback
    def async_written(self, values: Mapping[str, bool | int | str]) -> None:
        """Show what the server accepted at once, then read it back in the background."""
        if self.data is not None:
            self.async_set_updated_data(self.data.with_values(values))
        # Debounced, so several writes in a row cost one read; the client rides out the server's
        # busy answers after a write, which is why this is not awaited.
        self.config_entry.async_create_task(self.hass, self.async_request_refresh())
