"""The async Plex Butler client: one object per server, on an aiohttp session it is given."""

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Final, TypedDict

import aiohttp
from yarl import URL

from .errors import (
    PlexButlerAuthError,
    PlexButlerConnectionError,
    PlexButlerForbiddenError,
    PlexButlerNotFoundError,
    PlexButlerResponseError,
    PlexButlerSettingError,
    PlexButlerSslError,
    PlexWebAppUrlError,
)
from .models import (
    Activity,
    ActivityNotification,
    ButlerTask,
    ServerIdentity,
    Setting,
    StartResult,
    StopResult,
)
from .parsing import parse_activities, parse_identity, parse_notification, parse_settings, parse_tasks
from .schedule import ButlerSettings

DEFAULT_PORT: Final = 32400
# Seconds a request (to a server or to plex.tv) may take before it counts as unanswered.
REQUEST_TIMEOUT: Final = 10.0
# Far above any real answer (23 tasks are 2 kB, 500 are 60 kB) and far below what would hurt memory.
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
CLIENT_VERSION: Final = "1.0.0"

NOTIFICATIONS_PATH: Final = "/:/websockets/notifications"
# Plex closes sockets that stay silent; a ping every half minute keeps ours open and finds dead ones.
WEBSOCKET_HEARTBEAT: Final = 30.0

# A real server answered 400 to requests sent right after a prefs write; a client tested against real
# servers waits 500 ms and retries, up to 10 times. For this long after our own write, a 400 means
# "busy, ask again", on any request.
BUSY_AFTER_WRITE: Final = 5.0
BUSY_RETRY_PAUSE: Final = 0.5
BUSY_RETRIES: Final = 10

_LOGGER = logging.getLogger(__name__)
_TASK_NAME = re.compile(r"[A-Za-z0-9]{1,128}")
_SETTING_ID = re.compile(r"[A-Za-z0-9_]{1,128}")


# Plex's own web addresses: the Plex Web app and the account site, never a Media Server.
_PLEX_WEB_HOSTS: Final = ("plex.tv", "app.plex.tv", "www.plex.tv")


def normalize_url(url: str) -> URL:
    """The server's base URL from what a person typed or pasted.

    "host", "host:port", "http://host/" and "https://host:32400" are all fine; http(s) without a port
    gets Plex's 32400. Anything but http and https is refused. Credentials, query and fragment are
    dropped, so a URL pasted from Plex Web with the token in it never gets stored or sent. An address
    copied from the server's own Plex Web (`http://host:32400/web/index.html#!/...`) becomes the
    server's base URL; a reverse proxy's path before `/web` is kept.

    Raises PlexWebAppUrlError for an address of plex.tv itself, and ValueError for anything else that
    cannot be a server's address.
    """
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        parsed = URL(text)
    except ValueError as err:
        raise ValueError(f"{url!r} is not a valid URL") from err
    if parsed.scheme not in ("http", "https"):
        raise ValueError("Only http:// and https:// URLs are supported")
    if not parsed.host:
        raise ValueError("The URL has no host name")
    host = parsed.host.lower().rstrip(".")
    if host in _PLEX_WEB_HOSTS or host.endswith(".plex.tv"):
        raise PlexWebAppUrlError("That is an address of plex.tv, not of a Plex Media Server")
    try:
        explicit_port = parsed.explicit_port
    except ValueError as err:
        raise ValueError("The URL has an invalid port") from err
    segments = [segment for segment in parsed.path.split("/") if segment]
    if "web" in segments:
        segments = segments[: segments.index("web")]
    return URL.build(
        scheme=parsed.scheme,
        host=parsed.host,
        port=explicit_port or DEFAULT_PORT,
        path="/" + "/".join(segments) if segments else "",
        encoded=False,
    )


class ClientNames(TypedDict):
    """How a client names itself to Plex: the X-Plex-* identity of both clients."""

    client_identifier: str
    product: str
    device_name: str


def plex_headers(client_identifier: str, product: str, device_name: str) -> dict[str, str]:
    """The X-Plex-* headers that name this client to a server and to plex.tv (no token)."""
    return {
        "Accept": "application/json",
        "X-Plex-Client-Identifier": client_identifier,
        "X-Plex-Product": product,
        "X-Plex-Version": CLIENT_VERSION,
        "X-Plex-Platform": "Python",
        "X-Plex-Device-Name": device_name,
    }


def validate_task_name(name: str) -> str:
    """Refuse anything that is not a plain task name before it reaches a URL path."""
    if not isinstance(name, str) or not _TASK_NAME.fullmatch(name):
        raise PlexButlerNotFoundError(
            "A Butler task name has only letters and digits, such as BackupDatabase",
            task=str(name)[:64],
        )
    return name


