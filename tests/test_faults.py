"""Fault and security matrix: a soak of polls under random faults, hostile input, and the token's secrecy.

Marked `faults`; part of scripts/test. Prints what it ran so the figures can go to BENCHMARKS.md.
"""

import json
import logging
import random
from collections import Counter
from unittest.mock import patch

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler.api import PlexButlerClient, PlexButlerResponseError
from custom_components.plex_butler.const import DOMAIN
from custom_components.plex_butler.diagnostics import async_get_config_entry_diagnostics

from .conftest import TOKEN, settle
from .plex_emulator import PlexEmulator

pytestmark = pytest.mark.faults

CYCLES = 300
FAULTS = (
    "timeout",
    "500",
    "502",
    "drop",
    "truncate",
    "malformed",
    "slow",
    "socket_drop",
    "prefs_404",
    "prefs_500",
    "prefs_truncate",
    "busy_write",
    "none",
    "none",
)
WINDOW_START = "number.living_room_plex_maintenance_starts"


@pytest.fixture
def push_enabled() -> bool:
    """The soak drops the notification socket too."""
    return True


# Anything in the log that means an exception escaped to the event loop.
# (Handled failures are logged with their traceback at debug level; those are fine.)
ESCAPED = (
    "Error doing job",
    "Task exception was never retrieved",
    "Unhandled exception",
    "Exception in callback",
)


def _inject(emulator: PlexEmulator, fault: str, rng: random.Random) -> None:
    path = rng.choice(["/butler", "/activities"])
    match fault:
        case "prefs_404" | "prefs_500":
            emulator.faults.add("/:/prefs", method="GET", status=int(fault[-3:]), times=1)
        case "prefs_truncate":
            emulator.faults.add("/:/prefs", method="GET", truncate=True, times=1)
        case "timeout" | "slow":
            emulator.faults.add(path, delay=0.3 if fault == "timeout" else 0.05, times=1)
        case "500" | "502":
            emulator.faults.add(path, status=int(fault), times=1)
        case "drop":
            emulator.faults.add(path, drop=True, times=2)  # aiohttp retries a dropped GET once
        case "truncate":
            emulator.faults.add(path, truncate=True, times=1)
        case "malformed":
            emulator.faults.add(path, body=rng.choice([b"<ButlerTasks><Butl", b"{]", b"\x00\xff"]), times=1)


async def test_soak_with_random_faults(  # noqa: PLR0915 - one soak, read top to bottom
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    caplog: pytest.LogCaptureFixture,
    entity_registry: er.EntityRegistry,
    issue_registry: ir.IssueRegistry,
) -> None:
    caplog.set_level(logging.DEBUG)
    rng = random.Random(20261122)  # noqa: S311 - reproducible fault choice, not cryptography
    entities_before = sorted(
        e.entity_id for e in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
    )
    injected: Counter[str] = Counter()
    recoveries = 0
    failed_before = False
    busy_writes = 0
    with patch("custom_components.plex_butler.clients.REQUEST_TIMEOUT", 0.1):
        # A client built now picks up the short timeout: reload once under the patch.
        assert await hass.config_entries.async_reload(init_integration.entry_id)
        await settle(hass)
        for cycle in range(CYCLES):
            coordinator = init_integration.runtime_data.coordinator
            fault = rng.choice(FAULTS)
            injected[fault] += 1
            settings = init_integration.runtime_data.settings
            if fault == "socket_drop":
                await emulator.drop_websockets()
            elif fault == "busy_write":
                # The server answers 400 to everything for a moment after our write: no error may
                # reach the user and nothing may turn unavailable.
                emulator.faults.busy_after_prefs_write = 0.2
                await hass.services.async_call(
                    "number", "set_value", {"entity_id": WINDOW_START, "value": cycle % 24}, blocking=True
                )
                busy_writes += 1
            else:
                _inject(emulator, fault, rng)
            await coordinator.async_refresh()
            await settings.async_refresh()
            await settle(hass)
            if fault == "busy_write":
                assert coordinator.last_update_success
                assert settings.last_update_success
                emulator.faults.busy_after_prefs_write = 0.0
            if failed_before and coordinator.last_update_success:
                recoveries += 1
            failed_before = not coordinator.last_update_success
            if cycle == CYCLES // 2:
                # A revoked token midway: reauth with the new one, as a user would.
                emulator.rotate_token("rotated-token-9a7")
                await coordinator.async_refresh()
                await settle(hass)
                (flow,) = [
                    f
                    for f in hass.config_entries.flow.async_progress()
                    if f["context"]["source"] == SOURCE_REAUTH
                ]
                await hass.config_entries.flow.async_configure(
                    flow["flow_id"], {"next_step_id": "reauth_confirm"}
                )
                result = await hass.config_entries.flow.async_configure(
                    flow["flow_id"], {"token": "rotated-token-9a7"}
                )
                assert result["reason"] == "reauth_successful"
                await settle(hass)
                injected["401 + reauth"] += 1
                recoveries += 1
        emulator.faults.clear()
        await init_integration.runtime_data.coordinator.async_refresh()
        await init_integration.runtime_data.settings.async_refresh()
        await settle(hass)

    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.coordinator.last_update_success
    entities_after = sorted(
        e.entity_id for e in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
    )
    assert entities_after == entities_before  # nothing lost, nothing duplicated
    enabled = [
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
        if not e.disabled
    ]
    for entity_id in enabled:
        assert hass.states.get(entity_id).state != STATE_UNAVAILABLE, entity_id
    for marker in ESCAPED:
        assert marker not in caplog.text, marker

    # The tokens appear nowhere a user or a bug report could see them.
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    attributes = [dict(state.attributes) for state in hass.states.async_all()]
    issues = [issue.translation_placeholders for issue in issue_registry.issues.values()]
    for secret in (TOKEN, "rotated-token-9a7"):
        assert secret not in caplog.text
        assert secret not in json.dumps(diagnostics, default=str)
        assert secret not in json.dumps(attributes, default=str)
        assert secret not in json.dumps(issues, default=str)
    print(
        f"\nsoak: {CYCLES} cycles, faults injected {sum(injected.values()) - injected['none']} "
        f"({dict(sorted(injected.items()))}), recoveries seen {recoveries}, writes while busy {busy_writes}"
    )


async def test_command_errors_never_carry_the_token(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    messages = []
    for fault in ({"status": 500}, {"drop": True}, {"body": b"x", "status": 418}):
        emulator.faults.add("/butler", method="POST", **fault)
        with pytest.raises(HomeAssistantError) as caught:
            await hass.services.async_call(DOMAIN, "start_all_tasks", {}, blocking=True)
        messages.append(f"{caught.value} {caught.value.translation_placeholders} {caught.value.__cause__!r}")
        emulator.faults.clear()
    assert all(TOKEN not in message for message in messages)


async def test_endless_body_is_cut_off(emulator: PlexEmulator) -> None:
    # 50 MB offered as a chunked stream with no length: the client stops at its 4 MiB cap.
    emulator.faults.add("/butler", stream=50 * 1024 * 1024)
    async with aiohttp.ClientSession() as session:
        client = PlexButlerClient(session, emulator.url, TOKEN)
        with pytest.raises(PlexButlerResponseError, match="too large"):
            await client.get_tasks()
    # Some megabytes sit in socket buffers by the time the client hangs up; far from 50 MB.
    assert 0 < emulator.streamed_bytes < 16 * 1024 * 1024
