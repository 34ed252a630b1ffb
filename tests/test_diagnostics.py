"""Diagnostics: a snapshot, and no token anywhere in it."""

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.plex_butler.diagnostics import _redacted_url

from .conftest import TOKEN


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    await hass.services.async_call("plex_butler", "start_task", {"task": "BackupDatabase"}, blocking=True)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert TOKEN not in json.dumps(diagnostics)
    assert "127.0.0.1" not in json.dumps(diagnostics)
    for activity in diagnostics["butler_activities"]:
        activity["uuid"] = "<uuid>"
    assert diagnostics["schedule"]["last_update_success"] is True
    # The questions support asks first: is the socket up, how often is it polling, what is held as started.
    assert diagnostics["entry"]["url"].startswith("http://**REDACTED**:")
    assert diagnostics["entry"]["host_kind"] == "ip address"
    assert diagnostics["notification_socket_connected"] is False
    assert diagnostics["poll_interval_seconds"] == 30
    (started,) = diagnostics["started_from_home_assistant"]
    assert started["task"] == "BackupDatabase"
    assert started["run_seen"] is True
    assert 0 <= started.pop("age_seconds") < 10
    # The port of the emulator changes with every run, and so do the times of the runs recorded.
    diagnostics["entry"]["url"] = "http://**REDACTED**:<port>"
    history = diagnostics["history"]
    assert (history["butler_runs"], history["task_runs"]) == (1, 1)
    for run in (*history["newest_butler_runs"], *history["newest_task_runs"]):
        for key in ("start", "end", "last_seen_open", "own_activity_start"):
            if run.get(key) is not None:
                run[key] = "<time>"
    assert diagnostics == snapshot


def test_host_kinds() -> None:
    assert _redacted_url("https://10-0-0-2.abc123.plex.direct:32400") == {
        "url": "https://**REDACTED**:32400",
        "host_kind": "plex.direct",
    }
    assert _redacted_url("https://plex.example.org:443/plex")["host_kind"] == "host name"
    assert _redacted_url("https://plex.example.org:443/plex")["url"] == "https://**REDACTED**:443/plex"
    assert _redacted_url("http://[fd00::2]:32400")["host_kind"] == "ip address"
