"""The actions: start, stop and list Butler tasks from automations and scripts."""

from collections.abc import Awaitable, Callable
from functools import partial

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .commands import (
    async_set_settings,
    async_start_all,
    async_start_task,
    async_stop_all,
    async_stop_task,
    task_error,
)
from .compat import vol
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_END_HOUR,
    ATTR_RESULT,
    ATTR_START_HOUR,
    ATTR_TASK,
    ATTR_TASKS,
    DOMAIN,
    SERVICE_LIST_TASKS,
    SERVICE_SET_SCHEDULE,
    SERVICE_START_ALL_TASKS,
    SERVICE_START_TASK,
    SERVICE_STOP_ALL_TASKS,
    SERVICE_STOP_TASK,
    SETTING_END_HOUR,
    SETTING_START_HOUR,
)
from .coordinator import PlexButlerConfigEntry, PlexButlerCoordinator

SERVER_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
TASK_SCHEMA = SERVER_SCHEMA.extend({vol.Required(ATTR_TASK): cv.string})
# Ranges are checked in the handler, so the error can be a translated one that names the valid values.
SCHEDULE_SCHEMA = SERVER_SCHEMA.extend(
    {
        vol.Optional(ATTR_START_HOUR): vol.Coerce(int),
        vol.Optional(ATTR_END_HOUR): vol.Coerce(int),
        vol.Optional(ATTR_TASKS): vol.Schema({cv.string: cv.boolean}),
    }
)

type Handler = Callable[[PlexButlerCoordinator, ServiceCall], Awaitable[ServiceResponse]]


def _coordinator(hass: HomeAssistant, call: ServiceCall) -> PlexButlerCoordinator:
    """The server an action is for: the one named, or the only one configured."""
    entries: list[PlexButlerConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    choices = ", ".join(f"{entry.entry_id} ({entry.title})" for entry in entries) or "-"
    if entry_id is None:
        if len(entries) != 1:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="config_entry_required",
                translation_placeholders={"entries": choices},
            )
        entry = entries[0]
    else:
        found = next((entry for entry in entries if entry.entry_id == entry_id), None)
        if found is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="config_entry_not_found",
                translation_placeholders={"entry_id": str(entry_id)[:64], "entries": choices},
            )
        entry = found
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="config_entry_not_loaded",
            translation_placeholders={"server": entry.title},
        )
    return entry.runtime_data


async def _start_task(coordinator: PlexButlerCoordinator, call: ServiceCall) -> ServiceResponse:
    result = await async_start_task(coordinator, call.data[ATTR_TASK])
    return {ATTR_RESULT: result.value}


async def _stop_task(coordinator: PlexButlerCoordinator, call: ServiceCall) -> ServiceResponse:
    result = await async_stop_task(coordinator, call.data[ATTR_TASK])
    return {ATTR_RESULT: result.value}


async def _start_all(coordinator: PlexButlerCoordinator, _call: ServiceCall) -> ServiceResponse:
    await async_start_all(coordinator)
    return None


async def _stop_all(coordinator: PlexButlerCoordinator, _call: ServiceCall) -> ServiceResponse:
    await async_stop_all(coordinator)
    return None


async def _list_tasks(coordinator: PlexButlerCoordinator, _call: ServiceCall) -> ServiceResponse:
    state = coordinator.data
    return {
        "tasks": [
            {
                "name": task.name,
                "title": task.title,
                "interval_days": task.interval_days,
                "enabled": task.enabled,
                "randomized": task.randomized,
                "running": task.name in state.running,
            }
            for task in state.tasks.values()
        ]
    }


async def _set_schedule(coordinator: PlexButlerCoordinator, call: ServiceCall) -> ServiceResponse:
    state = coordinator.data
    values: dict[str, bool | int] = {}
    for field, setting_id in ((ATTR_START_HOUR, SETTING_START_HOUR), (ATTR_END_HOUR, SETTING_END_HOUR)):
        if field not in call.data:
            continue
        hour = call.data[field]
        if not 0 <= hour <= 23 or state.hour_setting(setting_id) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_hour",
                translation_placeholders={
                    "field": field,
                    "hour": str(hour),
                    "server": coordinator.config_entry.title,
                },
            )
        values[setting_id] = hour
    for name, scheduled in call.data.get(ATTR_TASKS, {}).items():
        setting = state.schedule_setting(name)
        if setting is None:
            schedulable = [task for task in state.tasks if state.schedule_setting(task) is not None]
            raise task_error(coordinator, "unknown_schedule_task", name, schedulable)
        values[setting.id] = scheduled
    if values:
        await async_set_settings(coordinator, values)
    return None


async def _dispatch(hass: HomeAssistant, handler: Handler, call: ServiceCall) -> ServiceResponse:
    return await handler(_coordinator(hass, call), call)


SERVICES: tuple[tuple[str, vol.Schema, Handler, SupportsResponse], ...] = (
    (SERVICE_START_TASK, TASK_SCHEMA, _start_task, SupportsResponse.OPTIONAL),
    (SERVICE_STOP_TASK, TASK_SCHEMA, _stop_task, SupportsResponse.OPTIONAL),
    (SERVICE_START_ALL_TASKS, SERVER_SCHEMA, _start_all, SupportsResponse.NONE),
    (SERVICE_STOP_ALL_TASKS, SERVER_SCHEMA, _stop_all, SupportsResponse.NONE),
    (SERVICE_LIST_TASKS, SERVER_SCHEMA, _list_tasks, SupportsResponse.ONLY),
    (SERVICE_SET_SCHEDULE, SCHEDULE_SCHEMA, _set_schedule, SupportsResponse.NONE),
)


@callback
def async_register_services(hass: HomeAssistant) -> None:
    """Register the actions once, for every server."""
    for name, schema, handler, supports_response in SERVICES:
        hass.services.async_register(
            DOMAIN,
            name,
            partial(_dispatch, hass, handler),
            schema=schema,
            supports_response=supports_response,
        )
