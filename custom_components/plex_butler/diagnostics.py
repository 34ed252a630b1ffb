"""Diagnostics: what a maintainer needs to help, without the token."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .coordinator import PlexButlerConfigEntry

TO_REDACT = {CONF_TOKEN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PlexButlerConfigEntry
) -> dict[str, Any]:
    """The entry's settings (token redacted), the server's identity and the last state read."""
    coordinator = entry.runtime_data
    state = coordinator.data
    return {
        # The stored URL is normalized: it never carries a query, so no token can hide in it.
        "entry": async_redact_data(dict(entry.data), TO_REDACT),
        "server": asdict(coordinator.identity),
        "last_update_success": coordinator.last_update_success,
        "tasks": [asdict(task) for task in state.tasks.values()],
        "running": sorted(state.running),
        "butler_activity": None if state.butler_activity is None else asdict(state.butler_activity),
    }
