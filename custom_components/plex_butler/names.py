"""How tasks are named on screen: a translation key per task Plex Butler knows, the server's title else.

Entity names take no translated placeholders, so each known task has its own keys, one per entity
kind: `<slug>` for its task switch, `<slug>_schedule` for its schedule switch or select. The words
live in strings.json and translations/; only the English names, which the actions accept, are here too.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .api import BEHAVIOUR_TASKS, task_slug

# Every task Plex Butler knows (decoration only, never a filter: any task the server lists is shown),
# with the English names it has shown for it, the current one first. The actions accept these names
# beside the server's, so they are kept here and not only in strings.json: a name renamed later stays
# accepted. A test keeps the first of each equal to translations/en.json.
# The 23 tasks of a 1.43.2 server, then GenerateBlurHashes of Plex's current API description, then
# names older servers listed.
ENGLISH_NAMES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "AutomaticUpdates": ("Install server update",),
        "BackupDatabase": ("Back up database", "Backup database"),
        "ButlerTaskCleanSupplementalLogFiles": ("Clean supplemental log files",),
        "ButlerTaskGenerateAdMarkers": ("Generate ad markers",),
        "ButlerTaskGenerateCreditsMarkers": ("Generate credits markers",),
        "ButlerTaskGenerateIntroMarkers": ("Generate intro markers",),
        "ButlerTaskGenerateVoiceActivity": ("Detect voice activity",),
        "CleanOldBundles": ("Clean old bundles",),
        "CleanOldCacheFiles": ("Clean old cache files",),
        "DeepMediaAnalysis": ("Deep media analysis",),
        "GarbageCollectBlobs": ("Remove unused blobs",),
        "GarbageCollectLibraryMedia": ("Remove deleted library media",),
        "GenerateChapterThumbs": ("Generate chapter thumbnails",),
        "GenerateMediaIndexFiles": ("Generate video preview thumbnails",),
        "LoudnessAnalysis": ("Analyze loudness",),
        "MusicAnalysis": ("Analyze music",),
        "OptimizeDatabase": ("Optimize database",),
        "ProcessAssets": ("Process assets",),
        "RefreshEpgGuides": ("Refresh program guides",),
        "RefreshLibraries": ("Refresh libraries",),
        "RefreshLocalMedia": ("Refresh local metadata",),
        "RefreshPeriodicMetadata": ("Refresh metadata",),
        "UpgradeMediaAnalysis": ("Upgrade media analysis",),
        "GenerateBlurHashes": ("Generate blur hashes",),
        "BuildGracenoteCollections": ("Build Gracenote collections",),
        "CheckForUpdates": ("Check for server updates",),
        "GenerateAutoTags": ("Tag photos",),
        "ReverseGeocode": ("Look up photo locations",),
    }
)
KNOWN_TASKS: Final = frozenset(ENGLISH_NAMES)
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


def english_name(name: str) -> str | None:
    """The English name Plex Butler shows for a task (the one actions accept), or None if unknown."""
    names = ENGLISH_NAMES.get(name)
    return None if names is None else names[0]


def task_key(name: str) -> str | None:
    """The translation key of a known task's switch; None for a task we do not know."""
    return task_slug(name) if name in KNOWN_TASKS else None


def shown_by_default(name: str) -> bool:
    """Whether a task's switch shows on dashboards when it is first added."""
    return name in EVERYDAY_TASKS or name not in KNOWN_TASKS


def schedule_key(name: str | None) -> str:
    """The translation key of a task's schedule switch or select."""
    return f"{task_slug(name)}_schedule" if name in KNOWN_TASKS and name is not None else UNKNOWN_SCHEDULE_KEY


def toggle_key(name: str) -> str:
    """The translation key of a task's schedule switch.

    A task that a behaviour governs has a select named "<task> schedule"; where its server keeps an
    old toggle too (video preview thumbnails), the switch needs a name of its own.
    """
    if name in BEHAVIOUR_TASKS.values():
        return f"{task_slug(name)}_old_toggle"
    return schedule_key(name)
