"""Benchmarks: cost and latency figures, printed, never asserted on. Run with scripts/bench.

Each function measures one thing against the emulator on 127.0.0.1 inside Home Assistant's test
harness and prints a table row. PLEX_BUTLER_BENCH_ROUNDS scales the repetitions (--quick: 5).
"""

import asyncio
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import aiohttp
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL, EVENT_STATE_CHANGED
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler import history as history_module
from custom_components.plex_butler.const import (
    DOMAIN,
    POLL_INTERVAL,
    PUSH_POLL_INTERVAL,
    SETTINGS_POLL_INTERVAL,
)
from custom_components.plex_butler.history import SAVE_DELAY_SECONDS, RunHistory
from tests.conftest import TOKEN
from tests.plex_emulator import REAL_1_43_2_TASKS, PlexEmulator, TaskSpec

ROUNDS = int(os.environ.get("PLEX_BUTLER_BENCH_ROUNDS", "50"))


def row(name: str, value: str, target: str = "") -> None:
    print(f"| {name} | {value} | {target} |", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def synthetic_tasks(count: int) -> tuple[TaskSpec, ...]:
    return tuple(TaskSpec(f"BenchTask{index:04d}", interval=1 + index % 7) for index in range(count))


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError
        await asyncio.sleep(0)


async def add_entry(
    hass: HomeAssistant, emulator: PlexEmulator, unique_id: str, title: str
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=unique_id,
        data={CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def server_with_tasks(
    hass: HomeAssistant, count: int
) -> tuple[PlexEmulator, tuple[TaskSpec, ...], MockConfigEntry]:
    """An emulated server with `count` tasks (the real 23, or synthetic ones) and its loaded entry."""
    tasks = REAL_1_43_2_TASKS if count == 23 else synthetic_tasks(count)
    emulator = PlexEmulator(token=TOKEN, tasks=tasks, task_duration=300)
    emulator.identity["machineIdentifier"] = f"{count:040d}"
    await emulator.start()
    entry = await add_entry(hass, emulator, f"{count:040d}", f"{count} tasks")
    return emulator, tasks, entry


async def test_requests_and_writes_per_cycle(hass: HomeAssistant, socket_enabled: None) -> None:
    for count in (23, 500):
        emulator, _, entry = await server_with_tasks(hass, count)
        coordinator = entry.runtime_data.coordinator
        writes: list[object] = []
        unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, writes.append)
        emulator.requests.clear()
        for _ in range(10):
            await coordinator.async_refresh()
            await hass.async_block_till_done()
        polls = [r for r in emulator.requests if r.path != "/:/websockets/notifications"]
        row(f"HTTP requests per poll, {count} tasks", f"{len(polls) / 10:.1f}", "small constant")
        row(f"state_changed per idle poll, {count} tasks", f"{len(writes) / 10:.1f}", "0")
        unsubscribe()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await emulator.stop()


async def test_action_latency(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """From service call to the emulator receiving the command, against a bare aiohttp request."""
    received: list[float] = []
    original = emulator.butler.start

    def stamp(name: str) -> bool:
        received.append(time.perf_counter())
        return original(name)

    emulator.butler.start = stamp  # type: ignore[method-assign]
    integration: list[float] = []
    for _ in range(ROUNDS):
        before = time.perf_counter()
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": "switch.living_room_plex_optimize_database"}, blocking=True
        )
        integration.append(received[-1] - before)
        await emulator.butler.stop_all()
    bare: list[float] = []
    async with aiohttp.ClientSession() as session:
        for _ in range(ROUNDS):
            before = time.perf_counter()
            async with session.post(
                f"{emulator.url}/butler/OptimizeDatabase", headers={"X-Plex-Token": TOKEN}
            ) as response:
                await response.read()
            bare.append(received[-1] - before)
            await emulator.butler.stop_all()
    ratio = statistics.median(integration) / statistics.median(bare)
    row(
        "switch.turn_on -> emulator receives POST (median / p95)",
        f"{statistics.median(integration) * 1000:.2f} / {percentile(integration, 0.95) * 1000:.2f} ms",
    )
    row(
        "bare aiohttp POST -> emulator receives it (median / p95)",
        f"{statistics.median(bare) * 1000:.2f} / {percentile(bare, 0.95) * 1000:.2f} ms",
    )
    row("ratio of medians", f"{ratio:.2f}", "<= 1.5")


async def test_push_latency(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """From the emulator emitting an activity notification to the switch's state changing."""
    await until(lambda: init_integration.runtime_data.coordinator.listener.connected)
    entity_id = "switch.living_room_plex_optimize_database"
    changed: list[float] = []

    def on_change(event: object) -> None:
        if getattr(event, "data", {}).get("entity_id") == entity_id:
            changed.append(time.perf_counter())

    hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    latencies: list[float] = []
    requests_before = len(emulator.requests)
    for _ in range(ROUNDS):
        count = len(changed)
        emitted = time.perf_counter()
        emulator.butler.start("OptimizeDatabase")
        await until(lambda seen=count: len(changed) > seen)
        latencies.append(changed[-1] - emitted)
        count = len(changed)
        await emulator.butler.stop_all()
        await until(lambda seen=count: len(changed) > seen)
    row(
        "activity notification -> switch state (median / p95)",
        f"{statistics.median(latencies) * 1000:.2f} / {percentile(latencies, 0.95) * 1000:.2f} ms",
        "< 50 ms",
    )
    row("HTTP requests during those pushes", str(len(emulator.requests) - requests_before), "0")


async def test_requests_per_action_and_per_idle_hour(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    """HTTP requests each control costs, with the notification socket up and down, and when idle."""
    coordinator = init_integration.runtime_data.coordinator
    settings = init_integration.runtime_data.settings
    actions: list[tuple[str, str, str, dict[str, object]]] = [
        ("task switch on", "switch", "turn_on", {"entity_id": "switch.living_room_plex_optimize_database"}),
        ("task switch off", "switch", "turn_off", {"entity_id": "switch.living_room_plex_optimize_database"}),
        ("start all", "button", "press", {"entity_id": "button.living_room_plex_start_all_tasks"}),
        ("stop all", "button", "press", {"entity_id": "button.living_room_plex_stop_all_tasks"}),
        (
            "behaviour select",
            "select",
            "select_option",
            {"entity_id": "select.living_room_plex_generate_intro_markers_schedule", "option": "never"},
        ),
        (
            "window hour",
            "number",
            "set_value",
            {"entity_id": "number.living_room_plex_maintenance_starts", "value": 3},
        ),
    ]
    for socket in ("up", "down"):
        if socket == "up":
            await until(lambda: coordinator.listener.connected)
        else:
            emulator.faults.websocket_status = 503
            await emulator.drop_websockets()
            await until(lambda: not coordinator.listener.connected)
            await hass.async_block_till_done()
            await asyncio.sleep(0.05)
        for name, domain, service, data in actions:
            await hass.async_block_till_done()
            before = len(emulator.requests)
            await hass.services.async_call(domain, service, data, blocking=True)
            command = len(emulator.requests) - before
            # The settings' read-back runs in the background: count it once it is done.
            await hass.async_block_till_done()
            total = len([r for r in emulator.requests[before:] if r.path != "/:/websockets/notifications"])
            row(f"{name}, socket {socket}", f"{command} in the call, {total} in all", "1 with the socket up")
    # Idle: one task poll (tasks + activities) every 5 min with the socket up or every 30 s without,
    # plus the schedule's settings every 5 min either way.
    before = len(emulator.requests)
    await coordinator.async_refresh()
    per_poll = len(emulator.requests) - before
    before = len(emulator.requests)
    await settings.async_refresh()
    per_settings = len(emulator.requests) - before
    settings_per_hour = per_settings * 3600 / SETTINGS_POLL_INTERVAL.total_seconds()
    up = per_poll * 3600 / PUSH_POLL_INTERVAL.total_seconds() + settings_per_hour
    down = per_poll * 3600 / POLL_INTERVAL.total_seconds() + settings_per_hour
    row(
        "requests per idle hour, socket up / down",
        f"{up:.0f} / {down:.0f}",
        f"({per_poll} per task poll every 5 min / 30 s, {per_settings} for the settings every 5 min)",
    )


async def test_scale(hass: HomeAssistant, socket_enabled: None) -> None:
    emulators: list[PlexEmulator] = []
    entries: list[MockConfigEntry] = []
    for servers in (1, 10, 50):
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        while len(entries) < servers:
            index = len(entries)
            emulator = PlexEmulator(token=TOKEN, task_duration=300)
            emulator.identity["machineIdentifier"] = f"{index + 1:040x}"
            await emulator.start()
            emulators.append(emulator)
            entries.append(await add_entry(hass, emulator, f"{index + 1:040x}", f"Server {index}"))
        setup = time.perf_counter() - started
        added = servers - (1 if servers == 10 else 10 if servers == 50 else 0)
        cpu_before = time.process_time()
        for _ in range(3):
            await asyncio.gather(*(entry.runtime_data.coordinator.async_refresh() for entry in entries))
            await hass.async_block_till_done()
        cpu = (time.process_time() - cpu_before) / 3
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        row(f"{servers} servers: setup of the {added} added", f"{setup:.2f} s")
        row(f"{servers} servers: CPU per polling round (all servers)", f"{cpu * 1000:.1f} ms")
        row(
            f"{servers} servers: peak RSS growth per added entry",
            f"{(rss_after - rss_before) / max(added, 1):.0f} kB",
        )
    for entry in entries:
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for emulator in emulators:
        await emulator.stop()


async def test_cpu_per_cycle_by_task_count(hass: HomeAssistant, socket_enabled: None) -> None:
    for count in (23, 100, 500):
        emulator, tasks, entry = await server_with_tasks(hass, count)
        coordinator = entry.runtime_data.coordinator
        cycles = max(5, ROUNDS // 5)
        started = time.process_time()
        for cycle in range(cycles):
            # Alternate one running task, so every cycle changes state and entities are written.
            if cycle % 2:
                emulator.butler.start(tasks[0].name)
            else:
                await emulator.butler.stop_all()
            await coordinator.async_refresh()
            await hass.async_block_till_done()
        per_cycle = (time.process_time() - started) / cycles
        row(f"CPU per cycle (emulator included), {count} tasks", f"{per_cycle * 1000:.2f} ms", "linear")
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await emulator.stop()


async def test_history_cost(hass: HomeAssistant, socket_enabled: None) -> None:
    """A night of every task: requests, history writes; then restore time and size at the bounds."""
    emulator = PlexEmulator(token=TOKEN, task_duration=0.01)
    emulator.identity["machineIdentifier"] = "1" * 40
    await emulator.start()
    entry = await add_entry(hass, emulator, "1" * 40, "History")
    coordinator = entry.runtime_data.coordinator
    history = entry.runtime_data.history
    await until(lambda: coordinator.listener.connected)
    emulator.requests.clear()
    writes_before = history.writes
    history_module.SAVE_DELAY_SECONDS = 1.0
    emulator.butler.start_all()
    await until(lambda: emulator.butler.run is None, 30)
    await until(lambda: not any(run.open for run in history.task_runs), 10)
    requests = [r for r in emulator.requests if r.path != "/:/websockets/notifications"]
    row("HTTP requests the history adds during a run of every task", f"{len(requests)}", "0")
    # The delayed write comes after SAVE_DELAY_SECONDS without a change (a minute; scaled down
    # here with the run, whose tasks take 10 ms instead of seconds).
    await asyncio.sleep(1.5)
    await hass.async_block_till_done()
    recorded = len(history.task_runs)
    row(
        f"history writes for a night of {recorded} task runs",
        f"{history.writes - writes_before}",
        "1 or 2",
    )
    history_module.SAVE_DELAY_SECONDS = SAVE_DELAY_SECONDS
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await emulator.stop()

    # A history at its bounds: 50 runs of each of 28 tasks, 50 Butler runs.
    now = dt_util.utcnow()
    task_runs = [
        {
            "task": f"Task{task:02d}",
            "start": (now - timedelta(days=day, minutes=5)).isoformat(),
            "end": (now - timedelta(days=day)).isoformat(),
            "outcome": "finished",
            "started_by": "server",
            "seen_from_start": True,
            "open": False,
        }
        for day in range(50, 0, -1)
        for task in range(28)
    ]
    butler_runs = [
        {
            "uuid": f"run-{day}",
            "start": (now - timedelta(days=day, hours=1)).isoformat(),
            "end": (now - timedelta(days=day)).isoformat(),
            "seen_from_start": True,
            "open": False,
        }
        for day in range(50, 0, -1)
    ]
    data = {"butler_runs": butler_runs, "task_runs": task_runs}
    row(
        "history file at its bounds (1,400 task runs, 50 Butler runs)",
        f"{len(json.dumps(data)) / 1024:.0f} KiB",
    )
    # Home Assistant reads and parses the file in its executor; the event loop builds the records.
    timings = []
    for _ in range(max(3, ROUNDS // 10)):
        restored = RunHistory(hass, "bench", coordinator)
        started = time.process_time()
        restored.restore(data)
        timings.append(time.process_time() - started)
    row(
        "history restore at its bounds, event loop CPU (median)",
        f"{statistics.median(timings) * 1000:.1f} ms",
        "well under a poll",
    )
