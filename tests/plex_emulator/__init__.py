"""An emulated Plex Media Server for tests and the demo; see server.py."""

from .server import NOTIFICATIONS_PATH, Fault, PlexEmulator, RecordedRequest
from .tasks import REAL_1_43_2_TASKS, TaskSpec

__all__ = ["NOTIFICATIONS_PATH", "REAL_1_43_2_TASKS", "Fault", "PlexEmulator", "RecordedRequest", "TaskSpec"]
