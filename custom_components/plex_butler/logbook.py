"""The logbook names the task: "Back up database: Finished (0:03:20)" on the task's switch.

The event entity's own rows stay; these come from the `plex_butler_task_run` bus event (history.py),
worded in Home Assistant's language from names Plex Butler already has: the switch's name and the
event type's state name, read once per entry setup (never from files in the event loop).
"""

from collections.abc import Callable, Mapping
from typing import Final

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .history import EVENT_TASK_RUN

# The logbook's entry keys (homeassistant.components.logbook would load the logbook, and the recorder,
# with every entry setup).
LOGBOOK_ENTRY_NAME: Final = "name"
LOGBOOK_ENTRY_MESSAGE: Final = "message"
LOGBOOK_ENTRY_ENTITY_ID: Final = "entity_id"
WORDS: HassKey[Mapping[str, str]] = HassKey(f"{DOMAIN}_logbook_words")
STATE_NAME: Final = "component.{domain}.entity.event.butler_task.state_attributes.event_type.state.{kind}"


async def async_load_words(hass: HomeAssistant) -> None:
    """Read the event types' names in Home Assistant's language, for the describer below."""
    hass.data[WORDS] = await async_get_translations(hass, hass.config.language, "entity", {DOMAIN})


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe each task start and end on its task switch."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = event.data
        kind = str(data.get("event_type"))
        words = hass.data.get(WORDS, {})
        said = words.get(STATE_NAME.format(domain=DOMAIN, kind=kind), kind.capitalize())
        duration = data.get("duration")
        if isinstance(duration, int | float):
            said = f"{said} ({_clock(duration)})"
        entity_id = data.get("entity_id")
        state = hass.states.get(entity_id) if isinstance(entity_id, str) else None
        name = state.name if state is not None else str(data.get("task"))
        described = {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: said}
        if isinstance(entity_id, str):
            described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return described

    async_describe_event(DOMAIN, EVENT_TASK_RUN, describe)


def _clock(seconds: float) -> str:
    """A duration as h:mm:ss, which reads the same in every language."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
