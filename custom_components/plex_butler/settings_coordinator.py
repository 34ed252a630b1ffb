"""The Butler's schedule settings of one server, read apart from its tasks.

Preferences change rarely, produce no notification and are a secondary feature: reading them on their
own slow cycle keeps 130+ settings out of every task poll, and a server that fails to answer
`GET /:/prefs` takes down only the schedule entities, never starting and stopping tasks.
"""

from collections.abc import Mapping
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import ButlerSettings, PlexButlerError
from .const import DOMAIN, LOGGER, POLL_INTERVAL, SETTINGS_POLL_INTERVAL
from .coordinator import PlexButlerCoordinator


class PlexButlerSettingsCoordinator(DataUpdateCoordinator[ButlerSettings]):
    """Reads the schedule at setup, after each write and every SETTINGS_POLL_INTERVAL.

    While the server fails to answer, it asks again every POLL_INTERVAL. It also follows the task
    coordinator, which notices an outage first: the schedule counts as unknown while the server does
    not answer, and is read again as soon as it does. Home Assistant's coordinator logs the failure
    once and the recovery once.
    """

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, server: PlexButlerCoordinator) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} settings {entry.title}",
            update_interval=SETTINGS_POLL_INTERVAL,
            always_update=False,
        )
        self.client = server.client
        self._server = server
        self._server_answers = server.last_update_success

    @property
    def current(self) -> ButlerSettings | None:
        """The schedule as last read; None until it is read, and while it or the server cannot be."""
        if not (self.last_update_success and self._server.last_update_success):
            return None
        return self.data

    @callback
    def async_follow_server(self) -> CALLBACK_TYPE:
        """Go unavailable with the server, and read the schedule again the moment it answers."""

        @callback
        def server_updated() -> None:
            answers = self._server.last_update_success
            if answers == self._server_answers:
                return
            self._server_answers = answers
            if answers:
                # The refresh tells the entities; until it lands they show the last values read.
                self.config_entry.async_create_task(self.hass, self.async_request_refresh())
            else:
                self.async_update_listeners()

        return self._server.async_add_listener(server_updated)

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
