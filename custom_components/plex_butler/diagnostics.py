"""Diagnostics: what a maintainer needs to help, without the token."""

from dataclasses import asdict
from ipaddress import ip_address
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from yarl import URL

from .runtime import PlexButlerConfigEntry

TO_REDACT = {CONF_TOKEN}
REDACTED_HOST = "**REDACTED**"


def _redacted_url(url: str) -> dict[str, Any]:
    """The URL without its host, which says where the user lives, and what kind of host it was.

    Scheme, port, path and host kind answer most "cannot connect" questions (https by IP address
    with verification on, a plex.direct name, a reverse proxy's path).
    """
    parsed = URL(url)
    host = parsed.host or ""
    if host.endswith(".plex.direct"):
        kind = "plex.direct"
    elif _is_ip_address(host):
        kind = "ip address"
    else:
        kind = "host name"
    path = parsed.path.rstrip("/")
    return {"url": f"{parsed.scheme}://{REDACTED_HOST}:{parsed.port}{path}", "host_kind": kind}


def _is_ip_address(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _history(entry: PlexButlerConfigEntry) -> dict[str, Any]:
    """How much is recorded, and the newest runs (times and outcomes only)."""
    history = entry.runtime_data.history
    butler_runs, task_runs = history.query()
    return {
        "butler_runs": len(butler_runs),
        "task_runs": len(task_runs),
        "newest_butler_runs": [run.describe() for run in butler_runs[:3]],
        "newest_task_runs": [run.describe() for run in task_runs[:5]],
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PlexButlerConfigEntry
) -> dict[str, Any]:
    """What support asks first, without the token or the server's host.

    The entry, the server, the socket, the polls, the tasks held as started, the schedule's settings and
    the last state read.
    """
    coordinator = entry.runtime_data.coordinator
    settings = entry.runtime_data.settings
    state = coordinator.data
    interval = coordinator.update_interval
    return {
        "entry": async_redact_data(dict(entry.data), TO_REDACT) | _redacted_url(entry.data[CONF_URL]),
        "server": asdict(coordinator.identity),
        "last_update_success": coordinator.last_update_success,
        "notification_socket_connected": coordinator.listener.connected,
        "poll_interval_seconds": None if interval is None else interval.total_seconds(),
        "tasks": [
            {"name": task.name, "title": task.title, **task.attributes()} for task in state.tasks.values()
        ],
        "running": sorted(state.running),
        "started_from_home_assistant": coordinator.started_tasks(),
        "stopped_from_home_assistant": sorted(state.stopped_from_home_assistant),
        "butler_activities": [asdict(activity) for activity in state.butler_activities],
        "history": _history(entry),
        "schedule": {
            "last_update_success": settings.last_update_success,
            "settings": None
            if settings.data is None
            else [asdict(setting) for setting in settings.data.settings.values()],
        },
    }
