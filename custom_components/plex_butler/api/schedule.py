"""What a Plex server's preferences say about the Butler's schedule.

Three kinds of preference matter, as real servers list them (a 2019 server's `GET /:/prefs`, and the
behaviours current servers add):
- the window: `ButlerStartHour` and `ButlerEndHour`, whole hours in the server's local time;
- toggles: a bool `ButlerTask<Name>` per classic task, saying whether the window runs it;
- behaviours: text preferences such as `GenerateIntroMarkerBehavior` (never / scheduled / asap) that
  govern the analysis and marker tasks, which have no toggle on any real server.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from .models import Setting

SETTING_START_HOUR: Final = "ButlerStartHour"
SETTING_END_HOUR: Final = "ButlerEndHour"
TOGGLE_PREFIX: Final = "ButlerTask"
BEHAVIOUR_SUFFIX: Final = "Behavior"
BEHAVIOUR_NEVER: Final = "never"
# Preferences whose ids begin like toggles but are not one (update policy, update bookkeeping).
NOT_TOGGLES: Final = frozenset({"ButlerTaskUpdateServer", "ButlerTaskUpdateScheduled"})

# The task each behaviour preference governs. Matched by name: no server documents which behaviour
# governs which task; a behaviour preference missing here still gets its control, only without a task.
BEHAVIOUR_TASKS: Final[Mapping[str, str]] = {
    "GenerateIntroMarkerBehavior": "ButlerTaskGenerateIntroMarkers",
    "GenerateCreditsMarkerBehavior": "ButlerTaskGenerateCreditsMarkers",
    "GenerateAdMarkerBehavior": "ButlerTaskGenerateAdMarkers",
    "GenerateVADBehavior": "ButlerTaskGenerateVoiceActivity",
    "MusicAnalysisBehavior": "MusicAnalysis",
    "LoudnessAnalysisBehavior": "LoudnessAnalysis",
    "GenerateChapterThumbBehavior": "GenerateChapterThumbs",
    "GenerateBIFBehavior": "GenerateMediaIndexFiles",
}
HOURS: Final = range(24)


class ScheduleControl(StrEnum):
    """How a task is put in the maintenance window, if at all."""

    TOGGLE = "toggle"
    BEHAVIOUR = "behaviour"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    """The preference that schedules one task, and which kind it is."""

    control: ScheduleControl
    setting: Setting | None = None


def is_behaviour(setting: Setting) -> bool:
    """Whether a preference is a never/scheduled/asap behaviour."""
    return (
        setting.type == "text"
        and setting.id.endswith(BEHAVIOUR_SUFFIX)
        and BEHAVIOUR_NEVER in setting.enum_keys
    )


def is_toggle(setting: Setting) -> bool:
    """Whether a preference is a task's on/off toggle."""
    return setting.type == "bool" and setting.id.startswith(TOGGLE_PREFIX) and setting.id not in NOT_TOGGLES


def toggle_ids(task_name: str) -> tuple[str, ...]:
    """Where a task's toggle may be: `ButlerTask<Name>`, or its own name when it carries the prefix."""
    own = (task_name,) if task_name.startswith(TOGGLE_PREFIX) else ()
    return (f"{TOGGLE_PREFIX}{task_name}", *own)


@dataclass(frozen=True, slots=True)
class ButlerSettings:
    """The schedule-related preferences of one server, by id; everything else it has is left out."""

    settings: Mapping[str, Setting]

    @classmethod
    def from_settings(cls, settings: Iterable[Setting]) -> "ButlerSettings":
        """Keep the window's hours, the toggles and the behaviours of a full `GET /:/prefs`."""
        kept = {
            setting.id: setting
            for setting in settings
            if setting.id in (SETTING_START_HOUR, SETTING_END_HOUR)
            or is_toggle(setting)
            or is_behaviour(setting)
        }
        return cls(kept)

    def hour(self, setting_id: str) -> int | None:
        """The hour a window setting holds, where the server has it."""
        setting = self.settings.get(setting_id)
        return setting.value if setting is not None and type(setting.value) is int else None

    def hour_range(self, setting_id: str) -> tuple[int, int]:
        """The lowest and highest hour the server offers (its `enumValues`), else 0 to 23."""
        setting = self.settings.get(setting_id)
        keys = [] if setting is None else [key for key in setting.enum_keys if key.isdigit()]
        hours = [int(key) for key in keys] or list(HOURS)
        return min(hours), max(hours)

    def toggle(self, task_name: str) -> Setting | None:
        """The task's on/off toggle, where the server has one."""
        for setting_id in toggle_ids(task_name):
            setting = self.settings.get(setting_id)
            if setting is not None and is_toggle(setting):
                return setting
        return None

    @property
    def behaviours(self) -> list[Setting]:
        """Every behaviour preference, in the server's order."""
        return [setting for setting in self.settings.values() if is_behaviour(setting)]

    def behaviour(self, task_name: str) -> Setting | None:
        """The behaviour preference that governs a task, where the server has one."""
        for setting_id, task in BEHAVIOUR_TASKS.items():
            setting = self.settings.get(setting_id)
            if task == task_name and setting is not None and is_behaviour(setting):
                return setting
        return None

    def schedule(self, task_name: str) -> TaskSchedule:
        """How the task is scheduled. A behaviour wins over a toggle: Plex Web shows the behaviour."""
        if (behaviour := self.behaviour(task_name)) is not None:
            return TaskSchedule(ScheduleControl.BEHAVIOUR, behaviour)
        if (toggle := self.toggle(task_name)) is not None:
            return TaskSchedule(ScheduleControl.TOGGLE, toggle)
        return TaskSchedule(ScheduleControl.NONE)

    def with_values(self, values: Mapping[str, bool | int | str]) -> "ButlerSettings":
        """These settings as they are after a write of `values` that the server accepted."""
        changed = dict(self.settings)
        for setting_id, value in values.items():
            setting = changed.get(setting_id)
            if setting is not None:
                changed[setting_id] = replace(setting, value=value)
        return ButlerSettings(changed)
