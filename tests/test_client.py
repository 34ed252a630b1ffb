"""The server client against the emulator over loopback: requests, answers, errors, TLS, settings."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import patch

import aiohttp
import pytest

from custom_components.plex_butler.api import (
    MAX_BODY_BYTES,
    PlexButlerAuthError,
    PlexButlerClient,
    PlexButlerConnectionError,
    PlexButlerForbiddenError,
    PlexButlerNotFoundError,
    PlexButlerResponseError,
    PlexButlerSettingError,
    PlexButlerSslError,
    StartResult,
    StopResult,
)

from .conftest import MACHINE_ID, TOKEN
from .plex_emulator import REAL_1_43_2_TASKS, PlexEmulator, TaskSpec
from .plex_emulator.tls import self_signed_context


@pytest.fixture
async def session(emulator: PlexEmulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: PlexEmulator) -> PlexButlerClient:
    return PlexButlerClient(session, emulator.url, TOKEN, timeout=2)


async def test_identity(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    identity = await client.get_identity()
    assert identity.machine_identifier == MACHINE_ID
    assert identity.friendly_name == "Living room Plex"
    assert identity.version == "1.43.2.10687-563d026ea"
    request = emulator.requests_to("GET", "/")[-1]
    assert request.headers["X-Plex-Token"] == TOKEN
    assert request.headers["Accept"] == "application/json"
    for header in ("X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Version", "X-Plex-Platform"):
        assert request.headers[header]
    assert "X-Plex-Token" not in request.query


@pytest.mark.parametrize("answers_json", [True, False], ids=["json", "xml"])
async def test_tasks_in_json_and_xml(
    client: PlexButlerClient, emulator: PlexEmulator, answers_json: bool
) -> None:
    emulator.answers_json = answers_json
    tasks = await client.get_tasks()
    assert [task.name for task in tasks] == [spec.name for spec in REAL_1_43_2_TASKS]
    by_name = {task.name: task for task in tasks}
    backup = by_name["BackupDatabase"]
    assert backup.title == "Backup Database"
    assert backup.description is not None
    assert "backup copy" in backup.description
    assert backup.interval_days == 3
    assert by_name["RefreshEpgGuides"].title == "Refresh EPG guides"
    assert by_name["RefreshEpgGuides"].randomized is True
    assert by_name["ButlerTaskGenerateIntroMarkers"].title == "Generate intro markers"
    assert by_name["AutomaticUpdates"].scheduled is False
    assert by_name["AutomaticUpdates"].description is None


async def test_unknown_task_names_are_normal(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    emulator.set_tasks((TaskSpec("GenerateBlurHashes"), TaskSpec("SomethingPlex2030Adds", interval=2)))
    tasks = await client.get_tasks()
    assert [(task.name, task.title) for task in tasks] == [
        ("GenerateBlurHashes", "Generate blur hashes"),
        ("SomethingPlex2030Adds", "Something plex 2030 adds"),
    ]


async def test_start_stop_and_activities(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    assert await client.get_activities() == []
    assert await client.start_task("OptimizeDatabase") is StartResult.STARTED
    assert await client.start_task("OptimizeDatabase") is StartResult.ALREADY_RUNNING
    # A real run's shape: the parent (no subtitle), and the database's own activity before its child.
    parent, own = await client.get_activities()
    assert (parent.type, parent.title, parent.subtitle, parent.is_butler) == (
        "butler",
        "Butler tasks",
        "",
        True,
    )
    assert (own.type, own.title, own.is_butler) == ("general.db.optimize", "Optimizing database", False)
    assert await client.start_task("BackupDatabase") is StartResult.STARTED
    assert await client.stop_task("OptimizeDatabase") is StopResult.STOPPED
    parent, child = await client.get_activities()
    assert parent.subtitle == ""
    assert (child.type, child.title, child.subtitle) == ("butler", "Butler tasks", "BackupDatabase")
    assert await client.stop_task("BackupDatabase") is StopResult.STOPPED
    assert await client.stop_task("OptimizeDatabase") is StopResult.NOT_RUNNING
    assert [r.path for r in emulator.requests if r.method != "GET"] == [
        "/butler/OptimizeDatabase",
        "/butler/OptimizeDatabase",
        "/butler/BackupDatabase",
        "/butler/OptimizeDatabase",
        "/butler/BackupDatabase",
        "/butler/OptimizeDatabase",
    ]


async def test_start_all_and_stop_all(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    await client.start_all()
    assert emulator.butler.is_running("BackupDatabase")
    assert not emulator.butler.is_running("AutomaticUpdates")  # disabled in the schedule
    await client.stop_all()
    assert emulator.butler.run is None
    assert len(emulator.requests_to("POST", "/butler")) == 1
    assert len(emulator.requests_to("DELETE", "/butler")) == 1


async def test_start_all_inside_window_only_schedules_randomized(
    client: PlexButlerClient, emulator: PlexEmulator
) -> None:
    emulator.butler.in_maintenance_window = True
    await client.start_all()
    assert emulator.butler.scheduled == {
        "ButlerTaskGenerateCreditsMarkers",
        "RefreshEpgGuides",
        "RefreshPeriodicMetadata",
    }
    assert not emulator.butler.is_running("RefreshEpgGuides")


@pytest.mark.parametrize("task_duration", [0.05])
async def test_tasks_end_by_themselves(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    await client.start_task("CleanOldBundles")
    await client.start_task("CleanOldCacheFiles")
    assert (await client.get_activities())[0].progress == 0
    while await client.get_activities():
        await emulator_sleep()
    assert emulator.butler.completed == ["CleanOldBundles", "CleanOldCacheFiles"]


async def emulator_sleep() -> None:
    await asyncio.sleep(0.02)


async def test_unknown_task_is_not_found(client: PlexButlerClient) -> None:
    with pytest.raises(PlexButlerNotFoundError) as caught:
        await client.start_task("NoSuchTask")
    assert caught.value.task == "NoSuchTask"


@pytest.mark.parametrize("name", ["../prefs", "Backup Database", "a/b", "", "x" * 129, "Task?X-Plex-Token=1"])
async def test_bad_task_names_never_reach_the_server(
    client: PlexButlerClient, emulator: PlexEmulator, name: str
) -> None:
    with pytest.raises(PlexButlerNotFoundError):
        await client.start_task(name)
    with pytest.raises(PlexButlerNotFoundError):
        await client.stop_task(name)
    assert emulator.requests == []


async def test_bad_token(session: aiohttp.ClientSession, emulator: PlexEmulator) -> None:
    client = PlexButlerClient(session, emulator.url, "wrong")
    with pytest.raises(PlexButlerAuthError) as caught:
        await client.get_tasks()
    assert caught.value.status == 401
    assert "wrong" not in str(caught.value)


async def test_token_rotation(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    await client.get_tasks()
    emulator.rotate_token("new-token")
    with pytest.raises(PlexButlerAuthError):
        await client.get_tasks()


async def test_forbidden(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    emulator.faults.add("/butler", status=403)
    with pytest.raises(PlexButlerForbiddenError) as caught:
        await client.get_tasks()
    assert caught.value.status == 403


@pytest.mark.parametrize("status", [500, 502, 400])
async def test_server_errors(client: PlexButlerClient, emulator: PlexEmulator, status: int) -> None:
    emulator.faults.add("/activities", status=status, times=1)
    with pytest.raises(PlexButlerResponseError) as caught:
        await client.get_activities()
    assert caught.value.status == status
    assert await client.get_activities() == []


async def test_timeout(session: aiohttp.ClientSession, emulator: PlexEmulator) -> None:
    client = PlexButlerClient(session, emulator.url, TOKEN, timeout=0.2)
    emulator.faults.add("/butler", delay=1.0, times=1)
    with pytest.raises(PlexButlerConnectionError, match="did not answer in time"):
        await client.get_tasks()


async def test_malformed_body(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    emulator.faults.add("/butler", body=b"<ButlerTasks><ButlerTask name=", times=1)
    with pytest.raises(PlexButlerResponseError, match="malformed XML"):
        await client.get_tasks()


async def test_truncated_body(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    emulator.faults.add("/butler", truncate=True, times=1)
    with pytest.raises(PlexButlerResponseError, match="broke off"):
        await client.get_tasks()


async def test_dropped_connection(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    # aiohttp retries an idempotent request once on a reused connection the server closed.
    emulator.faults.add("/butler", drop=True, times=2)
    with pytest.raises(PlexButlerConnectionError):
        await client.get_tasks()
    assert len(await client.get_tasks()) == 23


async def test_oversized_body_is_cut_off(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    emulator.faults.add("/butler", body=b"<" + b"x" * (MAX_BODY_BYTES + 10), times=1)
    with pytest.raises(PlexButlerResponseError, match="too large"):
        await client.get_tasks()


async def test_connection_refused(session: aiohttp.ClientSession, unused_tcp_port: int) -> None:
    client = PlexButlerClient(session, f"http://127.0.0.1:{unused_tcp_port}", TOKEN)
    with pytest.raises(PlexButlerConnectionError, match="Cannot reach") as caught:
        await client.get_identity()
    # Words a person reads, not a class name: "(connect call failed ...)" or "(connection refused)".
    message = str(caught.value)
    assert "Error" not in message
    assert message.startswith(f"Cannot reach the Plex server at 127.0.0.1:{unused_tcp_port}")


async def test_tls_failure_is_an_ssl_error(session: aiohttp.ClientSession, emulator: PlexEmulator) -> None:
    # The emulator speaks plain HTTP: a TLS handshake with it fails as an untrusted server would.
    client = PlexButlerClient(session, emulator.url.replace("http://", "https://"), TOKEN)
    with pytest.raises(PlexButlerConnectionError) as caught:
        await client.get_identity()
    assert isinstance(caught.value, PlexButlerSslError)
    assert "certificate verification off" in str(caught.value)


@pytest.mark.usefixtures("quiet_handshake_failures")
async def test_self_signed_certificate_needs_verification_off(
    session: aiohttp.ClientSession, socket_enabled: None, tmp_path: Path
) -> None:
    """https by IP with the server's own certificate: refused while verified, fine with verify_ssl off."""
    server = PlexEmulator(token=TOKEN)
    await server.start(ssl_context=self_signed_context(tmp_path))
    try:
        assert server.url.startswith("https://127.0.0.1:")
        with pytest.raises(PlexButlerSslError, match="certificate verification off"):
            await PlexButlerClient(session, server.url, TOKEN).get_identity()
        identity = await PlexButlerClient(session, server.url, TOKEN, verify_ssl=False).get_identity()
        assert identity.friendly_name == "Living room Plex"
    finally:
        await server.stop()


