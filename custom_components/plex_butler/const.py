"""Constants of the Plex Butler integration."""

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "plex_butler"
LOGGER = logging.getLogger(__package__)

# How often the task list and activities are read while nothing tells us sooner.
POLL_INTERVAL: Final = timedelta(seconds=30)
# Seconds a request to the server may take before it counts as unreachable.
REQUEST_TIMEOUT: Final = 10.0
# While the notification socket is open, polling is only a safety net.
PUSH_POLL_INTERVAL: Final = timedelta(minutes=5)
RECONNECT_MIN_SECONDS: Final = 2.0
RECONNECT_MAX_SECONDS: Final = 300.0
# A task we started shows as running until the server's Butler activity has come and gone; a server
# that has not opened that activity this long after our start is taken not to run it after all.
START_GRACE_SECONDS: Final = 15.0

MANUFACTURER: Final = "Plex"
MODEL: Final = "Plex Media Server"

# Plex's Butler settings: the window's hours and one on/off toggle per task, named ButlerTask<Name>.
BUTLER_SETTING_PREFIX: Final = "Butler"
BUTLER_TASK_PREFIX: Final = "ButlerTask"
SETTING_START_HOUR: Final = "ButlerStartHour"
SETTING_END_HOUR: Final = "ButlerEndHour"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_START_HOUR: Final = "start_hour"
ATTR_END_HOUR: Final = "end_hour"
ATTR_TASKS: Final = "tasks"
ATTR_TASK: Final = "task"
ATTR_RESULT: Final = "result"

SERVICE_START_TASK: Final = "start_task"
SERVICE_STOP_TASK: Final = "stop_task"
SERVICE_START_ALL_TASKS: Final = "start_all_tasks"
SERVICE_STOP_ALL_TASKS: Final = "stop_all_tasks"
SERVICE_LIST_TASKS: Final = "list_tasks"
SERVICE_SET_SCHEDULE: Final = "set_schedule"

# Tasks whose switch has its own icon; any other task the server lists still gets a switch, with the
# generic icon. Decoration only, never a filter.
KNOWN_TASKS: Final = frozenset(
    {
        "AutomaticUpdates",
        "BackupDatabase",
        "ButlerTaskCleanSupplementalLogFiles",
        "ButlerTaskGenerateAdMarkers",
        "ButlerTaskGenerateCreditsMarkers",
        "ButlerTaskGenerateIntroMarkers",
        "ButlerTaskGenerateVoiceActivity",
        "CleanOldBundles",
        "CleanOldCacheFiles",
        "DeepMediaAnalysis",
        "GarbageCollectBlobs",
        "GarbageCollectLibraryMedia",
        "GenerateBlurHashes",
        "GenerateChapterThumbs",
        "GenerateMediaIndexFiles",
        "LoudnessAnalysis",
        "MusicAnalysis",
        "OptimizeDatabase",
        "ProcessAssets",
        "RefreshEpgGuides",
        "RefreshLibraries",
        "RefreshLocalMedia",
        "RefreshPeriodicMetadata",
        "UpgradeMediaAnalysis",
    }
)
