"""An emulated Plex Media Server: the Butler endpoints, activities and their websocket, on loopback.

Faithful to what real servers answer: XML unless JSON is asked for, `<ButlerTasks>` as the root of
`GET /butler`, 202 for a task already running, 404 for stopping an idle one, 401 with an HTML body for
a missing or wrong token. Tests steer it through `faults` and read what it received in `requests`.
"""

import asyncio
import dataclasses
import json
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from aiohttp import WSMsgType, web

from .butler import EmulatedButler
from .prefs import hour_range, real_settings, toggled_task
from .tasks import REAL_1_43_2_TASKS, TaskSpec

DEFAULT_IDENTITY = {
    "machineIdentifier": "b4e051156514c3673d6305f3df48b2bd645d6fd5",
    "friendlyName": "Living room Plex",
    "version": "1.43.2.10687-563d026ea",
}
HTML_401 = "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
NOTIFICATIONS_PATH = "/:/websockets/notifications"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What the emulator received, for tests to assert on."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(slots=True)
class Fault:
    """One misbehaviour for requests to `path` (and `method`, when given), `times` times or forever."""

    path: str
    method: str | None = None
    status: int | None = None
    delay: float = 0.0
    body: bytes | None = None
    content_type: str = "application/xml"
    truncate: bool = False
    drop: bool = False
    # Stream this many bytes of XML-looking garbage, chunked, without a Content-Length.
    stream: int = 0
    times: int | None = None

    def matches(self, request: web.Request) -> bool:
        return request.path == self.path and self.method in (None, request.method)


@dataclass(slots=True)
class Faults:
    """Fault knobs of one emulator instance."""

    rules: list[Fault] = field(default_factory=list)
    websocket_status: int | None = None
    # Seconds after each accepted prefs write during which every request gets 400, as a real server
    # answered requests sent right after a PUT /:/prefs (how long is not known: 0 turns it off).
    busy_after_prefs_write: float = 0.0
    # Seconds a stop (DELETE /butler, DELETE /butler/<task>) waits after stopping before it answers,
    # so the socket's "ended" notification reaches the client first: the order is not guaranteed on a
    # real server, and a client must not depend on it.
    stop_answer_delay: float = 0.0

    def add(self, path: str, **options: Any) -> Fault:
        fault = Fault(path, **options)
        self.rules.append(fault)
        return fault

    def clear(self) -> None:
        """Drop the request faults; the websocket refusal stays until a test lifts it."""
        self.rules.clear()
        self.busy_after_prefs_write = 0.0

    def take(self, request: web.Request) -> Fault | None:
        for fault in self.rules:
            if fault.matches(request):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.rules.remove(fault)
                return fault
        return None


