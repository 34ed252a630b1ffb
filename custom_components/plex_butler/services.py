"""The actions: start, stop and list Butler tasks from automations and scripts."""

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .api import SETTING_END_HOUR, SETTING_START_HOUR, ButlerSettings, ScheduleControl
from .commands import (
    async_set_settings,
    async_start_all,
    async_start_task,
    async_stop_all,
    async_stop_task,
    printable,
    resolve_task,
    task_error,
)
from .compat import vol
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_END_HOUR,
    ATTR_RESULT,
    ATTR_SINCE,
    ATTR_START_HOUR,
    ATTR_TASK,
    ATTR_TASKS,
    DOMAIN,
    SERVICE_GET_HISTORY,
    SERVICE_LIST_TASKS,
    SERVICE_SET_SCHEDULE,
    SERVICE_START_ALL_TASKS,
    SERVICE_START_TASK,
    SERVICE_STOP_ALL_TASKS,
    SERVICE_STOP_TASK,
)
from .coordinator import PlexButlerCoordinator
from .history import TaskRunRecord
from .names import english_name
from .runtime import PlexButlerConfigEntry, PlexButlerData

SERVER_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
TASK_SCHEMA = SERVER_SCHEMA.extend({vol.Required(ATTR_TASK): cv.string})
# Ranges are checked in the handler, so the error can be a translated one that names the valid values.
SCHEDULE_SCHEMA = SERVER_SCHEMA.extend(
    {
        vol.Optional(ATTR_START_HOUR): vol.Coerce(int),
        vol.Optional(ATTR_END_HOUR): vol.Coerce(int),
        # true/false for a toggled task, a behaviour (never, scheduled, asap) for the others: the
        # handler knows which the server has and names the valid values when refusing.
        vol.Optional(ATTR_TASKS): vol.Schema({cv.string: vol.Any(bool, str, int)}),
    }
)

HISTORY_SCHEMA = SERVER_SCHEMA.extend(
    {vol.Optional(ATTR_TASK): cv.string, vol.Optional(ATTR_SINCE): cv.datetime}
)

type Handler = Callable[[PlexButlerData, ServiceCall], Awaitable[ServiceResponse]]


def _server(hass: HomeAssistant, call: ServiceCall) -> PlexButlerData:
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


async def _start_task(data: PlexButlerData, call: ServiceCall) -> ServiceResponse:
    result = await async_start_task(data.coordinator, call.data[ATTR_TASK])
    return {ATTR_RESULT: result.value}


async def _stop_task(data: PlexButlerData, call: ServiceCall) -> ServiceResponse:
    result = await async_stop_task(data.coordinator, call.data[ATTR_TASK])
    return {ATTR_RESULT: result.value}


async def _start_all(data: PlexButlerData, _call: ServiceCall) -> ServiceResponse:
    await async_start_all(data.coordinator)
    return None


async def _stop_all(data: PlexButlerData, _call: ServiceCall) -> ServiceResponse:
    await async_stop_all(data.coordinator)
    return None


def _schedule_of(settings: ButlerSettings | None, task: str) -> dict[str, Any]:
    """How a task is put in the maintenance window: by a toggle, a behaviour, or not at all."""
    if settings is None:
        # The server has not given its settings lately.
        return {"control": None}
    schedule = settings.schedule(task)
    if schedule.setting is None:
        return {"control": ScheduleControl.NONE.value}
    described: dict[str, Any] = {
        "control": schedule.control.value,
        "setting": schedule.setting.id,
        "value": schedule.setting.value,
    }
    if schedule.control is ScheduleControl.BEHAVIOUR:
        described["options"] = list(schedule.setting.enum_keys)
    return described


async def _list_tasks(data: PlexButlerData, _call: ServiceCall) -> ServiceResponse:
    state = data.coordinator.data
    settings = data.settings.current
    return {
        "tasks": [
            {
                "name": task.name,
                "label": english_name(task.name),
                "title": task.title,
                **task.attributes(),
                # 0.1.0's name for `scheduled`; deprecated, kept for this release.
                "enabled": task.scheduled,
                "running": task.name in state.running,
                "last_run": _last_run(data.history.last_task_run(task.name)),
                "schedule": _schedule_of(settings, task.name),
            }
            for task in state.tasks.values()
        ]
    }


def _last_run(run: TaskRunRecord | None) -> dict[str, Any] | None:
    if run is None:
        return None
    described = run.describe()
    return {key: described[key] for key in ("start", "end", "duration", "outcome")}


