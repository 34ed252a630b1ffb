"""Carry TCP connections on 127.0.0.1 between the host and a loopback-only network namespace.

    python relay.py outside DIR PORT...   listen on the host's 127.0.0.1:PORT, forward to DIR/PORT.sock
    python relay.py inside DIR PORT...    listen on DIR/PORT.sock, forward to the namespace's 127.0.0.1:PORT

A network namespace has a loopback of its own, so a browser on the host cannot reach a server on the
namespace's 127.0.0.1. A Unix socket in the file system is seen from both sides: the outside half
accepts the browser's connection and hands the bytes to the socket; the inside half connects to the
server. Standard library only, so any Python 3.11 or newer runs it.
"""

import asyncio
import contextlib
import sys
from collections.abc import Awaitable
from pathlib import Path

CHUNK = 65536


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass


Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _join(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connect: Awaitable[Streams]
) -> None:
    """Forward one accepted connection to the other side until both directions are closed."""
    try:
        other_reader, other_writer = await connect
    except OSError:
        writer.close()
        return
    await asyncio.gather(_pipe(reader, other_writer), _pipe(other_reader, writer))
    for stream in (writer, other_writer):
        stream.close()
        with contextlib.suppress(ConnectionError, OSError):
            await stream.wait_closed()


async def _serve(side: str, directory: Path, ports: list[int]) -> None:
    servers = []
    for port in ports:
        path = str(directory / f"{port}.sock")
        if side == "outside":

            async def accept(r: asyncio.StreamReader, w: asyncio.StreamWriter, path: str = path) -> None:
                await _join(r, w, asyncio.open_unix_connection(path))

            servers.append(await asyncio.start_server(accept, "127.0.0.1", port))
        else:

            async def accept(r: asyncio.StreamReader, w: asyncio.StreamWriter, port: int = port) -> None:
                await _join(r, w, asyncio.open_connection("127.0.0.1", port))

            Path(path).unlink(missing_ok=True)
            servers.append(await asyncio.start_unix_server(accept, path))
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main() -> None:
    """Run one side of the relay, as the command line says, until interrupted."""
    side, directory, *ports = sys.argv[1:]
    if side not in ("outside", "inside") or not ports:
        sys.exit(__doc__)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(side, Path(directory), [int(port) for port in ports]))


if __name__ == "__main__":
    main()
