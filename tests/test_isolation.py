"""Tests run where nothing can leave this machine: a loopback-only network namespace, no name lookups."""

import os
import socket
from pathlib import Path

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from tests.plex_emulator import PlexEmulator
from tests.resolver import ResolverStub


def loopback_only_interfaces() -> None:
    """Assert this process's network namespace has loopback and nothing else, as the kernel says."""
    assert [name for _, name in socket.if_nameindex()] == ["lo"]
    # sysfs shows the namespace it was mounted in: scripts/lib/loopback-ns mounts one of its own.
    assert sorted(path.name for path in Path("/sys/class/net").iterdir()) == ["lo"]
    # No route but loopback's and the multicast route that keeps mDNS on lo.
    routes = Path("/proc/self/net/route").read_text().splitlines()[1:]
    assert {line.split()[0] for line in routes} <= {"lo"}


def test_runs_in_a_loopback_only_namespace() -> None:
    """scripts/test runs everything in a namespace whose only interface is lo (scripts/lib/loopback-ns)."""
    if os.environ.get("PLEX_BUTLER_NETNS") == "unavailable":
        pytest.skip("no network namespace could be made here: run scripts/test as root")
    assert os.environ.get("PLEX_BUTLER_NETNS") == "loopback", "run the tests with scripts/test"
    loopback_only_interfaces()


async def test_unregistered_names_fail_at_once(hass: HomeAssistant, resolver: ResolverStub) -> None:
    """Home Assistant's own session and plain sockets get no answer for a name nobody registered."""
    session = async_get_clientsession(hass)
    with pytest.raises(aiohttp.ClientConnectorError) as raised:
        await session.get("https://192-168-1-10.0123abcd.plex.direct:32400/identity")
    assert isinstance(raised.value.os_error, OSError)
    with pytest.raises(socket.gaierror, match="does not resolve in tests"):
        socket.getaddrinfo("plex.tv", 443)
    assert resolver.asked == ["192-168-1-10.0123abcd.plex.direct", "plex.tv"]


async def test_registered_names_reach_loopback(
    hass: HomeAssistant, resolver: ResolverStub, emulator: PlexEmulator
) -> None:
    """A name a test registers resolves to its address, and the request reaches the emulator there."""
    resolver.register("pms.example.test", "127.0.0.1")
    session = async_get_clientsession(hass)
    async with session.get(f"http://pms.example.test:{emulator.port}/identity") as response:
        assert response.status == 200
    assert emulator.requests_to("GET", "/identity")
