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
from .parsing import readable_title

__all__ = [
    "DEFAULT_PORT",
    "MAX_BODY_BYTES",
    "Activity",
    "ActivityNotification",
    "ButlerTask",
    "PlexButlerAuthError",
    "PlexButlerClient",
    "PlexButlerConnectionError",
    "PlexButlerError",
    "PlexButlerForbiddenError",
    "PlexButlerNotFoundError",
    "PlexButlerResponseError",
    "PlexButlerSslError",
    "ServerIdentity",
    "Setting",
    "StartResult",
    "StopResult",
    "normalize_url",
    "readable_title",
    "validate_task_name",
]
