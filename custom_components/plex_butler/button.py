"""Buttons: start or stop every Butler task of a server."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .commands import async_start_all, async_stop_all
from .coordinator import PlexButlerCoordinator
from .entity import PlexButlerEntity
from .runtime import PlexButlerConfigEntry

# Presses of one server's buttons go out one after another (the actions do not queue behind them).
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PlexButlerButtonDescription(ButtonEntityDescription):
    """A button and the command it sends."""

    press_fn: Callable[[PlexButlerCoordinator], Awaitable[None]]


BUTTONS = (
    PlexButlerButtonDescription(key="start_all", translation_key="start_all", press_fn=async_start_all),
    PlexButlerButtonDescription(key="stop_all", translation_key="stop_all", press_fn=async_stop_all),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the two buttons of a server."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(PlexButlerButton(coordinator, description) for description in BUTTONS)


class PlexButlerButton(PlexButlerEntity, ButtonEntity):
    """Start all or stop all."""

    entity_description: PlexButlerButtonDescription

    def __init__(self, coordinator: PlexButlerCoordinator, description: PlexButlerButtonDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @override
    async def async_press(self) -> None:
        """Send the command; the notification socket, or one refresh while it is down, shows the result."""
        await self.entity_description.press_fn(self.coordinator)
