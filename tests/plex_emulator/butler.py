"""The emulated Butler: a queue of tasks run one after another inside one "Butler tasks" activity.

This follows the real server's debug log: a run opens a single activity of type "butler" whose
progress is the share of queued tasks done, each task runs as a sub-activity named like the task,
and inside the maintenance window "start all" only schedules the randomized tasks for later.
"""

import asyncio
import contextlib
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .tasks import TaskSpec

type ActivityListener = Callable[[str, dict[str, object]], None]


@dataclass(slots=True)
class ButlerRun:
    """The one butler activity while a run lasts."""

    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    queue: deque[str] = field(default_factory=deque)
    current: str | None = None
    done: int = 0
    total: int = 0

    @property
    def progress(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class EmulatedButler:
    """Task state of one emulated server. Everything runs on the event loop that serves requests."""

    def __init__(self, tasks: tuple[TaskSpec, ...], *, task_duration: float) -> None:
        self.tasks: dict[str, TaskSpec] = {task.name: task for task in tasks}
        self.task_duration = task_duration
        self.in_maintenance_window = False
        self.scheduled: set[str] = set()
        self.run: ButlerRun | None = None
        self.completed: list[str] = []
        self._runner: asyncio.Task[None] | None = None
        self._current_step: asyncio.Task[None] | None = None
        self._listeners: list[ActivityListener] = []

    def add_listener(self, listener: ActivityListener) -> Callable[[], None]:
        """Call `listener(event, activity)` on every activity change; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def is_running(self, name: str) -> bool:
        run = self.run
        return run is not None and (run.current == name or name in run.queue)

    def activity(self) -> dict[str, object] | None:
        """The butler activity as `GET /activities` shows it, or None when idle."""
        return None if self.run is None else _butler_activity(self.run)

    def start(self, name: str) -> bool:
        """Queue one task; False when it is already running or queued (the server's 202)."""
        if self.is_running(name):
            return False
        self.scheduled.discard(name)
        run = self.run
        if run is None:
            run = self.run = ButlerRun()
            run.queue.append(name)
            run.total = 1
            self._emit("started")
            self._runner = asyncio.get_running_loop().create_task(self._run_queue(run))
        else:
            run.queue.append(name)
            run.total += 1
            self._emit("updated")
        return True

    def start_all(self) -> None:
        """Every enabled task; inside the window the randomized ones are only scheduled."""
        for task in self.tasks.values():
            if not task.enabled:
                continue
            if self.in_maintenance_window and task.randomized:
                self.scheduled.add(task.name)
            else:
                self.start(task.name)

    def stop(self, name: str) -> bool:
        """Stop one task; False when it was neither running nor queued (the server's 404)."""
        run = self.run
        if run is None:
            return False
        if name in run.queue:
            run.queue.remove(name)
            run.total -= 1
            self._emit("updated")
            return True
        if run.current == name and self._current_step is not None:
            self._current_step.cancel()
            return True
        return False

    async def stop_all(self) -> None:
        """Stop everything running and drop whatever is scheduled."""
        self.scheduled.clear()
        runner = self._runner
        if runner is not None and not runner.done():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner

    async def close(self) -> None:
        await self.stop_all()

    async def _run_queue(self, run: ButlerRun) -> None:
        try:
            while run.queue:
                run.current = run.queue.popleft()
                self._emit("updated")
                self._current_step = asyncio.get_running_loop().create_task(asyncio.sleep(self.task_duration))
                try:
                    await self._current_step
                    self.completed.append(run.current)
                except asyncio.CancelledError:
                    # Only the step was cancelled (stop of this one task): go on with the queue.
                    runner = asyncio.current_task()
                    if runner is not None and runner.cancelling():
                        raise
                run.done += 1
                run.current = None
        finally:
            if self._current_step is not None:
                self._current_step.cancel()
            self._current_step = None
            run.current = None
            self.run = None
            self._runner = None
            self._emit_ended(run)

    def _emit(self, event: str) -> None:
        activity = self.activity()
        if activity is not None:
            for listener in list(self._listeners):
                listener(event, activity)

    def _emit_ended(self, run: ButlerRun) -> None:
        activity = _butler_activity(run) | {"subtitle": "", "progress": 100}
        for listener in list(self._listeners):
            listener("ended", activity)


def _butler_activity(run: ButlerRun) -> dict[str, object]:
    return {
        "uuid": run.uuid,
        "type": "butler",
        "cancellable": False,
        "userID": 1,
        "title": "Butler tasks",
        "subtitle": run.current or "",
        "progress": run.progress,
    }