@pytest.mark.parametrize("answers_json", [True, False], ids=["json", "xml"])
async def test_settings_read_and_write(
    client: PlexButlerClient, emulator: PlexEmulator, answers_json: bool
) -> None:
    emulator.answers_json = answers_json
    settings = {setting.id: setting for setting in await client.get_settings()}
    assert settings["ButlerStartHour"].value == 2
    assert settings["ButlerTaskBackupDatabase"].value is True
    assert settings["FriendlyName"].value == "Living room Plex"
    await client.set_settings({"ButlerEndHour": 6, "ButlerTaskBackupDatabase": False})
    assert emulator.requests_to("PUT", "/:/prefs")[-1].query == {
        "ButlerEndHour": "6",
        "ButlerTaskBackupDatabase": "false",
    }
    settings = {setting.id: setting for setting in await client.get_settings()}
    assert (settings["ButlerEndHour"].value, settings["ButlerTaskBackupDatabase"].value) == (6, False)


@pytest.mark.parametrize("setting_id", ["a&b=c", "../x", "", "Butler Start"])
async def test_setting_ids_are_validated(
    client: PlexButlerClient, emulator: PlexEmulator, setting_id: str
) -> None:
    with pytest.raises(ValueError, match="not a setting id"):
        await client.set_settings({setting_id: 1})
    assert emulator.requests == []


