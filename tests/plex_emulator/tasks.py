"""The Butler task list of a real Plex Media Server 1.43.2.10687 (Linux, June 2026).

Transcribed from that server's `GET /butler` answer (tests/fixtures/pms_1_43_2/butler.xml): same names,
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
