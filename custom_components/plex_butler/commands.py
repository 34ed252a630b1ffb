"""Run one command against a server for a button, a switch, a select, a number or an action.

Entities and actions share this, so a user gets the same message whichever way they asked, and every
command is followed the same way: by the notification socket while it is up, else by one refresh.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    PlexButlerAuthError,
    PlexButlerClient,
    PlexButlerError,
    PlexButlerNotFoundError,
    PlexButlerSettingError,
    StartResult,
    StopResult,
    task_match_key,
)
from .const import DOMAIN
from .coordinator import PlexButlerCoordinator
from .names import ENGLISH_NAMES
from .runtime import PlexButlerData


def task_error(
    coordinator: PlexButlerCoordinator, translation_key: str, task: str, valid: Iterable[str]
) -> ServiceValidationError:
    """A refused task name, echoed safely, with the names that would have been accepted."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders={
            "task": printable(task),
            "server": coordinator.config_entry.title,
            "tasks": ", ".join(sorted(valid)),
        },
    )


def printable(text: object) -> str:
    """Hostile input may be huge or hold control characters: a short, printable part of it."""
    return "".join(char for char in str(text)[:64] if char.isprintable())


def resolve_task(coordinator: PlexButlerCoordinator, task: str) -> str | None:
    """The server's name of the task `task` spells, or None.

    The server's names come first, then Plex Butler's English names ("Remove unused blobs" is
    GarbageCollectBlobs); case, spaces, underscores and the ButlerTask prefix do not matter. Names in
    other languages and renamed entities are not names: they change.
    """
    tasks = coordinator.data.tasks
    if task in tasks:
        return task
    wanted = task_match_key(str(task))
    for spellings in (lambda name: (name,), lambda name: ENGLISH_NAMES.get(name, ())):
        matches = [name for name in tasks if any(task_match_key(s) == wanted for s in spellings(name))]
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


def validate_task(coordinator: PlexButlerCoordinator, task: str) -> str:
    """The server's name of the task `task` spells, else an error that names the valid ones."""
    name = resolve_task(coordinator, task)
    if name is None:
        raise task_error(coordinator, "unknown_task", task, coordinator.data.tasks)
    return name


async def async_start_task(coordinator: PlexButlerCoordinator, task: str) -> StartResult:
    """Start one task the server lists."""
    task = validate_task(coordinator, task)
    result = await _async_send(coordinator, lambda client: client.start_task(task))
    # 200 started it and 202 found it running: either way it runs now.
    coordinator.mark_started(task)
    await coordinator.async_after_command()
    return result


async def async_stop_task(coordinator: PlexButlerCoordinator, task: str) -> StopResult:
    """Stop one task the server lists; stopping an idle one is fine."""
    task = validate_task(coordinator, task)
    # Noted before the request leaves: the socket may report the run's end before the answer.
    coordinator.intend_stop(task)
    try:
        result = await _async_send(coordinator, lambda client: client.stop_task(task))
    finally:
        coordinator.drop_stop_intent(task)
    coordinator.mark_stopped(task)
    await coordinator.async_after_command()
    return result


async def async_start_all(coordinator: PlexButlerCoordinator) -> None:
    """Start every enabled task of the server; the socket or a refresh tells which run."""
    await _async_send(coordinator, lambda client: client.start_all())
    coordinator.mark_started_all()
    await coordinator.async_after_command()


async def async_stop_all(coordinator: PlexButlerCoordinator) -> None:
    """Stop every task of the server."""
    coordinator.intend_stop()
    try:
        await _async_send(coordinator, lambda client: client.stop_all())
    finally:
        coordinator.drop_stop_intent()
    coordinator.mark_stopped()
    await coordinator.async_after_command()


async def async_set_settings(data: PlexButlerData, values: Mapping[str, bool | int | str]) -> None:
    """Change schedule settings in one request; the entities show the written values at once."""
    coordinator = data.coordinator
    try:
        await _async_send(coordinator, lambda client: client.set_settings(values))
    except PlexButlerSettingError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="setting_refused",
            translation_placeholders={
                "server": coordinator.config_entry.title,
                "settings": ", ".join(printable(setting) for setting in err.settings),
            },
        ) from err
    data.settings.async_written(values)
    await coordinator.async_after_command()


async def _async_send[T](
    coordinator: PlexButlerCoordinator, command: Callable[[PlexButlerClient], Awaitable[T]]
) -> T:
    """Send `command` to the server, turning client errors into translated Home Assistant errors."""
    server = coordinator.config_entry.title
    try:
        return await command(coordinator.client)
    except PlexButlerSettingError:
        # Its message names the settings; the caller words it.
        raise
    except PlexButlerAuthError as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_auth_failed",
            translation_placeholders={"server": server},
        ) from err
    except PlexButlerNotFoundError as err:
        raise task_error(coordinator, "unknown_task", err.task, coordinator.data.tasks) from err
    except PlexButlerError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"server": server, "error": str(err)},
        ) from err
