"""Async client for the Plex Media Server Butler API.

It knows Plex and aiohttp and nothing of Home Assistant, so it could be published as it is.
"""

from .client import DEFAULT_PORT, MAX_BODY_BYTES, PlexButlerClient, normalize_url, validate_task_name
from .errors import (
    PlexButlerAuthError,
    PlexButlerConnectionError,
    PlexButlerError,
    PlexButlerForbiddenError,
    PlexButlerNotFoundError,
    PlexButlerResponseError,
    PlexButlerSettingError,
    PlexButlerSslError,
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
from .parsing import readable_title, task_slug
from .schedule import (
    BEHAVIOUR_TASKS,
    SETTING_END_HOUR,
    SETTING_START_HOUR,
    ButlerSettings,
    ScheduleControl,
    TaskSchedule,
)

__all__ = [
    "BEHAVIOUR_TASKS",
    "DEFAULT_PORT",
    "MAX_BODY_BYTES",
    "SETTING_END_HOUR",
    "SETTING_START_HOUR",
    "Activity",
    "ActivityNotification",
    "ButlerSettings",
    "ButlerTask",
    "PlexButlerAuthError",
    "PlexButlerClient",
    "PlexButlerConnectionError",
    "PlexButlerError",
    "PlexButlerForbiddenError",
    "PlexButlerNotFoundError",
    "PlexButlerResponseError",
    "PlexButlerSettingError",
    "PlexButlerSslError",
    "ScheduleControl",
    "ServerIdentity",
    "Setting",
    "StartResult",
    "StopResult",
    "TaskSchedule",
    "normalize_url",
    "readable_title",
    "task_slug",
    "validate_task_name",
]
