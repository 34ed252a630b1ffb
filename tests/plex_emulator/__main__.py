"""Run the emulator: `python -m tests.plex_emulator --host 127.0.0.1 --port 32400 --token TOKEN`.

With `--plex-tv-port`, an emulated plex.tv runs beside it, for signing in with Plex offline. Its
account owns this server, listed as real plex.tv lists one (see `account_resources`): a Docker-bridge
row that leads to a second emulated server (another machineIdentifier, on a free port), the LAN row
that leads here, and dead rows (the discard port); plus a shared server and a player.
"""

import argparse
import asyncio
import contextlib
import secrets

from .plextv import PlexTvEmulator, account_resources, shared_server
from .server import PlexEmulator

# Nothing listens on the discard port of loopback: a dead address for plex.tv's list.
DEAD_PORT = 9
# The server a Docker-bridge address of the owned server leads to: somebody else's.
NEIGHBOUR_IDENTITY = {
    "machineIdentifier": "d0c4e7b1d9e5a3c2f1e0d9c8b7a6f5e4d3c2b1a0",
    "friendlyName": "Docker bridge neighbour",
    "version": "1.43.2.10687-563d026ea",
}


async def _serve(arguments: argparse.Namespace) -> None:
    emulator = PlexEmulator(token=arguments.token, task_duration=arguments.task_duration)
    emulator.butler.in_maintenance_window = arguments.maintenance_window
    await emulator.start(arguments.host, arguments.port)
    print(f"Plex emulator on {emulator.url} (token given on the command line)", flush=True)
    plex_tv: PlexTvEmulator | None = None
    neighbour: PlexEmulator | None = None
    if arguments.plex_tv_port is not None:
        neighbour = PlexEmulator(token=secrets.token_hex(12), identity=NEIGHBOUR_IDENTITY)
        await neighbour.start(arguments.host, 0)
        owned, player = account_resources(emulator, docker_server=neighbour, dead_port=DEAD_PORT)
        friend = shared_server("5ba7ed0000000000000000000000000000000000", "Friend's Plex", DEAD_PORT)
        plex_tv = PlexTvEmulator(resources=[owned, friend, player])
        await plex_tv.start(arguments.host, arguments.plex_tv_port)
        print(f"Emulated plex.tv on {plex_tv.url} (a second server on {neighbour.url})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        if plex_tv is not None:
            await plex_tv.stop()
        if neighbour is not None:
            await neighbour.stop()
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