async def test_unknown_setting_is_refused_by_the_server(client: PlexButlerClient) -> None:
    with pytest.raises(PlexButlerSettingError) as caught:
        await client.set_settings({"NoSuchSetting": 1, "ButlerEndHour": 3})
    assert caught.value.settings == ("NoSuchSetting", "ButlerEndHour")


async def test_busy_after_our_write_is_asked_again(client: PlexButlerClient, emulator: PlexEmulator) -> None:
    emulator.faults.busy_after_prefs_write = 0.3  # a real server answered 400 right after a prefs PUT
    await client.set_settings({"ButlerEndHour": 6})
    tasks = await client.get_tasks()
    assert len(tasks) == 23
    statuses = [status for method, path, status in emulator.responses if path == "/butler"]
    assert statuses[0] == 400
    assert statuses[-1] == 200


async def test_a_400_without_our_write_is_an_error_at_once(
    client: PlexButlerClient, emulator: PlexEmulator
) -> None:
    emulator.faults.add("/butler", status=400)
    with pytest.raises(PlexButlerResponseError, match="HTTP 400"):
        await client.get_tasks()
    assert len(emulator.requests_to("GET", "/butler")) == 1


async def test_busy_that_outlasts_the_retries_is_an_error(
    client: PlexButlerClient, emulator: PlexEmulator
) -> None:
    await client.set_settings({"ButlerEndHour": 6})
    emulator.faults.add("/butler", status=400)
    with (
        patch("custom_components.plex_butler.api.client.BUSY_RETRY_PAUSE", 0.001),
        pytest.raises(PlexButlerResponseError, match="HTTP 400"),
    ):
        await client.get_tasks()
    # Asked again up to BUSY_RETRIES times, then given up.
    assert len(emulator.requests_to("GET", "/butler")) == 11
