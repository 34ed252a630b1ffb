"""Turn Plex response bodies (JSON or XML) into the client's models.

Plex answers JSON when asked and XML otherwise; some servers and proxies ignore the Accept header, so
every parser takes either. Both formats are first reduced to the same shape, a container's attributes
plus the attributes of its direct children of one element name, and then read field by field. Anything
that does not fit raises PlexButlerResponseError, never another exception.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from .errors import PlexButlerResponseError
from .models import Activity, ActivityNotification, ButlerTask, ServerIdentity, Setting
from .schedule import TOGGLE_PREFIX

type Record = Mapping[str, Any]

# Words Plex writes in CamelCase that read better in capitals in a title.
_ACRONYMS = {"epg": "EPG", "db": "DB", "dvr": "DVR", "id": "ID", "tv": "TV", "hdr": "HDR"}
_SEPARATORS = re.compile(r"[\s_-]+")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@dataclass(frozen=True, slots=True)
class Container:
    """The common shape of a JSON or XML Plex document."""

    name: str
    attributes: Record
    children: Sequence[Record]


def readable_title(name: str) -> str:
    """A title for a task the server gave no title: "RefreshEpgGuides" -> "Refresh EPG guides"."""
    stem = name.removeprefix(TOGGLE_PREFIX) or name
    words = [_ACRONYMS.get(word.lower(), word.lower()) for word in _WORD.findall(stem)]
    if not words:
        return name
    first = words[0]
    words[0] = first if first.isupper() else first.capitalize()
    return " ".join(words)


def task_slug(name: str) -> str:
    """A task name as a lowercase slug: "BackupDatabase" -> "backup_database".

    Slugs are what Home Assistant accepts as translation keys and translatable states.
    """
    return "_".join(word.lower() for word in _WORD.findall(name)) or "task"


def task_match_key(text: str) -> str:
    """What two spellings of one task name have in common: no case, spaces, underscores or prefix.

    "Backup database", "backup_database" and "BackupDatabase" all give "backupdatabase";
    "generate intro markers" and "ButlerTaskGenerateIntroMarkers" both give "generateintromarkers".
    Any other character is kept, so it matches no task name.
    """
    key = _SEPARATORS.sub("", text.casefold())
    return key.removeprefix(TOGGLE_PREFIX.casefold()) or key


def parse_container(body: bytes, *, roots: tuple[str, ...], child: str) -> Container:
    """Read a JSON or XML document whose root is one of `roots`, keeping children named `child`."""
    start = body.lstrip()[:1]
    if start == b"<":
        return _parse_xml(body, roots, child)
    if start in (b"{", b"["):
        return _parse_json(body, roots, child)
    raise PlexButlerResponseError("The server's answer is neither JSON nor XML")


def _parse_json(body: bytes, roots: tuple[str, ...], child: str) -> Container:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise PlexButlerResponseError("The server sent malformed JSON") from err
    if not isinstance(document, dict):
        raise PlexButlerResponseError("The server sent JSON without an object at the top")
    for root in roots:
        container = document.get(root)
        if isinstance(container, dict):
            break
    else:
        raise PlexButlerResponseError(f"The server's JSON has none of {', '.join(roots)}")
    children = container.get(child, [])
    if isinstance(children, dict):
        children = [children]
    if not isinstance(children, list) or not all(isinstance(item, dict) for item in children):
        raise PlexButlerResponseError(f"The server's JSON has a malformed {child} list")
    attributes = {key: value for key, value in container.items() if key != child}
    return Container(root, attributes, children)


def _parse_xml(body: bytes, roots: tuple[str, ...], child: str) -> Container:
    # A streaming parse that keeps two levels: no tree is built, nesting depth costs nothing, and any
    # document type declaration is refused, so entities can neither expand nor reach outside.
    parser = expat.ParserCreate()
    root: list[tuple[str, dict[str, str]]] = []
    children: list[dict[str, str]] = []
    depth = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 1:
            root.append((tag, attributes))
        elif depth == 2 and tag == child:
            children.append(attributes)

    def end(_tag: str) -> None:
        nonlocal depth
        depth -= 1

    def refuse_doctype(*_args: object) -> None:
        raise PlexButlerResponseError("The server sent XML with a document type declaration")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, ValueError, LookupError) as err:
        raise PlexButlerResponseError("The server sent malformed XML") from err
    if not root or root[0][0] not in roots:
        raise PlexButlerResponseError(f"The server's XML has none of {', '.join(roots)}")
    return Container(root[0][0], root[0][1], children)


def _text(record: Record, key: str, *, default: str | None = None) -> str:
    value = record.get(key, default)
    if isinstance(value, str):
        return value
    if value is None:
        raise PlexButlerResponseError(f"The server's answer lacks {key!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise PlexButlerResponseError(f"The server's {key!r} is not text")


def _optional_text(record: Record, key: str) -> str | None:
    return _text(record, key) if record.get(key) is not None else None


def _number(record: Record, key: str) -> int | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PlexButlerResponseError(f"The server's {key!r} is not a number")
    if isinstance(value, int):
        return value
    try:
        return round(float(value))
    except (TypeError, ValueError, OverflowError) as err:
        raise PlexButlerResponseError(f"The server's {key!r} is not a number") from err


def _flag(record: Record, key: str, *, default: bool = False) -> bool:
    value = record.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false"):
        return value.strip().lower() in ("1", "true")
    raise PlexButlerResponseError(f"The server's {key!r} is not a yes/no value")


def parse_tasks(body: bytes) -> list[ButlerTask]:
    """`GET /butler`: every task the server lists, in the server's order."""
    container = parse_container(body, roots=("ButlerTasks", "MediaContainer"), child="ButlerTask")
    tasks = []
    for record in container.children:
        name = _text(record, "name")
        if not name:
            raise PlexButlerResponseError("The server listed a Butler task without a name")
        title = _optional_text(record, "title")
        tasks.append(
            ButlerTask(
                name=name,
                title=title or readable_title(name),
                description=_optional_text(record, "description"),
                interval_days=_number(record, "interval"),
                scheduled=_flag(record, "enabled", default=True),
                randomized=_flag(record, "scheduleRandomized"),
            )
        )
    return tasks


