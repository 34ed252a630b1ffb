"""The emulated Butler: a queue of tasks run one after another inside one Butler run.

It follows a 1.43.2 server's own activities table and debug log of one run: a run is a parent
activity (type "butler", title "Butler tasks", empty subtitle) whose progress is the share of its
tasks ended so far, so it saws between 100 and lower values as tasks join; each task is a child
activity of the same type and title whose subtitle is the task's name; OptimizeDatabase and
CleanOldBundles do their work in an activity of their own (`general.db.optimize`,
`general.bundle.clean`) that comes before their child, which then lasts no time. Activities carry no
failure state. Inside the maintenance window "start all" only schedules the randomized tasks for later.
"""

import asyncio
import contextlib
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .tasks import TaskSpec

# Called with the event, the activity, and whether the notification socket leaves it out.
type ActivityListener = Callable[[str, dict[str, object], bool], None]


# Tasks that do their work in an activity of their own, before their 0-ms child: (type, title, progress
# steps). OptimizeDatabase's never reaches 100; CleanOldBundles' reports -1 (no measure).
OWN_ACTIVITIES: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "OptimizeDatabase": ("general.db.optimize", "Optimizing database", (0, 10, 40, 60)),
    "CleanOldBundles": ("general.bundle.clean", "Cleaning Bundles", (-1,)),
}


def _activity(uuid_: str, type_: str, title: str, subtitle: str, progress: int) -> dict[str, object]:
    return {
        "uuid": uuid_,
        "type": type_,
        "cancellable": False,
        "userID": 1,
        "title": title,
        "subtitle": subtitle,
        "progress": progress,
    }


@dataclass(slots=True)
class ButlerRun:
    """One Butler run: the parent activity, and which task works now in which child activity."""

    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    queue: deque[str] = field(default_factory=deque)
    current: str | None = None
    # The open child (or own) activities, by uuid, in the order they opened.
    open: dict[str, dict[str, object]] = field(default_factory=dict)
    done: int = 0
    total: int = 0

    @property
    def progress(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    def parent(self) -> dict[str, object]:
        return _activity(self.uuid, "butler", "Butler tasks", "", self.progress)


class EmulatedButler:
    """Task state of one emulated server. Everything runs on the event loop that serves requests."""

    def __init__(self, tasks: tuple[TaskSpec, ...], *, task_duration: float) -> None:
        self.tasks: dict[str, TaskSpec] = {task.name: task for task in tasks}
        self.task_duration = task_duration
        self.in_maintenance_window = False
        self.scheduled: set[str] = set()
        self.run: ButlerRun | None = None
        self.completed: list[str] = []
        # Seconds the parent stays open at 100 % after its last task (a real one stayed open for
        # minutes, until the server stopped): 0 closes it at once.
        self.linger = 0.0
        # Whether the children reach the notification socket; unknown for real servers, so tests try
        # both. Own activities and the parent are always sent; GET /activities lists everything.
        self.push_children = True
        self._runner: asyncio.Task[None] | None = None
        self._current_step: asyncio.Task[None] | None = None
        self._listeners: list[ActivityListener] = []

    def add_listener(self, listener: ActivityListener) -> Callable[[], None]:
        """Call `listener(event, activity, withheld)` on every activity change; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def is_running(self, name: str) -> bool:
        run = self.run
        return run is not None and (run.current == name or name in run.queue)

    def activities(self) -> list[dict[str, object]]:
        """The Butler's activities as `GET /activities` lists them: the parent, then what is open."""
        run = self.run
        return [] if run is None else [run.parent(), *run.open.values()]

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
            self._emit("started", run.parent())
            self._runner = asyncio.get_running_loop().create_task(self._run_queue(run))
        else:
            run.queue.append(name)
            run.total += 1
            self._emit("updated", run.parent())
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
            self._emit("updated", run.parent())
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
                run.current = name = run.queue.popleft()
                self._current_step = asyncio.get_running_loop().create_task(self._run_task(run, name))
                try:
                    await self._current_step
                    self.completed.append(name)
                except asyncio.CancelledError:
                    # Only the step was cancelled (stop of this one task): go on with the queue.
                    runner = asyncio.current_task()
                    if runner is not None and runner.cancelling():
                        raise
                run.done += 1
                run.current = None
                self._emit("updated", run.parent())
            if self.linger:
                await asyncio.sleep(self.linger)
        finally:
            if self._current_step is not None:
                self._current_step.cancel()
            self._current_step = None
            for activity in list(run.open.values()):
                self._end(run, activity)
            run.current = None
            self.run = None
            self._runner = None
            self._emit("ended", run.parent() | {"progress": 100})

    async def _run_task(self, run: ButlerRun, name: str) -> None:
        """One task: its own activity first where it has one, then its child activity."""
        own = OWN_ACTIVITIES.get(name)
        if own is not None:
            kind, title, steps = own
            activity = _activity(str(uuid.uuid4()), kind, title, "", steps[0])
            self._open(run, activity)
            try:
                for progress in steps[1:]:
                    await asyncio.sleep(self.task_duration / len(steps))
                    activity["progress"] = progress
                    self._emit("updated", dict(activity))
                await asyncio.sleep(self.task_duration / len(steps))
            finally:
                self._end(run, activity)
        child = _activity(str(uuid.uuid4()), "butler", "Butler tasks", name, 0)
        self._open(run, child)
        try:
            if own is None:
                await asyncio.sleep(self.task_duration)
        finally:
            self._end(run, child)

    def _open(self, run: ButlerRun, activity: dict[str, object]) -> None:
        run.open[str(activity["uuid"])] = activity
        self._emit("started", dict(activity))

    def _end(self, run: ButlerRun, activity: dict[str, object]) -> None:
        if run.open.pop(str(activity["uuid"]), None) is not None:
            self._emit("ended", dict(activity))

    def _emit(self, event: str, activity: dict[str, object]) -> None:
        is_child = activity["type"] == "butler" and activity["subtitle"] != ""
        for listener in list(self._listeners):
            listener(event, activity, is_child and not self.push_children)
