"""The parsers against real answers and anything at all; addresses as users paste them."""

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.plex_butler.api import (
    PlexButlerResponseError,
    normalize_url,
    readable_title,
)
from custom_components.plex_butler.api.parsing import (
    parse_activities,
    parse_identity,
    parse_notification,
    parse_settings,
    parse_tasks,
)
from custom_components.plex_butler.api.schedule import ButlerSettings

from .conftest import MACHINE_ID
from .plex_emulator import REAL_1_43_2_TASKS

# Real answers of a 1.43.2 server, trimmed; tests/fixtures/README.md names their source.
CAPTURES = Path(__file__).resolve().parent / "fixtures" / "pms_1_43_2"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("192.168.1.10", "http://192.168.1.10:32400"),
        ("192.168.1.10:32401", "http://192.168.1.10:32401"),
        ("http://plex.local/", "http://plex.local:32400"),
        ("https://1-2-3-4.abc.plex.direct:32400", "https://1-2-3-4.abc.plex.direct:32400"),
        ("https://host/plex/", "https://host:32400/plex"),
        ("http://host:32400/?X-Plex-Token=secret#web", "http://host:32400"),
        (" http://user:pw@host ", "http://host:32400"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert str(normalize_url(given)) == expected


@pytest.mark.parametrize("given", ["ftp://host", "file:///etc/passwd", "http://", "", "http://host:99999"])
def test_normalize_url_refuses(given: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        normalize_url(given)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("ButlerTaskGenerateIntroMarkers", "Generate intro markers"),
        ("RefreshEpgGuides", "Refresh EPG guides"),
        ("BackupDatabase", "Backup database"),
        ("ButlerTask", "Butler task"),
        ("X", "X"),
        ("123", "123"),
    ],
)
def test_readable_title(name: str, title: str) -> None:
    assert readable_title(name) == title


def test_json_booleans_in_every_spelling() -> None:
    body = (
        b'{"ButlerTasks": {"ButlerTask": ['
        b'{"name": "A", "interval": 1, "enabled": true, "scheduleRandomized": 0},'
        b'{"name": "B", "interval": "7", "enabled": "1", "scheduleRandomized": "true", "extra": [1]},'
        b'{"name": "C", "enabled": 0, "scheduleRandomized": false}]}}'
    )
    tasks = parse_tasks(body)
    assert [(t.scheduled, t.randomized, t.interval_days) for t in tasks] == [
        (True, False, 1),
        (True, True, 7),
        (False, False, None),
    ]


def test_single_task_as_object_and_empty_list() -> None:
    assert [t.name for t in parse_tasks(b'{"ButlerTasks": {"ButlerTask": {"name": "A"}}}')] == ["A"]
    assert parse_tasks(b'{"ButlerTasks": {}}') == []
    assert parse_tasks(b"<ButlerTasks/>") == []


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b'<ButlerTasks><ButlerTask name="&lol2;"/></ButlerTasks>',
        b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><ButlerTasks/>',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"ButlerTasks": {"ButlerTask": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        b'{"ButlerTasks": {"ButlerTask": [{"name": "A", "enabled": "maybe"}]}}',
        b'{"ButlerTasks": {"ButlerTask": [{"name": ""}]}}',
        b'{"ButlerTasks": {"ButlerTask": "nope"}}',
        b'{"Other": {}}',
        b"<Other/>",
        b"plain text",
        b"",
    ],
    ids=lambda body: repr(body[:24]),
)
def test_hostile_or_broken_documents(body: bytes) -> None:
    with pytest.raises(PlexButlerResponseError):
        parse_tasks(body)


def test_activities_progress_rules() -> None:
    body = (
        b'<MediaContainer size="2"><Activity uuid="1" type="butler" cancellable="0" title="Butler tasks"'
        b' subtitle="OptimizeDatabase" progress="66.7"/><Activity uuid="2" type="library.refresh"'
        b' title="Scanning" progress="-1"><Context key="x"/></Activity></MediaContainer>'
    )
    butler, scan = parse_activities(body)
    assert (butler.progress, butler.subtitle, butler.is_butler) == (67, "OptimizeDatabase", True)
    assert (scan.progress, scan.is_butler) == (None, False)


def test_identity_needs_a_machine_identifier() -> None:
    with pytest.raises(PlexButlerResponseError):
        parse_identity(b'<MediaContainer machineIdentifier="" version="1"/>')
    identity = parse_identity(b'{"MediaContainer": {"machineIdentifier": "abc", "version": "1.0"}}')
    assert identity.friendly_name == "abc"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_response_errors(body: bytes) -> None:
    for parser in PARSERS:
        with contextlib.suppress(PlexButlerResponseError):
            parser(body)


def _schedule(body: bytes) -> object:
    """What the schedule makes of the settings, beyond parsing them."""
    settings = ButlerSettings.from_settings(parse_settings(body))
    return [settings.schedule(name) for name in ("BackupDatabase", "ButlerTaskGenerateIntroMarkers", "x")]


# Every parser of what a server sends: task list, activities, identity, prefs (and the schedule read
# from them), notification frames.
PARSERS = (parse_tasks, parse_activities, parse_identity, parse_settings, _schedule, parse_notification)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


record = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "title",
            "interval",
            "enabled",
            "scheduleRandomized",
            "uuid",
            "type",
            "progress",
            "subtitle",
            "machineIdentifier",
            "version",
            "description",
            "cancellable",
            "id",
            "value",
            "default",
            "enumValues",
            "hidden",
            "advanced",
            "group",
            "event",
            "Activity",
        ]
    ),
    json_values,
    max_size=8,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(["ButlerTasks", "MediaContainer", "NotificationContainer", "Other"]),
    st.sampled_from(["ButlerTask", "Activity", "Directory", "Setting", "ActivityNotification"]),
    st.lists(record, max_size=4) | record,
)
def test_random_json_documents_raise_only_response_errors(root: str, child: str, children: object) -> None:
    import json

    body = json.dumps({root: {child: children, "type": "activity"}}).encode()
    for parser in PARSERS:
        with contextlib.suppress(PlexButlerResponseError):
            parser(body)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["name", "interval", "enabled", "title", "uuid", "progress"]),
            st.text(max_size=12),
            max_size=5,
        ),
        max_size=4,
    )
)
def test_random_xml_attributes_raise_only_response_errors(children: list[dict[str, str]]) -> None:
    from xml.sax.saxutils import quoteattr

    elements = "".join(
        "<ButlerTask " + " ".join(f"{key}={quoteattr(value)}" for key, value in child.items()) + "/>"
        for child in children
    )
    body = f"<ButlerTasks>{elements}</ButlerTasks>".encode()
    try:
        tasks = parse_tasks(body)
    except PlexButlerResponseError:
        return
    assert all(task.name and task.title for task in tasks)


def test_real_capture_parses() -> None:
    tasks = parse_tasks((CAPTURES / "butler.xml").read_bytes())
    assert len(tasks) == 23
    assert all(task.title and task.title[0].isupper() for task in tasks)
    assert {task.name for task in tasks} == {spec.name for spec in REAL_1_43_2_TASKS}
    activities = parse_activities((CAPTURES / "activities.xml").read_bytes())
    assert activities[0].is_butler
    assert activities[0].progress == 100
    identity = parse_identity((CAPTURES / "root.xml").read_bytes())
    assert identity.machine_identifier == MACHINE_ID