def parse_activity(record: Record) -> Activity:
    """One activity record, from `GET /activities` or a websocket notification."""
    progress = _number(record, "progress")
    return Activity(
        uuid=_text(record, "uuid"),
        type=_text(record, "type", default=""),
        title=_text(record, "title", default=""),
        subtitle=_text(record, "subtitle", default=""),
        # Plex reports -1 for "no idea how far": that is no progress figure, not a negative one.
        progress=None if progress is None or progress < 0 else min(progress, 100),
        cancellable=_flag(record, "cancellable"),
    )


def parse_activities(body: bytes) -> list[Activity]:
    """`GET /activities`: everything the server is doing, Butler or not."""
    container = parse_container(body, roots=("MediaContainer",), child="Activity")
    return [parse_activity(record) for record in container.children]


def parse_identity(body: bytes) -> ServerIdentity:
    """`GET /`: the server's id, version and name."""
    attributes = parse_container(body, roots=("MediaContainer",), child="Directory").attributes
    identifier = _text(attributes, "machineIdentifier")
    if not identifier:
        raise PlexButlerResponseError("The server did not say its machine identifier")
    return ServerIdentity(
        machine_identifier=identifier,
        version=_text(attributes, "version", default=""),
        friendly_name=_text(attributes, "friendlyName", default="") or identifier,
    )


def parse_notification(text: str | bytes) -> list[ActivityNotification]:
    """One websocket frame: its activity events, or none for frames of other types."""
    container = parse_container(
        text.encode() if isinstance(text, str) else text,
        roots=("NotificationContainer",),
        child="ActivityNotification",
    )
    if container.attributes.get("type") != "activity":
        return []
    notifications = []
    for record in container.children:
        activity = record.get("Activity")
        if not isinstance(activity, dict):
            raise PlexButlerResponseError("An activity notification without its activity")
        notifications.append(ActivityNotification(_text(record, "event"), parse_activity(activity)))
    return notifications


def _typed(record: Record, key: str, kind: str) -> bool | int | float | str:
    if kind == "bool":
        return _flag(record, key)
    if kind == "int":
        number = _number(record, key)
        if number is None:
            raise PlexButlerResponseError(f"The server's setting {key!r} has no number")
        return number
    if kind == "double":
        try:
            return float(_text(record, key))
        except ValueError as err:
            raise PlexButlerResponseError(f"The server's setting {key!r} is not a number") from err
    return _text(record, key, default="")


def parse_enum_values(text: str) -> tuple[tuple[str, str], ...]:
    """`enumValues`: "0:Midnight|1:1 am" or "never:never|asap:as a scheduled task and when media is added".

    Each pair is split on its first ASCII colon only: labels may hold colons of their own, and one real
    server writes hours as "1\ua789""00" with a colon look-alike (U+A789).
    """
    pairs = []
    for item in text.split("|"):
        if not item:
            continue
        key, _colon, label = item.partition(":")
        pairs.append((key, label or key))
    return tuple(pairs)


def parse_settings(body: bytes) -> list[Setting]:
    """`GET /:/prefs`: the server's settings, each value typed."""
    container = parse_container(body, roots=("MediaContainer",), child="Setting")
    settings = []
    for record in container.children:
        kind = _text(record, "type", default="text")
        settings.append(
            Setting(
                id=_text(record, "id"),
                label=_text(record, "label", default=""),
                summary=_text(record, "summary", default=""),
                type=kind,
                value=_typed(record, "value", kind),
                default=_typed(record, "default", kind) if record.get("default") not in (None, "") else None,
                group=_text(record, "group", default=""),
                hidden=_flag(record, "hidden"),
                advanced=_flag(record, "advanced"),
                enum_values=parse_enum_values(_text(record, "enumValues", default="")),
            )
        )
    return settings
