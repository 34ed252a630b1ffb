"""README's automation recipes, loaded as written, behave as README says."""

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.plex_butler.const import DOMAIN

from .plex_emulator import PlexEmulator

README = Path(__file__).resolve().parents[1] / "README.md"
EVENT = "event.living_room_plex_butler_task"


def readme_automation(alias: str) -> dict[str, Any]:
    """The automation README writes under `alias`, parsed from its YAML block as a user pastes it."""
    for block in re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL):
        parsed = yaml.safe_load(block)
        if isinstance(parsed, dict):
            for automation in parsed.get(AUTOMATION_DOMAIN, []):
                if automation.get("alias") == alias:
                    return dict(automation)
    raise AssertionError(f"README has no automation {alias!r}")


async def _finish_a_backup(hass: HomeAssistant, emulator: PlexEmulator) -> None:
    done = len(emulator.butler.completed)
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    for _ in range(200):
        state = hass.states.get(EVENT)
        if (
            len(emulator.butler.completed) > done
            and state
            and state.attributes.get("event_type") == "finished"
        ):
            break
        await asyncio.sleep(0.02)
    await hass.async_block_till_done()


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.05, True)])
async def test_backup_finished_fires_once_per_finish_and_never_on_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    notified: list[ServiceCall] = async_mock_service(hass, "notify", "notify")
    automation = readme_automation("Plex backup finished")
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, {AUTOMATION_DOMAIN: [automation]})
    await hass.async_block_till_done()

    # A fresh entry: the event entity has never fired, and the first finish counts.
    await _finish_a_backup(hass, emulator)
    assert len(notified) == 1

    # A reload brings the last event back; it is not a new one.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "finished"
    assert len(notified) == 1

    await _finish_a_backup(hass, emulator)
    assert len(notified) == 2


# The recipe's time trigger waits for 08:00 beyond the test.
@pytest.mark.parametrize("expected_lingering_timers", [True])
@pytest.mark.parametrize(("days_ago", "warned"), [(5, True), (1, False), (None, True)])
async def test_backup_overdue_warns_only_when_the_last_backup_is_old(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    days_ago: int | None,
    warned: bool,
) -> None:
    if days_ago is not None:
        end = dt_util.utcnow() - timedelta(days=days_ago)
        key = f"{DOMAIN}.history.{config_entry.entry_id}"
        run = {"task": "BackupDatabase", "start": None, "end": end.isoformat(), "outcome": "finished"}
        hass_storage[key] = {"version": 1, "key": key, "data": {"butler_runs": [], "task_runs": [run]}}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    notified: list[ServiceCall] = async_mock_service(hass, "notify", "notify")
    automation = readme_automation("Plex backup overdue")
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, {AUTOMATION_DOMAIN: [automation]})
    await hass.async_block_till_done()
    await hass.services.async_call(
        AUTOMATION_DOMAIN,
        "trigger",
        {"entity_id": "automation.plex_backup_overdue", "skip_condition": False},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert len(notified) == (1 if warned else 0)
