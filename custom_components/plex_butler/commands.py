"""Run one command against a server for a button, a switch or an action, with translated errors.

Entities and actions share this, so a user gets the same message whichever way they asked.
"""

from collections.abc import Awaitable, Callable, Iterable

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    PlexButlerAuthError,
    PlexButlerClient,
    PlexButlerError,
    PlexButlerNotFoundError,
    StartResult,
    StopResult,
)
from .const import DOMAIN
from .coordinator import PlexButlerCoordinator


def task_error(
    coordinator: PlexButlerCoordinator, translation_key: str, task: str, valid: Iterable[str]
) -> ServiceValidationError:
    """A refused task name, echoed safely, with the names that would have been accepted."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders={
            # Hostile input may be huge or hold control characters: echo a short, printable part.
            "task": "".join(char for char in task[:64] if char.isprintable()),
            "server": coordinator.config_entry.title,
            "tasks": ", ".join(sorted(valid)),
        },
    )


def validate_task(coordinator: PlexButlerCoordinator, task: str) -> str:
    """The task name if the server lists it, else an error that names the valid ones."""
    if task not in coordinator.data.tasks:
        raise task_error(coordinator, "unknown_task", task, coordinator.data.tasks)
    return task


async def async_start_task(coordinator: PlexButlerCoordinator, task: str) -> StartResult:
    """Start one task the server lists."""
    validate_task(coordinator, task)
    return await _async_run(
        coordinator, lambda client: client.start_task(task), lambda: coordinator.mark_started(task)
    )


async def async_stop_task(coordinator: PlexButlerCoordinator, task: str) -> StopResult:
    """Stop one task the server lists; stopping an idle one is fine."""
    validate_task(coordinator, task)
    return await _async_run(
        coordinator, lambda client: client.stop_task(task), lambda: coordinator.mark_stopped(task)
    )


async def async_start_all(coordinator: PlexButlerCoordinator) -> None:
    """Start every enabled task of the server."""
    await _async_run(coordinator, lambda client: client.start_all())


async def async_stop_all(coordinator: PlexButlerCoordinator) -> None:
    """Stop every task of the server."""
    await _async_run(coordinator, lambda client: client.stop_all(), coordinator.mark_stopped)


async def async_set_settings(coordinator: PlexButlerCoordinator, values: dict[str, bool | int]) -> None:
    """Change Butler settings in one request, then refresh once."""
    await _async_run(coordinator, lambda client: client.set_settings(values))


async def _async_run[T](
    coordinator: PlexButlerCoordinator,
    command: Callable[[PlexButlerClient], Awaitable[T]],
    on_success: Callable[[], None] | None = None,
) -> T:
    """Send `command` to the server, note its effect, then refresh the coordinator once."""
    server = coordinator.config_entry.title
    try:
        result = await command(coordinator.client)
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
    if on_success is not None:
        on_success()
    await coordinator.async_refresh()
    return result