class PlexButlerClient:
    """Talks to one Plex Media Server's Butler.

    Beyond its settings it remembers one thing: until when the server may still refuse requests after
    a preferences write (`_busy_until`).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str | None,
        *,
        verify_ssl: bool = True,
        timeout: float = REQUEST_TIMEOUT,
        client_identifier: str = "plex-butler",
        product: str = "Plex Butler",
        device_name: str = "Plex Butler",
    ) -> None:
        self._session = session
        self.base_url = normalize_url(url)
        self._verify_ssl = verify_ssl
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # Until when (time.monotonic()) the server may answer 400 because of our last prefs write.
        self._busy_until = 0.0
        # Without a token (discovery, trying a server's addresses) only `/identity` answers.
        self._headers: Mapping[str, str] = plex_headers(client_identifier, product, device_name) | (
            {"X-Plex-Token": token} if token else {}
        )

    @property
    def verify_ssl(self) -> bool:
        """Whether TLS certificates are checked."""
        return self._verify_ssl

    async def get_public_identity(self) -> ServerIdentity:
        """Id and version from `GET /identity`, which every server answers without a token.

        The friendly name is not part of that answer: it falls back to the machine identifier.
        """
        _, body = await self._request("GET", "/identity")
        return parse_identity(body)

    async def get_identity(self) -> ServerIdentity:
        """Id, version and friendly name (`GET /`, which also proves the token is good)."""
        _, body = await self._request("GET", "/")
        return parse_identity(body)

    async def get_tasks(self) -> list[ButlerTask]:
        """Every Butler task the server lists, with its schedule flags."""
        _, body = await self._request("GET", "/butler")
        return parse_tasks(body)

    async def get_activities(self) -> list[Activity]:
        """Everything the server is doing now, the Butler's run among it."""
        _, body = await self._request("GET", "/activities")
        return parse_activities(body)

    async def start_all(self) -> None:
        """Start every enabled task; inside the maintenance window randomized ones are only scheduled."""
        await self._request("POST", "/butler")

    async def stop_all(self) -> None:
        """Stop every running task and drop the scheduled ones."""
        await self._request("DELETE", "/butler")

    async def start_task(self, name: str) -> StartResult:
        """Start one task; a task that already runs is a success, not an error."""
        status, _ = await self._request("POST", f"/butler/{validate_task_name(name)}", task=name)
        return StartResult.ALREADY_RUNNING if status == 202 else StartResult.STARTED

    async def stop_task(self, name: str) -> StopResult:
        """Stop one task. Plex answers 404 for a task that is not running; we report that."""
        path = f"/butler/{validate_task_name(name)}"
        try:
            await self._request("DELETE", path, task=name)
        except PlexButlerNotFoundError:
            return StopResult.NOT_RUNNING
        return StopResult.STOPPED

    async def get_settings(self) -> list[Setting]:
        """The server's settings (`GET /:/prefs`), the Butler's schedule among them."""
        _, body = await self._request("GET", "/:/prefs")
        return parse_settings(body)

    async def get_butler_settings(self) -> ButlerSettings:
        """The settings of the Butler's schedule: window hours, task toggles and behaviours."""
        return ButlerSettings.from_settings(await self.get_settings())

    async def set_settings(self, values: Mapping[str, bool | int | str]) -> None:
        """Change several settings in one request (`PUT /:/prefs?ID=VALUE&...`).

        Raises PlexButlerSettingError when the server refuses the write (400 or 403): it has no such
        setting or will not take that value.
        """
        query: dict[str, str] = {}
        for setting_id, value in values.items():
            if not isinstance(setting_id, str) or not _SETTING_ID.fullmatch(setting_id):
                raise ValueError(f"{str(setting_id)[:64]!r} is not a setting id")
            # Real servers take booleans as 1/0 and as true/false; Plex writes true/false itself.
            query[setting_id] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if not query:
            return
        try:
            await self._request("PUT", "/:/prefs", query=query)
        except (PlexButlerForbiddenError, PlexButlerResponseError) as err:
            if err.status not in (400, 403):
                raise
            raise PlexButlerSettingError(
                f"The Plex server refused to change {', '.join(query)}", settings=tuple(query)
            ) from err
        self._busy_until = time.monotonic() + BUSY_AFTER_WRITE

    async def notifications(
        self, on_open: Callable[[], None] | None = None
    ) -> AsyncIterator[ActivityNotification]:
        """Activity events from the server's notification socket, as they come.

        `on_open` is called once the socket is open, which may be long before the first event.

        Raises PlexButlerAuthError when the server refuses the token, and PlexButlerConnectionError when
        the socket cannot be opened or closes; frames that are malformed or of other types are skipped.
        """
        path = f"{self.base_url.path.rstrip('/')}{NOTIFICATIONS_PATH}"
        url = self.base_url.with_path(path, encoded=False).with_query(filters="activity")
        try:
            socket = await self._session.ws_connect(
                url,
                headers=self._headers,
                ssl=self._verify_ssl,
                heartbeat=WEBSOCKET_HEARTBEAT,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=self._timeout.total),
                max_msg_size=MAX_BODY_BYTES,
            )
        except aiohttp.WSServerHandshakeError as err:
            if err.status in (401, 403):
                raise PlexButlerAuthError(
                    "The Plex server refused the token for notifications", status=err.status
                ) from err
            raise PlexButlerConnectionError(
                f"The Plex server refused the notification socket (HTTP {err.status})"
            ) from err
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise self._unreached(err, "the notification socket") from err
        async with socket:
            if on_open is not None:
                on_open()
            async for message in socket:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    notifications = parse_notification(message.data)
                except PlexButlerResponseError as err:
                    _LOGGER.debug("Skipping a notification that is not understood: %s", err)
                    continue
                for notification in notifications:
                    yield notification
        raise PlexButlerConnectionError(f"The notification socket of {self.base_url.host} closed")

    async def _request(
        self, method: str, path: str, *, task: str | None = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        url = self.base_url.with_path(f"{self.base_url.path.rstrip('/')}{path}", encoded=False)
        if query:
            # yarl encodes every key and value: nothing a caller passes can add parameters or a path.
            url = url.with_query(query)
        where = f"{method} {path}"
        for _retry in range(BUSY_RETRIES):
            status, body = await self._send(method, url, where)
            if status != 400 or time.monotonic() >= self._busy_until:
                break
            _LOGGER.debug("%s: the server is busy after a settings write; asking again", where)
            await asyncio.sleep(BUSY_RETRY_PAUSE)
        else:
            status, body = await self._send(method, url, where)
        return _check_status(status, body, where, task)

    async def _send(self, method: str, url: URL, where: str) -> tuple[int, bytes]:
        """One request: its status and body, or a client error for anything but an answer."""
        try:
            async with self._session.request(
                method,
                url,
                headers=self._headers,
                timeout=self._timeout,
                ssl=self._verify_ssl,
                allow_redirects=False,
            ) as response:
                body = await _read_limited(response, where)
                status = response.status
        except aiohttp.ClientPayloadError as err:
            raise PlexButlerResponseError(f"{where}: the server's answer broke off") from err
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise self._unreached(err) from err
        return status, body

    def _unreached(self, err: BaseException, what: str | None = None) -> PlexButlerConnectionError:
        """The one mapping of a failure to get an answer (TLS, time, network) to the client's errors."""
        where = f"{self.base_url.host}:{self.base_url.port}"
        about = "" if what is None else f" ({what})"
        if isinstance(err, aiohttp.ClientSSLError | aiohttp.ClientConnectorCertificateError):
            return PlexButlerSslError(
                f"The certificate of {self.base_url.host} could not be verified{_reason(err)}; "
                "use the server's plex.direct address, or turn certificate verification off"
            )
        # Before ClientError: aiohttp's own timeouts are both.
        if isinstance(err, TimeoutError):
            return PlexButlerConnectionError(f"The Plex server at {where} did not answer in time{about}")
        return PlexButlerConnectionError(f"Cannot reach the Plex server at {where}{_reason(err)}{about}")


def _reason(err: BaseException) -> str:
    """The operating system's words for a failure (" (connection refused)"), never a class name.

    The exception itself stays chained for the log's traceback; a person reads this part.
    """
    os_error = getattr(err, "os_error", None) if not isinstance(err, OSError) else err
    text = getattr(os_error, "strerror", None)
    return f" ({text[0].lower()}{text[1:]})" if isinstance(text, str) and text else ""


async def _read_limited(response: aiohttp.ClientResponse, where: str) -> bytes:
    """The body, refusing to hold more than MAX_BODY_BYTES in memory."""
    if (response.content_length or 0) > MAX_BODY_BYTES:
        raise PlexButlerResponseError(f"{where}: the server's answer is too large", status=response.status)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PlexButlerResponseError(
                f"{where}: the server's answer is too large", status=response.status
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _check_status(status: int, body: bytes, where: str, task: str | None) -> tuple[int, bytes]:
    if 200 <= status < 300:
        return status, body
    if status == 401:
        raise PlexButlerAuthError("The Plex server refused the token", status=status)
    if status == 403:
        raise PlexButlerForbiddenError(
            "The token is not allowed to control the Butler: use the server owner's (admin) token",
            status=status,
        )
    if status == 404 and task is not None:
        raise PlexButlerNotFoundError(f"The Plex server has no Butler task {task}", task=task)
    raise PlexButlerResponseError(f"{where}: the server answered HTTP {status}", status=status)
