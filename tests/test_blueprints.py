"""The two blueprints load, validate, and drive the emulator as promised."""

import asyncio
import shutil
from pathlib import Path

import pytest
from homeassistant.components import persistent_notification
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import settle, until
from .plex_emulator import PlexEmulator

BLUEPRINTS = Path(__file__).resolve().parents[1] / "blueprints" / "automation" / "plex_butler"


@pytest.fixture
def installed_blueprints(hass: HomeAssistant) -> None:
    target = Path(hass.config.path("blueprints", "automation", "plex_butler"))
    target.mkdir(parents=True, exist_ok=True)
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        shutil.copy(blueprint, target / blueprint.name)


async def _automation(hass: HomeAssistant, blueprint: str, inputs: dict[str, object]) -> None:
    config = {
        AUTOMATION_DOMAIN: {
            "id": blueprint,
            "alias": blueprint,
            "use_blueprint": {"path": f"plex_butler/{blueprint}.yaml", "input": inputs},
        }
    }
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, config)
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{blueprint}")
    assert state is not None, "the blueprint did not validate"
    assert state.state == "on"


@pytest.mark.parametrize("watch_with", ["players", "plex_sensor"])
@pytest.mark.usefixtures("installed_blueprints")
async def test_pause_during_playback(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, watch_with: str
) -> None:
    """The running tasks stop one by one (scheduled ones stay scheduled) and only they start again."""
    if watch_with == "players":
        watching, idle, playing, paused = "media_player.living_room_tv", "idle", "playing", "paused"
        inputs: dict[str, object] = {"players": [watching]}
    else:
        # Home Assistant's Plex integration counts the people watching.
        watching, idle, playing, paused = "sensor.plex_living_room", "0", "1", "0"
        inputs = {"watching_sensor": watching}
    hass.states.async_set(watching, idle)
    await _automation(
        hass,
        "pause_butler_during_playback",
        {"server": init_integration.entry_id, "resume": True, **inputs},
    )
    emulator.butler.start("BackupDatabase")
    emulator.butler.scheduled.add("RefreshEpgGuides")
    await init_integration.runtime_data.coordinator.async_refresh()

    # Not settle(): the automation waits for the end of playback, and Home Assistant waits for it.
    hass.states.async_set(watching, playing)
    await until(lambda: emulator.butler.run is None)
    assert emulator.requests_to("DELETE", "/butler") == []  # stop all would drop the scheduled ones
    assert len(emulator.requests_to("DELETE", "/butler/BackupDatabase")) == 1
    assert emulator.butler.scheduled == {"RefreshEpgGuides"}

    # More playback changes while it waits start nothing new; the end of playback starts it again.
    hass.states.async_set(watching, playing, {"changed": True})
    await asyncio.sleep(0.1)
    assert emulator.requests_to("POST", "/butler/BackupDatabase") == []
    hass.states.async_set(watching, paused)
    await until(lambda: len(emulator.requests_to("POST", "/butler/BackupDatabase")) == 1)
    await settle(hass)
    assert emulator.butler.is_running("BackupDatabase")
    assert emulator.requests_to("POST", "/butler") == []
    assert len(emulator.requests_to("DELETE", "/butler/BackupDatabase")) == 1


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.05, True)])
@pytest.mark.usefixtures("installed_blueprints")
async def test_run_tasks_and_notify(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    assert await async_setup_component(hass, "persistent_notification", {})
    await _automation(
        hass,
        "run_tasks_and_notify",
        {
            "server": init_integration.entry_id,
            "tasks": ["BackupDatabase", "OptimizeDatabase"],
            "start_triggers": [{"trigger": "event", "event_type": "download_finished"}],
        },
    )
    hass.bus.async_fire("download_finished")
    await settle(hass)
    assert len(emulator.requests_to("POST", "/butler/BackupDatabase")) == 1
    assert len(emulator.requests_to("POST", "/butler/OptimizeDatabase")) == 1

    # The emulator runs both (50 ms each) and its notification socket reports the end of the run.
    for _ in range(200):
        if _notified(hass):
            break
        await asyncio.sleep(0.02)
    assert emulator.butler.completed == ["BackupDatabase", "OptimizeDatabase"]
    assert _notified(hass)


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(0.6, True), (0.6, False)])
@pytest.mark.usefixtures("installed_blueprints")
async def test_run_tasks_and_notify_waits_through_a_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """Names as the switches show them; a reload mid-run is no "done"."""
    assert await async_setup_component(hass, "persistent_notification", {})
    tasks = ["Backup database", "optimize_database"]
    await _automation(
        hass,
        "run_tasks_and_notify",
        {
            "server": init_integration.entry_id,
            "tasks": tasks,
            "start_triggers": [{"trigger": "event", "event_type": "download_finished"}],
        },
    )
    hass.bus.async_fire("download_finished")
    # Reload while the second task runs (not async_block_till_done: it waits for the emulator's run).
    for _ in range(200):
        run = emulator.butler.run
        if run is not None and run.current == "OptimizeDatabase":
            break
        await asyncio.sleep(0.01)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    assert emulator.butler.completed == ["BackupDatabase"]
    assert not _notified(hass, tasks)

    for _ in range(300):
        if _notified(hass, tasks):
            break
        await asyncio.sleep(0.02)
        if not _notified(hass, tasks) and len(emulator.butler.completed) == 2:
            # Polling (no socket) sees the end at the next poll: ask for it now.
            await init_integration.runtime_data.coordinator.async_refresh()
    assert emulator.butler.completed == ["BackupDatabase", "OptimizeDatabase"]
    assert _notified(hass, tasks)


def _notified(hass: HomeAssistant, tasks: list[str] | None = None) -> bool:
    message = "Finished: " + ", ".join(tasks or ["BackupDatabase", "OptimizeDatabase"])
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    return any(n["message"] == message for n in notifications.values())
