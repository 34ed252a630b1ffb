"""Plain data the client hands out: frozen, hashable, no behaviour beyond small derived values."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class ServerIdentity:
    """Who the server is. machine_identifier is the stable id; friendly_name may be a hostname."""

    machine_identifier: str
    version: str
    friendly_name: str


@dataclass(frozen=True, slots=True)
class ButlerTask:
    """One entry of `GET /butler`. The name is the server's own and never comes from a list of ours."""

    name: str
    title: str
    description: str | None
    interval_days: int | None
    # Plex's `enabled`: whether the Butler's schedule runs the task (it can be started either way).
    scheduled: bool
    randomized: bool

    def attributes(self) -> dict[str, int | bool | None]:
        """What every view of the task shows beside its name: the switch, list_tasks, diagnostics."""
        return {
            "interval_days": self.interval_days,
            "scheduled": self.scheduled,
            "randomized": self.randomized,
        }


# Tasks that do their real work in an activity of their own before their (then instant) child, as a
# 1.43.2 server's activities table shows. Analysis activities (`media.generate.*`) are not here: they
# also run outside the Butler, whenever media is added.
OWN_ACTIVITY_TASKS: Final[Mapping[str, str]] = MappingProxyType(
    {"general.db.optimize": "OptimizeDatabase", "general.bundle.clean": "CleanOldBundles"}
)


@dataclass(frozen=True, slots=True)
class Activity:
    """One entry of `GET /activities` or of an activity notification."""

    uuid: str
    type: str
    title: str
    subtitle: str
    progress: int | None
    cancellable: bool

    @property
    def is_butler(self) -> bool:
        """Whether the Butler opened this activity: a run (the parent) or one task of it (a child)."""
        return self.type == "butler"

    @property
    def own_task(self) -> str | None:
        """The Butler task that does its work in this activity of its own type, if any."""
        return OWN_ACTIVITY_TASKS.get(self.type)


@dataclass(frozen=True, slots=True)
class ActivityNotification:
    """One activity event from the server's notification socket."""

    event: str  # "started", "updated" or "ended"
    activity: Activity


type SettingValue = bool | int | float | str


@dataclass(frozen=True, slots=True)
class Setting:
    """One server preference from `GET /:/prefs`; `value` is typed by `type` (bool, int, double, text).

    `enum_values` are the allowed values as (value, label) pairs in the server's order, empty when the
    setting takes any value; labels are the server's, in its language. Plex Web does not show `hidden`
    settings.
    """

    id: str
    label: str
    summary: str
    type: str
    value: SettingValue
    default: SettingValue | None
    group: str
    hidden: bool = False
    advanced: bool = False
    enum_values: tuple[tuple[str, str], ...] = ()

    @property
    def enum_keys(self) -> tuple[str, ...]:
        """The allowed values, without their labels."""
        return tuple(key for key, _label in self.enum_values)


class StartResult(StrEnum):
    """What `POST /butler/{name}` did: 200 started it, 202 found it already running."""

    STARTED = "started"
    ALREADY_RUNNING = "already_running"


class StopResult(StrEnum):
    """What `DELETE /butler/{name}` did: 200 stopped it, 404 found it not running."""

    STOPPED = "stopped"
    NOT_RUNNING = "not_running"
