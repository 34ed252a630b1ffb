"""Run the emulator: `python -m tests.plex_emulator --host 127.0.0.1 --port 32400 --token TOKEN`."""

import argparse
import asyncio
import contextlib

from .server import PlexEmulator


async def _serve(arguments: argparse.Namespace) -> None:
    emulator = PlexEmulator(token=arguments.token, task_duration=arguments.task_duration)
    emulator.butler.in_maintenance_window = arguments.maintenance_window
    await emulator.start(arguments.host, arguments.port)
    print(f"Plex emulator on {emulator.url} (token given on the command line)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="An emulated Plex Media Server for Plex Butler.")
    # Loopback by default: the emulator accepts any request that carries the token.
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=32400)
    parser.add_argument("--token", required=True)
    parser.add_argument("--task-duration", type=float, default=5.0, help="seconds each task runs")
    parser.add_argument("--maintenance-window", action="store_true", help="act as inside the window")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
