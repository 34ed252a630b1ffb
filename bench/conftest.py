"""The benchmarks use the test suite's fixtures (emulator, entry, Home Assistant harness)."""

from collections.abc import AsyncIterator

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import (  # noqa: F401
    auto_enable_custom_integrations,
    config_entry,
    emulator,
    resolver,
    task_duration,
)


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[MockConfigEntry]:
    """The entry, set up, and unloaded before its emulator stops (else its last poll logs an error)."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    yield config_entry
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def push_enabled() -> bool:
    """The benchmarks measure with the notification socket open, as on a real server."""
    return True
