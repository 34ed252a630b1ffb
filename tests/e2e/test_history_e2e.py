"""The run history in a real Home Assistant: logbook rows on the task's switch and the last-run sensor.

Home Assistant with its recorder and logbook (which a plain configuration does not load); a task run
from Home Assistant against the emulator, then the same in German, read through the websocket API.
"""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ..conftest import TOKEN
from ..plex_emulator import PlexEmulator
from ..plex_emulator.server import NOTIFICATIONS_PATH
from . import hass_process
from .hass_process import HassProcess

pytestmark = pytest.mark.e2e

BACKUP = "switch.living_room_plex_back_up_database"
BACKUP_LAST_RUN = "sensor.living_room_plex_back_up_database_last_run"
# The recorder, in a database of its own in the configuration directory, committing at once so the
# logbook reads a run as soon as it ended.
HISTORY_CONFIGURATION = """\
recorder:
  db_url: sqlite:///{database}
  commit_interval: 0
logbook:
"""


def with_logbook(monkeypatch: pytest.MonkeyPatch, config_dir: Path) -> None:
    """Home Assistant's configuration, for whatever it starts in this test, with the recorder and logbook."""
    extra = HISTORY_CONFIGURATION.format(database=config_dir / "home-assistant_v2.db")
    monkeypatch.setattr(hass_process, "CONFIGURATION", hass_process.CONFIGURATION + extra)


@pytest.fixture
async def home_assistant(
    tmp_path: Path, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[HassProcess]:
    """A started Home Assistant with the logbook, stopped afterwards."""
    hass = HassProcess(tmp_path / "config")
    with_logbook(monkeypatch, hass.config_dir)
    await hass.start(session)
    try:
        yield hass
    finally:
        await hass.stop()


async def until[T](
    read: Callable[[], Awaitable[T]], done: Callable[[T], bool], what: str, seconds: float = 20
) -> T:
    """Poll `read` (a coroutine function) until `done` says yes to its result; that result."""
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"{what}: never happened; last read {value!r}"
        await asyncio.sleep(0.2)


async def socket_opened(emulator: PlexEmulator, count: int) -> None:
    """Until Plex Butler opened its `count`-th notification socket, so the run's end is pushed."""

    async def opened() -> int:
        return len(emulator.requests_to("GET", NOTIFICATIONS_PATH))

    await until(opened, lambda n: n >= count, "notification socket")
    await asyncio.sleep(0.2)  # the request is recorded just before the socket is accepted


async def logbook(hass: HassProcess, session: aiohttp.ClientSession, since: datetime) -> list[dict[str, Any]]:
    """The logbook's rows of the backup switch since `since`, oldest first."""
    rows: list[dict[str, Any]] = await hass.ws(
        session, {"type": "logbook/get_events", "start_time": since.isoformat(), "entity_ids": [BACKUP]}
    )
    return rows


def ends(rows: list[dict[str, Any]], word: str) -> list[dict[str, Any]]:
    """The rows of task ends, "<word> (h:mm:ss)"."""
    return [row for row in rows if re.fullmatch(rf"{word} \(\d+:\d\d:\d\d\)", row.get("message", ""))]


@pytest.mark.parametrize(("task_duration", "push_enabled"), [(2.0, True)])
async def test_task_runs_in_the_logbook_and_the_last_run_sensor(
    emulator: PlexEmulator, home_assistant: HassProcess, session: aiohttp.ClientSession
) -> None:
    # The emulator first, so it stops last: Home Assistant reconnects its notification socket at once,
    # which an emulator stopping under it would accept on a closed server.
    hass = home_assistant
    started = time.monotonic()
    await hass.onboard(session)
    since = datetime.now(UTC)
    entry_id = await hass.add_plex_butler(session, emulator.url, TOKEN)
    await socket_opened(emulator, 1)

    # Back up the database from its switch; the emulated run lasts two seconds.
    await hass.post(session, "/api/services/switch/turn_on", {"entity_id": BACKUP})
    rows = await until(
        lambda: logbook(hass, session, since), lambda rows: bool(ends(rows, "Finished")), "English end row"
    )
    (finished,) = ends(rows, "Finished")
    assert finished["name"] == "Living room Plex Back up database"
    assert finished["entity_id"] == BACKUP
    assert finished["domain"] == "plex_butler"
    assert finished["message"] in {f"Finished (0:00:0{seconds})" for seconds in range(1, 6)}
    (start,) = [row for row in rows if row.get("message") == "Started"]
    assert start["name"] == "Living room Plex Back up database"
    assert start["when"] < finished["when"]

    # The last-run sensor: when it ended, how, and who started it.
    sensor = await hass.get(session, f"/api/states/{BACKUP_LAST_RUN}")
    ended = datetime.fromisoformat(sensor["state"])
    assert since <= ended <= datetime.now(UTC)
    assert sensor["attributes"]["device_class"] == "timestamp"
    assert sensor["attributes"]["outcome"] == "finished"
    assert sensor["attributes"]["started_by"] == "home_assistant"
    assert 1.5 <= sensor["attributes"]["duration"] < 6
    assert emulator.butler.completed == ["BackupDatabase"]

    # German as Home Assistant's language; the reloaded entry words its rows anew.
    await hass.ws(session, {"type": "config/core/update", "language": "de"})
    await hass.post(session, f"/api/config/config_entries/entry/{entry_id}/reload")
    await socket_opened(emulator, 2)
    await hass.post(session, "/api/services/switch/turn_on", {"entity_id": BACKUP})
    rows = await until(
        lambda: logbook(hass, session, since),
        lambda rows: len(ends(rows, "Abgeschlossen")) == 2,
        "German end row",
    )
    # The logbook words its rows when it is read: the first run's row is German now too.
    first, second = ends(rows, "Abgeschlossen")
    assert first["when"] == finished["when"]
    assert second["when"] > first["when"]
    assert second["name"] == "Living room Plex Datenbank sichern"
    assert second["entity_id"] == BACKUP
    assert len([row for row in rows if row.get("message") == "Gestartet"]) == 2
    assert not ends(rows, "Finished")

    sensor = await hass.get(session, f"/api/states/{BACKUP_LAST_RUN}")
    assert datetime.fromisoformat(sensor["state"]) > ended
    assert sensor["attributes"]["outcome"] == "finished"
    assert sensor["attributes"]["friendly_name"].endswith("letzter Lauf")
    assert emulator.butler.completed == ["BackupDatabase"] * 2
    print(f"\nhistory end-to-end wall time: {time.monotonic() - started:.1f} s")
