"""Name resolution for tests: only names a test registers resolve, every other name fails at once.

No test may send a DNS query, in the loopback-only namespace or outside it. Every aiohttp session
(ours, Home Assistant's shared one, the emulator's) resolves through `TCPConnector._resolve_host`, and
everything else through `socket.getaddrinfo`; both are replaced for every test. An unregistered name
fails with `OSError`, which is also what a home router with DNS rebinding protection does to a local
plex.direct name. Addresses written as IP literals are not names and pass untouched.
"""

import ipaddress
import socket
from typing import Any

import pytest
from aiohttp.connector import TCPConnector


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


class ResolverStub:
    """The names a test made resolvable, and every name anything asked for."""

    def __init__(self) -> None:
        self._addresses: dict[str, str] = {}
        self.asked: list[str] = []

    def register(self, name: str, address: str) -> None:
        """Make `name` resolve to `address` (an IP literal; tests use 127.0.0.1)."""
        assert _is_address(address), address
        self._addresses[name.lower().rstrip(".")] = address

    def lookup(self, name: str) -> str:
        """The address registered for `name`, or OSError as from a resolver that has no answer."""
        self.asked.append(name)
        address = self._addresses.get(name.lower().rstrip("."))
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, f"{name} does not resolve in tests")
        return address


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> ResolverStub:
    """Every test resolves names through a stub: see the module's docstring."""
    stub = ResolverStub()
    resolve_host = TCPConnector._resolve_host
    getaddrinfo = socket.getaddrinfo

    async def stub_resolve_host(
        self: TCPConnector, host: str, port: int, traces: Any = None
    ) -> list[dict[str, Any]]:
        if _is_address(host):
            return await resolve_host(self, host, port, traces)  # type: ignore[no-any-return]
        address = stub.lookup(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        # The name stays the hostname: TLS checks the certificate against it, as with a real lookup.
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    def stub_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or _is_address(name):
            return getaddrinfo(host, *args, **kwargs)
        return getaddrinfo(stub.lookup(name), *args, **kwargs)

    monkeypatch.setattr(TCPConnector, "_resolve_host", stub_resolve_host)
    monkeypatch.setattr(socket, "getaddrinfo", stub_getaddrinfo)
    return stub
