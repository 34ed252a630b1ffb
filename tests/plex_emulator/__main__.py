"""Run the emulator: `python -m tests.plex_emulator --host 127.0.0.1 --port 32400 --token TOKEN`.

With `--plex-tv-port`, an emulated plex.tv runs beside it whose account owns this server (plus a
dead address and a shared server), for signing in with Plex offline.
"""

import argparse
import asyncio
import contextlib

from .plextv import PlexTvEmulator, owned_server, player, shared_server
from .server import PlexEmulator

# Nothing listens on the discard port of loopback: a dead address for plex.tv's list.
DEAD_PORT = 9


async def _serve(arguments: argparse.Namespace) -> None:
    emulator = PlexEmulator(token=arguments.token, task_duration=arguments.task_duration)
    emulator.butler.in_maintenance_window = arguments.maintenance_window
    await emulator.start(arguments.host, arguments.port)
    print(f"Plex emulator on {emulator.url} (token given on the command line)", flush=True)
    plex_tv = None
    if arguments.plex_tv_port is not None:
        plex_tv = PlexTvEmulator(
            resources=[
                owned_server(emulator, dead_port=DEAD_PORT),
                shared_server("5ba7ed0000000000000000000000000000000000", "Friend's Plex", DEAD_PORT),
                player(),
            ]
        )
        await plex_tv.start(arguments.host, arguments.plex_tv_port)
        print(f"Emulated plex.tv on {plex_tv.url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        if plex_tv is not None:
            await plex_tv.stop()
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="An emulated Plex Media Server for Plex Butler.")
    # Loopback by default: the emulator accepts any request that carries the token.
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=32400)
    parser.add_argument("--token", required=True)
    parser.add_argument("--task-duration", type=float, default=5.0, help="seconds each task runs")
    parser.add_argument("--maintenance-window", action="store_true", help="act as inside the window")
    parser.add_argument("--plex-tv-port", type=int, help="also run an emulated plex.tv on this port")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
