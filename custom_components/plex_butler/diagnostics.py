"""Diagnostics: what a maintainer needs to help, without the token."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant

from .runtime import PlexButlerConfigEntry

# The URL carries no token (it is stored normalized, without a query) but says where the user lives.
TO_REDACT = {CONF_TOKEN, CONF_URL}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PlexButlerConfigEntry
) -> dict[str, Any]:
    """The entry's settings (token redacted), the server's identity and the last state read."""
    coordinator = entry.runtime_data.coordinator
    settings = entry.runtime_data.settings
    state = coordinator.data
    interval = coordinator.update_interval
    return {
        "entry": async_redact_data(dict(entry.data), TO_REDACT),
        "url_scheme": coordinator.client.base_url.scheme,
        "server": asdict(coordinator.identity),
        "last_update_success": coordinator.last_update_success,
        "notification_socket_connected": coordinator.listener.connected,
        "poll_interval_seconds": None if interval is None else interval.total_seconds(),
        "tasks": [asdict(task) for task in state.tasks.values()],
        "running": sorted(state.running),
        "butler_activities": [asdict(activity) for activity in state.butler_activities],
        "schedule": {
            "last_update_success": settings.last_update_success,
            "settings": None
            if settings.data is None
            else [asdict(setting) for setting in settings.data.settings.values()],
        },
    }