class PlexEmulator:
    """One emulated server. `await start()` binds 127.0.0.1 on a free port unless told otherwise."""

    def __init__(
        self,
        *,
        token: str = "test-token",  # noqa: S107 - a fake server's fake token
        tasks: tuple[TaskSpec, ...] = REAL_1_43_2_TASKS,
        identity: dict[str, str] | None = None,
        task_duration: float = 3.0,
        answers_json: bool = True,
    ) -> None:
        self.token = token
        self.identity = dict(DEFAULT_IDENTITY if identity is None else identity)
        self.butler = EmulatedButler(tasks, task_duration=task_duration)
        # A real server answers JSON to `Accept: application/json`; some proxies strip the header.
        self.answers_json = answers_json
        self.faults = Faults()
        # id -> Setting record, as `GET /:/prefs` lists them.
        self.settings: dict[str, dict[str, object]] = real_settings()
        # Older servers send numbers as strings ("16", "userID": "1"): in prefs, activities and frames.
        self.numbers_as_strings = False
        # Activities beside the Butler's own run (a lingering finished run, a library refresh...).
        self.extra_activities: list[dict[str, object]] = []
        self._busy_until = 0.0
        self.requests: list[RecordedRequest] = []
        # (method, path, status) of each answer, in order.
        self.responses: list[tuple[str, str, int]] = []
        self.streamed_bytes = 0
        self._sockets: set[web.WebSocketResponse] = set()
        self._sends: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.host = "127.0.0.1"
        self.scheme = "http"
        self.butler.add_listener(self._on_butler_activity)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._busy, self._inject_faults, self._authenticate])
        app.router.add_get("/identity", self._identity)
        app.router.add_get("/", self._root)
        app.router.add_get("/butler", self._list_tasks)
        app.router.add_post("/butler", self._start_all)
        app.router.add_delete("/butler", self._stop_all)
        app.router.add_post("/butler/{name}", self._start_task)
        app.router.add_delete("/butler/{name}", self._stop_task)
        app.router.add_get("/activities", self._activities)
        app.router.add_get(NOTIFICATIONS_PATH, self._notifications)
        app.router.add_get("/:/prefs", self._get_prefs)
        app.router.add_put("/:/prefs", self._put_prefs)
        return app

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        """Listen on `host`: plain HTTP, or https with `ssl_context` (a server with its own certificate)."""
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=ssl_context)
        self.scheme = "https" if ssl_context is not None else "http"
        await site.start()
        server = site._server
        assert server is not None
        self.host, self.port = server.sockets[0].getsockname()[:2]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.butler.close()
        await self.drop_websockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Knobs for tests ---------------------------------------------------------------------------

    def rotate_token(self, new_token: str) -> None:
        """The old token stops working at once, as when the owner signs out everywhere."""
        self.token = new_token

    def set_tasks(self, tasks: tuple[TaskSpec, ...]) -> None:
        """A server upgrade: the task list changes, running state is kept."""
        self.butler.tasks = {task.name: task for task in tasks}

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    async def drop_websockets(self) -> None:
        for socket in list(self._sockets):
            await socket.close()

    async def send_raw_notification(self, text: str) -> None:
        for socket in list(self._sockets):
            await socket.send_str(text)

    # Middlewares -------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(request.method, request.path, dict(request.query), dict(request.headers))
        )
        response = await handler(request)
        self.responses.append((request.method, request.path, response.status))
        return response

    @web.middleware
    async def _busy(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != NOTIFICATIONS_PATH and asyncio.get_running_loop().time() < self._busy_until:
            return _bad_request()
        return await handler(request)

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = self.faults.take(request)
        if fault is None:
            return await handler(request)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if fault.stream:
            response = web.StreamResponse(status=fault.status or 200)
            response.content_type = fault.content_type
            response.enable_chunked_encoding()
            await response.prepare(request)
            chunk = b"<" + b"x" * (64 * 1024 - 1)
            sent = 0
            try:
                while sent < fault.stream:
                    sent += len(chunk)
                    self.streamed_bytes = sent
                    await response.write(chunk)
            except ConnectionResetError:
                # The client hung up, as it should once it has read enough.
                pass
            return response
        if fault.truncate:
            if fault.body is None:
                rendered = await handler(request)
                assert isinstance(rendered, web.Response)
                assert isinstance(rendered.body, bytes)
                body = rendered.body
            else:
                body = fault.body
            response = web.StreamResponse(status=fault.status or 200)
            response.content_type = fault.content_type
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            assert request.transport is not None
            request.transport.close()
            return response
        if fault.body is not None or fault.status is not None:
            return web.Response(
                status=fault.status or 200,
                body=fault.body if fault.body is not None else b"<html><body>fault</body></html>",
                content_type=fault.content_type if fault.body is not None else "text/html",
            )
        return await handler(request)

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/identity":
            return await handler(request)
        given = request.headers.get("X-Plex-Token") or request.query.get("X-Plex-Token")
        if given != self.token:
            return web.Response(status=401, text=HTML_401, content_type="text/html")
        return await handler(request)

    # Handlers ----------------------------------------------------------------------------------

    def _wants_json(self, request: web.Request) -> bool:
        return self.answers_json and "application/json" in request.headers.get("Accept", "")

    def _container(
        self,
        request: web.Request,
        root: str,
        attributes: dict[str, object],
        child: str,
        children: list[dict[str, object]],
    ) -> web.Response:
        if self._wants_json(request):
            document: dict[str, object] = dict(attributes)
            if children:
                document[child] = children
            if self.numbers_as_strings:
                document = _stringify_numbers(document)
            return web.json_response({root: document})
        body = _render_xml(root, attributes, child, children)
        return web.Response(body=body, content_type="text/xml", charset="utf-8")

    async def _identity(self, request: web.Request) -> web.Response:
        attributes: dict[str, object] = {
            "size": 0,
            "apiVersion": "1.2.2",
            "claimed": True,
            "machineIdentifier": self.identity["machineIdentifier"],
            "version": self.identity["version"],
        }
        return self._container(request, "MediaContainer", attributes, "Directory", [])

    async def _root(self, request: web.Request) -> web.Response:
        attributes: dict[str, object] = {
            "size": 2,
            "apiVersion": "1.2.2",
            "friendlyName": self.identity["friendlyName"],
            "machineIdentifier": self.identity["machineIdentifier"],
            "version": self.identity["version"],
            "myPlex": True,
            "platform": "Linux",
        }
        directories: list[dict[str, object]] = [
            {"count": 1, "key": "activities", "title": "activities"},
            {"count": 1, "key": "butler", "title": "butler"},
        ]
        return self._container(request, "MediaContainer", attributes, "Directory", directories)

    def _task_records(self) -> list[dict[str, object]]:
        records: list[dict[str, object]] = []
        for task in self.butler.tasks.values():
            record: dict[str, object] = {
                "name": task.name,
                "interval": task.interval,
                "scheduleRandomized": task.randomized,
                "enabled": task.enabled,
            }
            if task.title is not None:
                record["title"] = task.title
            if task.description is not None:
                record["description"] = task.description
            records.append(record)
        return records

    async def _list_tasks(self, request: web.Request) -> web.Response:
        return self._container(request, "ButlerTasks", {}, "ButlerTask", self._task_records())

    async def _start_all(self, _request: web.Request) -> web.Response:
        self.butler.start_all()
        return web.Response(status=200)

    async def _stop_all(self, _request: web.Request) -> web.Response:
        await self.butler.stop_all()
        await asyncio.sleep(self.faults.stop_answer_delay)
        return web.Response(status=200)

    async def _start_task(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.butler.tasks:
            return _not_found()
        return web.Response(status=200 if self.butler.start(name) else 202)

    async def _stop_task(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.butler.tasks or not self.butler.stop(name):
            return _not_found()
        await asyncio.sleep(self.faults.stop_answer_delay)
        return web.Response(status=200)

    async def _activities(self, request: web.Request) -> web.Response:
        activities = [*self.extra_activities, *self.butler.activities()]
        return self._container(request, "MediaContainer", {"size": len(activities)}, "Activity", activities)

    async def _get_prefs(self, request: web.Request) -> web.Response:
        records = list(self.settings.values())
        return self._container(request, "MediaContainer", {"size": len(records)}, "Setting", records)

    async def _put_prefs(self, request: web.Request) -> web.Response:
        changes = {key: value for key, value in request.query.items() if not key.startswith("X-Plex-")}
        for key, value in changes.items():
            setting = self.settings.get(key)
            if setting is None or not _valid_setting_value(setting, value):
                return _bad_request()
        for key, value in changes.items():
            setting = self.settings[key]
            if setting["type"] == "bool":
                setting["value"] = value in ("1", "true")
                task_name = toggled_task(key)
                if task_name is not None and task_name in self.butler.tasks:
                    # The server's schedule follows the toggle: `GET /butler` shows it as `enabled`.
                    # (Whether it follows a behaviour preference too is not known; here it does not.)
                    task = self.butler.tasks[task_name]
                    self.butler.tasks[task_name] = dataclasses.replace(task, enabled=bool(setting["value"]))
            else:
                setting["value"] = int(value) if setting["type"] == "int" else value
        if self.faults.busy_after_prefs_write:
            self._busy_until = asyncio.get_running_loop().time() + self.faults.busy_after_prefs_write
        return web.Response(status=200)

    async def _notifications(self, request: web.Request) -> web.StreamResponse:
        if self.faults.websocket_status is not None:
            return web.Response(status=self.faults.websocket_status, text=HTML_401, content_type="text/html")
        filters = {item for item in request.query.get("filters", "").split(",") if item}
        socket = web.WebSocketResponse(heartbeat=None)
        await socket.prepare(request)
        socket["filters"] = filters  # type: ignore[index]
        self._sockets.add(socket)
        try:
            async for message in socket:
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.discard(socket)
        return socket

    def _on_butler_activity(self, event: str, activity: dict[str, object], withheld: bool) -> None:
        if not withheld:
            self._broadcast_activity(event, activity)

    def _broadcast_activity(self, event: str, activity: dict[str, object]) -> None:
        if self.numbers_as_strings:
            activity = _stringify_numbers(activity)
        frame = json.dumps(
            {
                "NotificationContainer": {
                    "type": "activity",
                    "size": 1,
                    "ActivityNotification": [
                        {"event": event, "uuid": activity["uuid"], "Activity": activity}
                    ],
                }
            }
        )
        for socket in list(self._sockets):
            filters: set[str] = socket.get("filters", set())  # type: ignore[attr-defined]
            if filters and "activity" not in filters:
                continue
            if not socket.closed:
                send = asyncio.get_running_loop().create_task(socket.send_str(frame))
                self._sends.add(send)
                send.add_done_callback(self._sends.discard)

    def broadcast_activity(self, event: str, activity: dict[str, object]) -> None:
        """An activity notification for an activity of the test's (started, updated or ended)."""
        self._broadcast_activity(event, activity)

    async def broadcast_other(self, notification_type: str) -> None:
        """A notification of another type (playing, status...), as a real server sends unfiltered."""
        frame = json.dumps({"NotificationContainer": {"type": notification_type, "size": 0}})
        for socket in list(self._sockets):
            filters: set[str] = socket.get("filters", set())  # type: ignore[attr-defined]
            if not filters or notification_type in filters:
                await socket.send_str(frame)


def _bad_request() -> web.Response:
    return web.Response(status=400, text="<html><body>Bad Request</body></html>", content_type="text/html")


def _not_found() -> web.Response:
    return web.Response(status=404, text="<html><body>Not Found</body></html>", content_type="text/html")


def _valid_setting_value(setting: dict[str, object], value: str) -> bool:
    if setting["type"] == "bool":
        return value in ("0", "1", "true", "false")
    if setting["type"] == "int":
        hours = hour_range(setting)
        return value.lstrip("-").isdigit() and (hours is None or int(value) in hours)
    enum_values = setting.get("enumValues")
    if isinstance(enum_values, str) and setting["type"] == "text":
        # How a real server answers a value outside its list is not captured; refusing is our choice.
        return value in {pair.partition(":")[0] for pair in enum_values.split("|")}
    return True


def _stringify_numbers[T](value: T) -> T:
    """The same document with every number (not booleans) as a string, as older servers send it."""
    if isinstance(value, dict):
        return {key: _stringify_numbers(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [_stringify_numbers(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # type: ignore[return-value]
    return value


def _xml_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _render_xml(
    root: str, attributes: dict[str, object], child: str, children: list[dict[str, object]]
) -> bytes:
    def element(tag: str, attrs: dict[str, object], close: str) -> str:
        rendered = "".join(f" {key}={quoteattr(_xml_value(value))}" for key, value in attrs.items())
        return f"<{tag}{rendered}{close}>"

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', element(root, attributes, "")]
    lines += [element(child, record, " /") for record in children]
    lines.append(f"</{root}>")
    return ("\n".join(lines) + "\n").encode()
