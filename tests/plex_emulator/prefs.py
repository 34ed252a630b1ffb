"""The preferences (`GET /:/prefs`) of the emulated server, in the shape real servers send.

Transcribed from a real 2019 server's answer (tests/fixtures/prefs_2019_macos.json; its source is in
tests/fixtures/README.md): every attribute a real record has (id, label, summary, type, default,
value, hidden, advanced, group, enumValues), the window hours with their 24 labelled values, the
`ButlerTask<Name>` toggles of the classic tasks, the `Butler*` preferences that are not toggles, and a
hidden `ButlerTaskGenerateMediaIndexFiles` with an empty group. From later servers (their preference
lists and real-server test suites, no capture): `ButlerTaskGarbageCollectBlobs` (2022+), `hidden` on
the GarbageCollectBlobs, RefreshEpgGuides and GenerateMediaIndexFiles toggles (2022), and the
behaviour preferences of a current server.

No toggle is invented: the analysis and marker tasks of 1.43.2 get none, as on every real server. Only
132 settings would make the answer as long as a real one; the emulator keeps the Butler's and two others.
"""

from typing import Final

# Values are a fresh current server's defaults; the capture's own values differ where its owner set them.
HOURS: Final = (
    "0:Midnight|1:1 am|2:2 am|3:3 am|4:4 am|5:5 am|6:6 am|7:7 am|8:8 am|9:9 am|10:10 am|11:11 am|12:Noon|"
    "13:1 pm|14:2 pm|15:3 pm|16:4 pm|17:5 pm|18:6 pm|19:7 pm|20:8 pm|21:9 pm|22:10 pm|23:11 pm"
)
BEHAVIOURS: Final = (
    "never:never|scheduled:as a scheduled task|asap:as a scheduled task and when media is added"
)


def _setting(
    setting_id: str,
    label: str,
    kind: str,
    default: object,
    *,
    summary: str = "",
    group: str = "butler",
    hidden: bool = False,
    advanced: bool = False,
    enum_values: str | None = None,
) -> dict[str, object]:
    record: dict[str, object] = {
        "id": setting_id,
        "label": label,
        "summary": summary,
        "type": kind,
        "default": default,
        "value": default,
        "hidden": hidden,
        "advanced": advanced,
        "group": group,
    }
    if enum_values is not None:
        record["enumValues"] = enum_values
    return record


def _toggle(task: str, label: str, default: bool = True, **options: object) -> dict[str, object]:
    return _setting(f"ButlerTask{task}", label, "bool", default, **options)  # type: ignore[arg-type]


def _behaviour(setting_id: str, label: str, default: str, summary: str = "") -> dict[str, object]:
    return _setting(
        setting_id, label, "text", default, summary=summary, group="library", enum_values=BEHAVIOURS
    )


