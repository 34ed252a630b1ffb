"""The actions: every one, its response data, and each error with its translation key."""

import pytest
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler.api import task_match_key
from custom_components.plex_butler.const import DOMAIN
from custom_components.plex_butler.names import ENGLISH_NAMES

from .conftest import TOKEN
from .plex_emulator import PlexEmulator, TaskSpec


async def test_actions_exist_without_servers(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    for service in (
        "start_task",
        "stop_task",
        "start_all_tasks",
        "stop_all_tasks",
        "list_tasks",
        "set_schedule",
    ):
        assert hass.services.has_service(DOMAIN, service)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "start_all_tasks", {}, blocking=True)
    assert caught.value.translation_key == "config_entry_required"


async def test_start_task_reports_started_then_already_running(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    data = {"config_entry_id": init_integration.entry_id, "task": "BackupDatabase"}
    response = await hass.services.async_call(DOMAIN, "start_task", data, blocking=True, return_response=True)
    assert response == {"result": "started"}
    response = await hass.services.async_call(DOMAIN, "start_task", data, blocking=True, return_response=True)
    assert response == {"result": "already_running"}
    assert len(emulator.requests_to("POST", "/butler/BackupDatabase")) == 2
    assert hass.states.get("switch.living_room_plex_back_up_database").state == STATE_ON


async def test_start_task_without_response(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    # config_entry_id left out: there is one server.
    await hass.services.async_call(DOMAIN, "start_task", {"task": "OptimizeDatabase"}, blocking=True)
    assert emulator.butler.is_running("OptimizeDatabase")


async def test_stop_task(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    response = await hass.services.async_call(
        DOMAIN, "stop_task", {"task": "BackupDatabase"}, blocking=True, return_response=True
    )
    assert response == {"result": "not_running"}
    await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    response = await hass.services.async_call(
        DOMAIN, "stop_task", {"task": "BackupDatabase"}, blocking=True, return_response=True
    )
    assert response == {"result": "stopped"}
    assert emulator.butler.run is None


async def test_start_and_stop_all(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    await hass.services.async_call(DOMAIN, "start_all_tasks", {}, blocking=True)
    assert len(emulator.requests_to("POST", "/butler")) == 1
    assert emulator.butler.run is not None
    await hass.services.async_call(
        DOMAIN, "stop_all_tasks", {"config_entry_id": init_integration.entry_id}, blocking=True
    )
    assert len(emulator.requests_to("DELETE", "/butler")) == 1
    assert emulator.butler.run is None


async def test_list_tasks(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    await hass.services.async_call(DOMAIN, "start_task", {"task": "RefreshLocalMedia"}, blocking=True)
    response = await hass.services.async_call(DOMAIN, "list_tasks", {}, blocking=True, return_response=True)
    tasks = {task["name"]: task for task in response["tasks"]}
    assert len(tasks) == 23
    assert tasks["RefreshLocalMedia"] == {
        "name": "RefreshLocalMedia",
        "label": "Refresh local metadata",
        "title": "Refresh local media",
        "interval_days": 3,
        "scheduled": True,
        "enabled": True,
        "randomized": False,
        "running": True,
        "last_run": None,
        "schedule": {"control": "toggle", "setting": "ButlerTaskRefreshLocalMedia", "value": True},
    }
    assert tasks["RefreshEpgGuides"]["running"] is False
    assert tasks["RefreshEpgGuides"]["randomized"] is True


@pytest.mark.parametrize("task", ["NoSuchTask", "../prefs", "Backup\x00Database", "x" * 10_000])
async def test_unknown_or_hostile_task(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, task: str
) -> None:
    emulator.requests.clear()
    for service in ("start_task", "stop_task"):
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(DOMAIN, service, {"task": task}, blocking=True)
        assert caught.value.translation_key == "unknown_task"
        placeholders = caught.value.translation_placeholders
        assert "BackupDatabase" in placeholders["tasks"]
        assert len(placeholders["task"]) <= 64
        assert placeholders["task"].isprintable()
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Backup database", "BackupDatabase"),
        ("backup_database", "BackupDatabase"),
        ("generate intro markers", "ButlerTaskGenerateIntroMarkers"),
        ("BUTLER_TASK_GENERATE_INTRO_MARKERS", "ButlerTaskGenerateIntroMarkers"),
        ("  refresh-libraries ", "RefreshLibraries"),
        # Plex Butler's English names, which the switches show, as loosely spelled.
        ("Remove unused blobs", "GarbageCollectBlobs"),
        ("remove unused blobs", "GarbageCollectBlobs"),
        ("refresh_metadata", "RefreshPeriodicMetadata"),
        ("Install server update", "AutomaticUpdates"),
    ],
)
async def test_task_names_as_people_type_them(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, typed: str, name: str
) -> None:
    await hass.services.async_call(DOMAIN, "start_task", {"task": typed}, blocking=True)
    assert len(emulator.requests_to("POST", f"/butler/{name}")) == 1
    await hass.services.async_call(DOMAIN, "stop_task", {"task": typed}, blocking=True)
    assert len(emulator.requests_to("DELETE", f"/butler/{name}")) == 1


@pytest.mark.parametrize(
    "typed",
    [
        "Sauvegarder la base de données",
        "Datenbank sichern",
        "switch.living_room_plex_back_up_database",
        "backupdatabase2",
    ],
)
async def test_titles_and_other_words_are_not_names(
    hass: HomeAssistant, init_integration: MockConfigEntry, typed: str
) -> None:
    """Titles in other languages or entity names would make automations break when they change."""
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "start_task", {"task": typed}, blocking=True)


async def test_a_server_name_wins_over_a_name_of_ours(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """A task a server lists under a name that spells one of our English names keeps that name."""
    emulator.set_tasks((*emulator.butler.tasks.values(), TaskSpec("RemoveUnusedBlobs")))
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(DOMAIN, "start_task", {"task": "Remove unused blobs"}, blocking=True)
    assert len(emulator.requests_to("POST", "/butler/RemoveUnusedBlobs")) == 1
    assert emulator.requests_to("POST", "/butler/GarbageCollectBlobs") == []


def test_no_name_of_ours_spells_another_tasks_server_name() -> None:
    server_names = {task_match_key(name): name for name in ENGLISH_NAMES}
    for name, english in ENGLISH_NAMES.items():
        for label in english:
            assert server_names.get(task_match_key(label), name) == name, label


async def test_unknown_entry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, "list_tasks", {"config_entry_id": "nope"}, blocking=True, return_response=True
        )
    assert caught.value.translation_key == "config_entry_not_found"
    assert init_integration.entry_id in caught.value.translation_placeholders["entries"]


async def test_entry_not_loaded(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "start_all_tasks", {}, blocking=True)
    assert caught.value.translation_key == "config_entry_not_loaded"


async def test_several_servers_need_an_entry_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Cabin Plex",
        unique_id="c" * 40,
        data={CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True},
    )
    second.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "start_all_tasks", {}, blocking=True)
    assert caught.value.translation_key == "config_entry_required"
    assert "Living room Plex" in caught.value.translation_placeholders["entries"]
    assert "Cabin Plex" in caught.value.translation_placeholders["entries"]


async def test_unreachable_server_is_a_translated_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.faults.add("/butler", method="POST", drop=True)
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "start_all_tasks", {}, blocking=True)
    assert not isinstance(caught.value, ServiceValidationError)
    assert caught.value.translation_key == "command_failed"
    assert TOKEN not in str(caught.value)


async def test_task_removed_on_server_since_last_poll(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    # We still list it, the server answers 404: a validation error naming the valid tasks.
    emulator.faults.add("/butler/BackupDatabase", method="POST", status=404, times=1)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "start_task", {"task": "BackupDatabase"}, blocking=True)
    assert caught.value.translation_key == "unknown_task"
