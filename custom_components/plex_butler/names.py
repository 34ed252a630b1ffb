"""How tasks are named on screen: a translation key per task Plex Butler knows, the server's title else.

Entity names take no translated placeholders, so each known task has its own keys, one per entity
kind: `<slug>` for its task switch, `<slug>_schedule` for its schedule switch or select. The words
themselves live only in strings.json and translations/.
"""

from typing import Final

from .api import task_slug

# The 23 tasks of a 1.43.2 server, GenerateBlurHashes of the current API description, and the older
# names of shared/plex/README.md. Decoration only, never a filter: any task the server lists is shown.
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
        # Listed by older servers.
        "BuildGracenoteCollections",
        "CheckForUpdates",
        "GenerateAutoTags",
        "ReverseGeocode",
    }
)
# The tasks people start by hand (the dashboard recipe's and the use cases'): shown on dashboards. The
# other known tasks are hidden from auto-generated dashboards by default, to keep them short; they stay
# on the device page and work in automations, and a user can show them. Unknown tasks are shown.
EVERYDAY_TASKS: Final = frozenset(
    {
        "BackupDatabase",
        "ButlerTaskGenerateCreditsMarkers",
        "ButlerTaskGenerateIntroMarkers",
        "CleanOldBundles",
        "CleanOldCacheFiles",
        "DeepMediaAnalysis",
        "GenerateMediaIndexFiles",
        "OptimizeDatabase",
        "RefreshLibraries",
        "RefreshPeriodicMetadata",
    }
)
# Keys for what we do not know: the name comes from the server, as a placeholder.
UNKNOWN_TASK_KEY: Final = "task"
UNKNOWN_SCHEDULE_KEY: Final = "task_schedule"


def task_key(name: str) -> str | None:
    """The translation key of a known task's switch; None for a task we do not know."""
    return task_slug(name) if name in KNOWN_TASKS else None


def shown_by_default(name: str) -> bool:
    """Whether a task's switch shows on dashboards when it is first added."""
    return name in EVERYDAY_TASKS or name not in KNOWN_TASKS


def schedule_key(name: str | None) -> str:
    """The translation key of a task's schedule switch or select."""
    return f"{task_slug(name)}_schedule" if name in KNOWN_TASKS and name is not None else UNKNOWN_SCHEDULE_KEY
