"""Entities that follow a server's lists: added as their keys appear, removed as they leave."""

from collections.abc import Callable, Collection, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity

from .api import ButlerSettings
from .const import DOMAIN
from .runtime import PlexButlerConfigEntry


class EntitySync:
    """Keeps one platform's entities of one kind in step with a set of keys (unique id suffixes)."""

    def __init__(
        self,
        hass: HomeAssistant,
        platform: str,
        machine_identifier: str,
        add_entities: Callable[[Iterable[Entity]], None],
    ) -> None:
        self._hass = hass
        self._platform = platform
        self._machine_identifier = machine_identifier
        self._add_entities = add_entities
        self.keys: frozenset[str] = frozenset()

    @callback
    def sync(self, keys: Collection[str], build: Callable[[str], Entity]) -> None:
        """Add an entity for each new key and drop the registry entry of each key that left."""
        wanted = frozenset(keys)
        if wanted == self.keys:
            # The usual case on every push event: nothing to build.
            return
        new = [key for key in keys if key not in self.keys]
        gone = self.keys - wanted
        self.keys = wanted
        if new:
            self._add_entities([build(key) for key in new])
        if gone:
            registry = er.async_get(self._hass)
            for key in gone:
                unique_id = f"{self._machine_identifier}-{key}"
                entity_id = registry.async_get_entity_id(self._platform, DOMAIN, unique_id)
                if entity_id is not None:
                    registry.async_remove(entity_id)


@callback
def async_follow_schedule(
    hass: HomeAssistant,
    entry: PlexButlerConfigEntry,
    platform: str,
    add_entities: Callable[[Iterable[Entity]], None],
    keys: Callable[[ButlerSettings], Collection[str]],
    build: Callable[[str], Entity],
) -> None:
    """Keep a platform's schedule entities in step with the server's settings, once they are read.

    While the settings cannot be read, the entities stay (unavailable) rather than being removed.
    """
    settings = entry.runtime_data.settings
    entities = EntitySync(
        hass, platform, entry.runtime_data.coordinator.identity.machine_identifier, add_entities
    )

    @callback
    def sync() -> None:
        if (current := settings.current) is not None:
            entities.sync(keys(current), build)

    sync()
    entry.async_on_unload(settings.async_add_listener(sync))