async def _get_history(data: PlexButlerData, call: ServiceCall) -> ServiceResponse:
    task = call.data.get(ATTR_TASK)
    if task is not None:
        # Spelled as for start_task; a task the server no longer lists may still have runs.
        task = resolve_task(data.coordinator, task) or task
    since = call.data.get(ATTR_SINCE)
    if since is not None:
        since = dt_util.as_utc(
            since if since.tzinfo else since.replace(tzinfo=dt_util.get_default_time_zone())
        )
    butler_runs, task_runs = data.history.query(task, since)
    return {
        "butler_runs": [run.describe() for run in butler_runs],
        "task_runs": [run.describe() for run in task_runs],
    }


def _schedule_settings(data: PlexButlerData) -> ButlerSettings:
    """The schedule as last read; refused with a translated error while the server withholds it."""
    settings = data.settings.current
    if settings is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="schedule_unavailable",
            translation_placeholders={"server": data.coordinator.config_entry.title},
        )
    return settings


def _hour_values(data: PlexButlerData, settings: ButlerSettings, call: ServiceCall) -> dict[str, int]:
    values: dict[str, int] = {}
    for field, setting_id in ((ATTR_START_HOUR, SETTING_START_HOUR), (ATTR_END_HOUR, SETTING_END_HOUR)):
        if field not in call.data:
            continue
        hour = call.data[field]
        low, high = settings.hour_range(setting_id)
        if settings.hour(setting_id) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_window_setting",
                translation_placeholders={"field": field, "server": data.coordinator.config_entry.title},
            )
        if not low <= hour <= high:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_hour",
                translation_placeholders={
                    "field": field,
                    "hour": str(hour),
                    "low": str(low),
                    "high": str(high),
                },
            )
        values[setting_id] = hour
    return values


def _task_value(
    coordinator: PlexButlerCoordinator, settings: ButlerSettings, task: str, value: object
) -> tuple[str, bool | str]:
    """The setting and value that schedule `task` as asked, or an error naming the valid values.

    true/false writes the task's toggle wherever it has one, also when a behaviour governs the task
    (0.1.0 wrote toggles only; the response's `governed_by` says which setting counts).
    """
    schedule = settings.schedule(task)
    if schedule.setting is None:
        schedulable = [name for name in coordinator.data.tasks if settings.schedule(name).setting is not None]
        raise task_error(coordinator, "unknown_schedule_task", task, schedulable)
    valid: list[str] = []
    if (toggle := settings.toggle(task)) is not None:
        valid += ["true", "false"]
        try:
            return toggle.id, cv.boolean(value)
        except vol.Invalid:
            pass
    if (behaviour := settings.behaviour(task)) is not None:
        valid += behaviour.enum_keys
        if isinstance(value, str) and value in behaviour.enum_keys:
            return behaviour.id, value
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_schedule_value",
        translation_placeholders={"task": task, "value": _as_typed(value), "values": ", ".join(valid)},
    )


def _as_typed(value: object) -> str:
    """A value as it is written in YAML: true, not Python's True."""
    return json.dumps(value) if isinstance(value, bool) or value is None else printable(value)


async def _set_schedule(data: PlexButlerData, call: ServiceCall) -> ServiceResponse:
    settings = _schedule_settings(data)
    values: dict[str, bool | int | str] = dict(_hour_values(data, settings, call))
    governed_by: dict[str, JsonValueType] = {}
    for typed, value in call.data.get(ATTR_TASKS, {}).items():
        # Spelled as loosely as for start_task; a name the server does not list may still have a setting.
        task = resolve_task(data.coordinator, typed) or typed
        setting_id, setting_value = _task_value(data.coordinator, settings, task, value)
        values[setting_id] = setting_value
        governing = settings.schedule(task).setting
        if governing is not None:
            governed_by[task] = governing.id
    if values:
        await async_set_settings(data, values)
    written: dict[str, JsonValueType] = dict(values)
    return {"written": written, "governed_by": governed_by}


async def _dispatch(hass: HomeAssistant, handler: Handler, call: ServiceCall) -> ServiceResponse:
    return await handler(_server(hass, call), call)


SERVICES: tuple[tuple[str, vol.Schema, Handler, SupportsResponse], ...] = (
    (SERVICE_START_TASK, TASK_SCHEMA, _start_task, SupportsResponse.OPTIONAL),
    (SERVICE_STOP_TASK, TASK_SCHEMA, _stop_task, SupportsResponse.OPTIONAL),
    (SERVICE_START_ALL_TASKS, SERVER_SCHEMA, _start_all, SupportsResponse.NONE),
    (SERVICE_STOP_ALL_TASKS, SERVER_SCHEMA, _stop_all, SupportsResponse.NONE),
    (SERVICE_LIST_TASKS, SERVER_SCHEMA, _list_tasks, SupportsResponse.ONLY),
    (SERVICE_SET_SCHEDULE, SCHEDULE_SCHEMA, _set_schedule, SupportsResponse.OPTIONAL),
    (SERVICE_GET_HISTORY, HISTORY_SCHEMA, _get_history, SupportsResponse.ONLY),
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
