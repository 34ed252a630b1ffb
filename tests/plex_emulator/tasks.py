"""The Butler task list of a real Plex Media Server 1.43.2.10687 (Linux, June 2026).

Transcribed from the captured `GET /butler` answer described in shared/plex/README.md: same names,
order and attributes; only BackupDatabase carries a title and description there, so only it does here.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One task as the emulated server lists it."""

    name: str
    interval: int = 1
    randomized: bool = False
    enabled: bool = True
    title: str | None = None
    description: str | None = None


REAL_1_43_2_TASKS: tuple[TaskSpec, ...] = (
    TaskSpec("AutomaticUpdates", enabled=False),
    TaskSpec(
        "BackupDatabase",
        interval=3,
        title="Backup Database",
        description=("Create a backup copy of the server's database in the configured backup directory"),
    ),
    TaskSpec("ButlerTaskCleanSupplementalLogFiles", enabled=False),
    TaskSpec("ButlerTaskGenerateAdMarkers", enabled=False),
    TaskSpec("ButlerTaskGenerateCreditsMarkers", randomized=True),
    TaskSpec("ButlerTaskGenerateIntroMarkers"),
    TaskSpec("ButlerTaskGenerateVoiceActivity", randomized=True, enabled=False),
    TaskSpec("CleanOldBundles", interval=7),
    TaskSpec("CleanOldCacheFiles", interval=7),
    TaskSpec("DeepMediaAnalysis"),
    TaskSpec("GarbageCollectBlobs", interval=7),
    TaskSpec("GarbageCollectLibraryMedia"),
    TaskSpec("GenerateChapterThumbs"),
    TaskSpec("GenerateMediaIndexFiles", enabled=False),
    TaskSpec("LoudnessAnalysis"),
    TaskSpec("MusicAnalysis"),
    TaskSpec("OptimizeDatabase", interval=7),
    TaskSpec("ProcessAssets"),
    TaskSpec("RefreshEpgGuides", randomized=True),
    TaskSpec("RefreshLibraries", enabled=False),
    TaskSpec("RefreshLocalMedia", interval=3),
    TaskSpec("RefreshPeriodicMetadata", randomized=True),
    TaskSpec("UpgradeMediaAnalysis"),
)


# Tasks of the 1.43.2 list that get no Butler toggle here: updates and the EPG follow their own
# settings (update channel, DVR), so a server need not offer every task a toggle. A guess, kept small.
TASKS_WITHOUT_TOGGLE = frozenset({"AutomaticUpdates", "RefreshEpgGuides"})


def toggle_id(task_name: str) -> str:
    """The Butler setting that schedules a task: `ButlerTask<Name>`, or the name when it has that prefix."""
    return task_name if task_name.startswith("ButlerTask") else f"ButlerTask{task_name}"


def butler_settings(tasks: tuple[TaskSpec, ...]) -> dict[str, dict[str, object]]:
    """The Butler group of `GET /:/prefs` for these tasks, plus two settings of other groups."""
    settings: dict[str, dict[str, object]] = {
        "FriendlyName": {
            "id": "FriendlyName",
            "label": "Friendly name",
            "summary": "",
            "type": "text",
            "default": "",
            "value": "Living room Plex",
            "group": "general",
        },
        "sendCrashReports": {
            "id": "sendCrashReports",
            "label": "Send crash reports to Plex",
            "summary": "",
            "type": "bool",
            "default": True,
            "value": True,
            "group": "general",
        },
        "ButlerStartHour": {
            "id": "ButlerStartHour",
            "label": "Time at which tasks start to run",
            "summary": "The time at which the server starts running background maintenance tasks.",
            "type": "int",
            "default": 2,
            "value": 2,
            "group": "butler",
            "range": (0, 23),
        },
        "ButlerEndHour": {
            "id": "ButlerEndHour",
            "label": "Time at which tasks stop running",
            "summary": "The time at which the background maintenance tasks stop running.",
            "type": "int",
            "default": 5,
            "value": 5,
            "group": "butler",
            "range": (0, 23),
        },
    }
    for task in tasks:
        if task.name in TASKS_WITHOUT_TOGGLE:
            continue
        setting_id = toggle_id(task.name)
        settings[setting_id] = {
            "id": setting_id,
            "label": task.title or task.name,
            "summary": "",
            "type": "bool",
            "default": task.enabled,
            "value": task.enabled,
            "group": "butler",
            "task": task.name,
        }
    return settings