def real_settings() -> dict[str, dict[str, object]]:
    """A current server's Butler-related preferences and two others, by id, in the capture's order."""
    records = [
        _setting(
            "FriendlyName",
            "Friendly name",
            "text",
            "Living room Plex",
            summary="This name will be used to identify this media server to other computers on your network.",  # noqa: E501
            group="general",
        ),
        _setting("sendCrashReports", "Send crash reports to Plex", "bool", True, group="general"),
        _setting(
            "ButlerStartHour",
            "Time at which tasks start to run",
            "int",
            2,
            summary="The time at which the server starts running background maintenance tasks.",
            enum_values=HOURS,
        ),
        _setting(
            "ButlerEndHour",
            "Time at which tasks stop running",
            "int",
            5,
            summary="The time at which the background maintenance tasks stop running.",
            enum_values=HOURS,
        ),
        _toggle("BackupDatabase", "Backup database every three days"),
        _setting(
            "ButlerDatabaseBackupPath",
            "Backup directory",
            "text",
            "/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Plug-in Support/Databases",  # noqa: E501
            summary="The directory in which database backups are stored.",
            advanced=True,
        ),
        _toggle("OptimizeDatabase", "Optimize database every week"),
        _toggle("CleanOldBundles", "Remove old bundles every week"),
        _toggle("CleanOldCacheFiles", "Remove old cache files every week"),
        _toggle("RefreshLocalMedia", "Refresh local metadata every three days"),
        # The capture's owner had turned this one on; its default is off.
        _toggle("RefreshLibraries", "Update all libraries during maintenance", default=False),
        _toggle("UpgradeMediaAnalysis", "Upgrade media analysis during maintenance"),
        _toggle("RefreshPeriodicMetadata", "Refresh metadata periodically"),
        _toggle("DeepMediaAnalysis", "Perform extensive media analysis during maintenance"),
        _toggle("RefreshEpgGuides", "Perform refresh of program guide data.", hidden=True),
        # Toggles of tasks a 1.43.2 server no longer lists: real servers keep them.
        _toggle("ReverseGeocode", "Fetch missing location names for items in photo sections"),
        _toggle("GenerateAutoTags", "Analyze and tag photos"),
        # 2022+; its label is not in any capture here, so this one is ours.
        _toggle("GarbageCollectBlobs", "Garbage collect blobs", hidden=True),
        _setting(
            "ButlerTaskUpdateServer",
            "Server version updates",
            "text",
            "askme",
            group="general",
            enum_values="askme:Ask me|always:Automatically during scheduled maintenance",
        ),
        _setting("ButlerTaskUpdateScheduled", "", "bool", False, group="general", hidden=True),
        _setting("ButlerTaskUpdateVersionSkipped", "", "text", "", group="general", hidden=True),
        _setting(
            "ButlerUpdateChannel",
            "Server update Channel",
            "text",
            "16",
            group="general",
            enum_values="0:Public|8:Beta",
        ),
        _setting("ButlerTaskGenerateMediaIndexFiles", "", "bool", False, group="", hidden=True),
        # Real records (2019 capture).
        _behaviour(
            "GenerateBIFBehavior",
            "Generate video preview thumbnails",
            "never",
            "Video preview thumbnails provide live updates in Now Playing and while seeking on supported apps.",  # noqa: E501
        ),
        _behaviour(
            "GenerateChapterThumbBehavior",
            "Generate chapter thumbnails",
            "scheduled",
            "Chapter thumbnails provide images in the chapter view on supported apps.",
        ),
        _behaviour(
            "LoudnessAnalysisBehavior",
            "Analyze audio tracks for loudness",
            "scheduled",
            "Loudness analysis allows various features, such as loudness leveling and smart transitions.",
        ),
        # INFERRED records: these ids are seen on current servers, but no capture gives their labels or
        # defaults; they take the shape of the three above, with labels of our own.
        _behaviour("GenerateIntroMarkerBehavior", "Generate intro video markers", "scheduled"),
        _behaviour("GenerateCreditsMarkerBehavior", "Generate credits video markers", "scheduled"),
        _behaviour("GenerateAdMarkerBehavior", "Generate ad video markers", "never"),
        _behaviour("GenerateVADBehavior", "Generate voice activity data", "scheduled"),
        _behaviour("MusicAnalysisBehavior", "Analyze audio tracks for sonic features", "scheduled"),
    ]
    return {str(record["id"]): record for record in records}


def toggled_task(setting_id: str) -> str | None:
    """The task a `ButlerTask<Name>` toggle schedules, by the rule real servers follow; None for others."""
    if not setting_id.startswith("ButlerTask") or setting_id in (
        "ButlerTaskUpdateServer",
        "ButlerTaskUpdateScheduled",
    ):
        return None
    return setting_id.removeprefix("ButlerTask")


def hour_range(setting: dict[str, object]) -> range | None:
    """The hours a window setting takes, from its enumValues."""
    values = setting.get("enumValues")
    if not isinstance(values, str) or setting["type"] != "int":
        return None
    hours = [int(pair.partition(":")[0]) for pair in values.split("|")]
    return range(min(hours), max(hours) + 1)
