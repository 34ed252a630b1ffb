"""Setup, unload, polling, availability, reauth and dynamic tasks."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.plex_butler.const import DOMAIN, POLL_INTERVAL, PUSH_POLL_INTERVAL

from .conftest import MACHINE_ID, TOKEN, settle
from .plex_emulator import NOTIFICATIONS_PATH, REAL_1_43_2_TASKS, PlexEmulator, TaskSpec

BACKUP = "switch.living_room_plex_back_up_database"


async def _poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Move time to the next scheduled poll, whatever the interval is now, and let it finish."""
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    interval = (
        entry.runtime_data.coordinator.update_interval
        if entry.state is ConfigEntryState.LOADED
        else POLL_INTERVAL
    )
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await settle(hass)


def _task_switches(hass: HomeAssistant) -> list[str]:
    return [e for e in hass.states.async_entity_ids("switch") if not e.endswith("_schedule")]


async def test_setup_and_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    assert init_integration.state is ConfigEntryState.LOADED
    assert len(_task_switches(hass)) == 23
    assert len(hass.states.async_entity_ids("button")) == 2

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert all(state.state == STATE_UNAVAILABLE for state in hass.states.async_all())

    # Reload brings everything back under the same ids.
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(BACKUP).state == STATE_OFF


async def test_one_poll_is_two_concurrent_requests(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    # The first tick under a frozen clock fires every timer set before it froze: skip it.
    await _poll(hass, freezer)
    emulator.requests.clear()
    await _poll(hass, freezer)
    # The schedule's settings are not part of it: they have a slow cycle of their own.
    assert sorted(r.path for r in emulator.requests if r.path != NOTIFICATIONS_PATH) == [
        "/activities",
        "/butler",
    ]


async def test_server_down_at_setup_retries(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.faults.add("/butler", status=502)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_unreachable_at_setup_retries(
    hass: HomeAssistant, config_entry: MockConfigEntry, unused_tcp_port: int
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "url": f"http://127.0.0.1:{unused_tcp_port}"}
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_wrong_server_at_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.identity["machineIdentifier"] = "1" * 40
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    assert (
        config_entry.reason
        == "The configured address now leads to a different Plex server; reconfigure the entry"
    )


async def test_bad_token_at_setup_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.rotate_token("rotated")
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_unavailable_then_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.faults.add("/activities", status=500)
    await _poll(hass, freezer)
    assert hass.states.get(BACKUP).state == STATE_UNAVAILABLE
    await _poll(hass, freezer)
    # Logged once when lost, not at every failed poll.
    assert caplog.text.count("Error fetching") == 1

    emulator.faults.clear()
    await _poll(hass, freezer)
    assert hass.states.get(BACKUP).state == STATE_OFF
    assert "recovered" in caplog.text


async def test_token_revoked_later_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    emulator.rotate_token("rotated")
    await _poll(hass, freezer)
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == init_integration.entry_id


async def test_non_admin_token_asks_for_the_owners_token(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A 403 (a valid token without the owner's rights) takes one path: re-authentication, no repair."""
    emulator.faults.add("/butler", status=403)
    await _poll(hass, freezer)
    assert hass.states.get(BACKUP).state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    # Only Home Assistant's own "re-authentication needed" notice, none of ours.
    assert [domain for domain, _ in issue_registry.issues] == ["homeassistant"]
    # The dialog explains that the owner's token is needed, and offers to sign in as the owner.
    result = hass.config_entries.flow.async_get(flows[0]["flow_id"])
    assert result["step_id"] == "reauth"

    emulator.faults.clear()  # the server now accepts the token for the Butler
    await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {"next_step_id": "reauth_confirm"})
    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {"token": TOKEN})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert hass.states.get(BACKUP).state == STATE_OFF
    assert [domain for domain, _ in issue_registry.issues] == []


async def test_tasks_appear_and_disappear(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    # A server upgrade: one task gone, one new, no reload.
    upgraded = tuple(spec for spec in REAL_1_43_2_TASKS if spec.name != "AutomaticUpdates")
    emulator.set_tasks((*upgraded, TaskSpec("GenerateBlurHashes"), TaskSpec("ButlerTaskSummonUnicorns")))
    await _poll(hass, freezer)

    assert entity_registry.async_get_entity_id("switch", DOMAIN, f"{MACHINE_ID}-AutomaticUpdates") is None
    assert hass.states.get("switch.living_room_plex_automatic_updates") is None
    blur = entity_registry.async_get_entity_id("switch", DOMAIN, f"{MACHINE_ID}-GenerateBlurHashes")
    assert blur == "switch.living_room_plex_generate_blur_hashes"
    assert hass.states.get(blur).state == STATE_OFF
    unicorns = hass.states.get("switch.living_room_plex_summon_unicorns")
    assert unicorns is not None
    assert unicorns.attributes["friendly_name"] == "Living room Plex Summon unicorns"
    assert len(_task_switches(hass)) == 24


@pytest.mark.parametrize("task_duration", [0.05])
async def test_task_ending_on_the_server_turns_switch_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    # Started by the server's own schedule, not by us.
    emulator.butler.start("BackupDatabase")
    await _poll(hass, freezer)
    assert hass.states.get("switch.living_room_plex_back_up_database").state == STATE_ON
    # Time is frozen: the emulator's task timer fires with the next poll's tick, then that poll sees it.
    await _poll(hass, freezer)
    await _poll(hass, freezer)
    assert emulator.butler.completed == ["BackupDatabase"]
    assert hass.states.get("switch.living_room_plex_back_up_database").state == STATE_OFF


async def test_idle_polls_write_no_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    before = {state.entity_id: state.last_updated for state in hass.states.async_all()}
    for _ in range(3):
        await _poll(hass, freezer)
    after = {state.entity_id: state.last_updated for state in hass.states.async_all()}
    assert before == after


async def test_unload_leaves_no_listener_or_timer(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    emulator.requests.clear()
    # An hour of timers: no poll, no settings read, no socket reconnect.
    for _ in range(12):
        freezer.tick(PUSH_POLL_INTERVAL)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert emulator.requests == []
