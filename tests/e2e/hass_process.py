"""A real Home Assistant in a subprocess, driven only through its HTTP and websocket APIs."""

import asyncio
import ipaddress
import json
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from .http_storage import seed as seed_http_settings

PROJECT = Path(__file__).resolve().parents[2]
CLIENT_ID = "http://127.0.0.1:8123/"

CONFIGURATION = """\
homeassistant:
  name: Plex Butler end-to-end
  unit_system: metric
  time_zone: UTC
  latitude: 0
  longitude: 0
  elevation: 0
logger:
  default: warning
  logs:
    custom_components.plex_butler: debug
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare_config(directory: Path, port: int, *, link_integration: bool = True) -> None:
    """A minimal configuration with the integration linked in, as a HACS install would place it.

    Without `link_integration`, custom_components/ is left to the test (a release zip unpacked there).
    """
    (directory / "custom_components").mkdir(parents=True, exist_ok=True)
    link = directory / "custom_components" / "plex_butler"
    if link_integration and not link.exists():
        link.symlink_to(PROJECT / "custom_components" / "plex_butler")
    (directory / "configuration.yaml").write_text(CONFIGURATION)
    # Loopback only and confirmed, as scripts/develop's demo has it (no YAML http block to migrate).
    seed_http_settings(directory, port)


@dataclass
class HassProcess:
    """Start, stop and talk to one Home Assistant."""

    config_dir: Path
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    token: str | None = None
    # Extra environment of the process, such as the emulated plex.tv's address.
    env: dict[str, str] = field(default_factory=dict)
    # False: the test puts the integration into custom_components/ itself (a release zip).
    link_integration: bool = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, session: aiohttp.ClientSession, startup_seconds: float = 120) -> None:
        prepare_config(self.config_dir, self.port, link_integration=self.link_integration)
        log = (self.config_dir / "hass-output.log").open("ab")
        # --skip-pip: everything Home Assistant needs is installed by scripts/setup; no downloads here.
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(self.config_dir),
            "--skip-pip",
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
            # Not the checkout: `python -m` puts the working directory on sys.path, and the checkout's
            # custom_components package would shadow the configuration's, as no real install has it.
            cwd=self.config_dir,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + startup_seconds
        while True:
            assert self.process.returncode is None, self.output()
            try:
                async with session.get(f"{self.url}/api/onboarding") as response:
                    if response.status in (200, 401):
                        break
            except aiohttp.ClientError:
                pass
            assert loop.time() < deadline, "Home Assistant did not start in time:\n" + self.output()
            await asyncio.sleep(0.25)
        # Started means the HTTP server answers; wait for the whole start-up too.
        if self.token is not None:
            await self.wait_running(session)

    async def wait_running(self, session: aiohttp.ClientSession) -> None:
        for _ in range(240):
            config = await self.get(session, "/api/config")
            if config.get("state") == "RUNNING":
                return
            await asyncio.sleep(0.25)
        raise AssertionError("Home Assistant never reached RUNNING")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def listening_addresses(self) -> set[tuple[str, int]]:
        """The TCP (v4 and v6) addresses and ports Home Assistant's process listens on, from /proc."""
        return self._sockets(("tcp", "tcp6"), state="0A")  # 0A: LISTEN

    def udp_addresses(self) -> set[tuple[str, int]]:
        """The local addresses and ports of Home Assistant's UDP sockets (v4 and v6), from /proc."""
        return self._sockets(("udp", "udp6"))

    def interfaces(self) -> list[str]:
        """The network interfaces of Home Assistant's network namespace."""
        assert self.process is not None
        lines = Path(f"/proc/{self.process.pid}/net/dev").read_text().splitlines()[2:]
        return sorted(line.split(":")[0].strip() for line in lines)

    def _sockets(self, tables: tuple[str, ...], state: str | None = None) -> set[tuple[str, int]]:
        assert self.process is not None
        inodes = set()
        for fd in Path(f"/proc/{self.process.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        found = set()
        for table in tables:
            for line in Path(f"/proc/{self.process.pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                local, socket_state, inode = fields[1], fields[3], fields[9]
                if inode in inodes and state in (None, socket_state):
                    address, port = local.split(":")
                    found.add((_proc_address(address), int(port, 16)))
        return found

    def output(self) -> str:
        path = self.config_dir / "hass-output.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    async def onboard(self, session: aiohttp.ClientSession, *, finish: bool = False) -> None:
        """Create the owner through the onboarding API and keep an access token.

        `finish` also completes the remaining steps, which the frontend needs to open its dashboard,
        but which add Home Assistant's default integrations (weather, text-to-speech...) too.
        """
        user = {
            "client_id": CLIENT_ID,
            "name": "Owner",
            "username": "owner",
            "password": "end-to-end-password",
            "language": "en",
        }
        async with session.post(f"{self.url}/api/onboarding/users", json=user) as response:
            assert response.status == 200, await response.text()
            code = (await response.json())["auth_code"]
        await self.exchange_code(session, code)
        if finish:
            await self._finish_onboarding(session)
        # The access token lasts 30 minutes and, signed by a stored refresh token, survives restarts.
        await self.wait_running(session)

    async def _finish_onboarding(self, session: aiohttp.ClientSession) -> None:
        await self.post(session, "/api/onboarding/core_config")
        await self.post(session, "/api/onboarding/analytics")
        # Home Assistant marks this step done before it looks for the login's credentials, which a
        # token from the API flow does not carry: 403 here still completes onboarding.
        await self.post(
            session,
            "/api/onboarding/integration",
            {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID},
            status=403,
        )

    async def add_plex_butler(self, session: aiohttp.ClientSession, url: str, token: str) -> str:
        """Add the integration as the "Add integration" dialog does; the new entry's id."""
        flow = await self.post(session, "/api/config/config_entries/flow", {"handler": "plex_butler"})
        await self.post(
            session, f"/api/config/config_entries/flow/{flow['flow_id']}", {"next_step_id": "manual"}
        )
        result = await self.post(
            session,
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {"url": url, "token": token, "verify_ssl": True},
        )
        assert result["type"] == "create_entry", result
        entry_id: str = result["result"]["entry_id"]
        return entry_id

    async def exchange_code(self, session: aiohttp.ClientSession, code: str) -> None:
        form = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
        async with session.post(f"{self.url}/auth/token", data=form) as response:
            assert response.status == 200, await response.text()
            tokens = await response.json()
        # A long-lived token survives restarts without another login.
        self.token = tokens["access_token"]
        long_lived = await self.ws(
            session, {"type": "auth/long_lived_access_token", "client_name": "e2e", "lifespan": 1}
        )
        self.token = long_lived

    def _headers(self) -> dict[str, str]:
        assert self.token is not None
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, session: aiohttp.ClientSession, path: str) -> Any:
        async with session.get(f"{self.url}{path}", headers=self._headers()) as response:
            assert response.status == 200, f"GET {path}: {response.status} {await response.text()}"
            return await response.json()

    async def post(
        self, session: aiohttp.ClientSession, path: str, body: dict[str, Any] | None = None, status: int = 200
    ) -> Any:
        async with session.post(f"{self.url}{path}", headers=self._headers(), json=body or {}) as response:
            text = await response.text()
            assert response.status == status, f"POST {path}: {response.status} {text}"
            return json.loads(text) if text else None

    async def delete(self, session: aiohttp.ClientSession, path: str) -> Any:
        async with session.delete(f"{self.url}{path}", headers=self._headers()) as response:
            assert response.status == 200, f"DELETE {path}: {response.status} {await response.text()}"
            return await response.json()

    async def ws(self, session: aiohttp.ClientSession, command: dict[str, Any]) -> Any:
        """One websocket API command; its result."""
        async with session.ws_connect(f"{self.url}/api/websocket") as socket_:
            assert (await socket_.receive_json())["type"] == "auth_required"
            await socket_.send_json({"type": "auth", "access_token": self.token})
            assert (await socket_.receive_json())["type"] == "auth_ok"
            await socket_.send_json({"id": 1, **command})
            reply = await socket_.receive_json()
        assert reply["success"], reply
        return reply["result"]


def _proc_address(hex_address: str) -> str:
    """An address as /proc/net/tcp{,6} writes it (little-endian words) in its usual text form."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))
