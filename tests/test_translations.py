"""Every language says the same things: hassfest's rules applied to every translation, and the frontend's.

hassfest checks strings.json (and en.json) only. Here every file in translations/ must have exactly the
keys of strings.json, the same placeholders in each string, strings the frontend's ICU parser accepts
(no literal brace), names and exception messages that Python's str.format accepts, and the words Home
Assistant's own Plex integration uses in that language.
"""

import json
import string
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import homeassistant.components
import pytest
import yaml
from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler.names import KNOWN_TASKS, english_name, schedule_key, task_key, toggle_key

from .icu import IcuError, parse

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "plex_butler"
STRINGS = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
LANGUAGES = sorted(path.stem for path in (INTEGRATION / "translations").glob("*.json"))
# The twelve languages beside English that Plex Butler ships.
REQUIRED_LANGUAGES = {"cs", "da", "de", "en", "es", "fi", "fr", "it", "nb", "nl", "pl", "pt-BR", "sv"}
# Read as files: importing core Plex would need its plexapi dependency.
CORE_PLEX_TRANSLATIONS = Path(homeassistant.components.__path__[0]) / "plex" / "translations"


def _leaves(tree: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, tree


def _translation(language: str) -> dict[str, str]:
    return dict(
        _leaves(json.loads((INTEGRATION / "translations" / f"{language}.json").read_text(encoding="utf-8")))
    )


# Rendered by the backend with str.format (entity names, exception messages), not by the frontend.
def _formatted_by_python(key: str) -> bool:
    return (key.startswith("entity.") and key.endswith(".name")) or key.startswith("exceptions.")


def test_every_language_is_there() -> None:
    assert set(LANGUAGES) >= REQUIRED_LANGUAGES


def test_english_is_strings_json() -> None:
    assert _translation("en") == dict(_leaves(STRINGS))


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys_and_placeholders_as_strings_json(language: str) -> None:
    reference = dict(_leaves(STRINGS))
    translated = _translation(language)
    assert sorted(set(reference) - set(translated)) == [], "missing"
    assert sorted(set(translated) - set(reference)) == [], "not in strings.json"
    for key, text in translated.items():
        assert isinstance(text, str), key
        assert text.strip(), key
        assert parse(text) == parse(reference[key]), f"{language}: {key}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_frontend_and_python_can_render_every_string(language: str) -> None:
    for key, text in _translation(language).items():
        try:
            parse(text)
        except IcuError as err:
            pytest.fail(f"{language}: {key}: {err}")
        if _formatted_by_python(key):
            fields = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            assert fields == parse(text), f"{language}: {key}"


def test_action_field_examples_render() -> None:
    """The frontend shows examples too: a literal brace there is a "Translation error" in the UI."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    for service in services.values():
        for field in (service.get("fields") or {}).values():
            if "example" in field:
                parse(str(field["example"]))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('Tasks and values, e.g. {"ButlerTaskGenerateIntroMarkers": "never"}', "MALFORMED_ARGUMENT"),
        ("a {} b", "EMPTY_ARGUMENT"),
        ("a } b", "UNMATCHED_CLOSING_BRACE"),
        ("a {task b", "MALFORMED_ARGUMENT"),
        ("{count, plural, one {# task}}", "MISSING_OTHER_CLAUSE"),
        ("{count, spelled}", "INVALID_ARGUMENT_TYPE"),
        ("see <b>this</b>", "UNCLOSED_TAG"),
    ],
)
def test_icu_checker_refuses_what_the_frontend_refuses(text: str, kind: str) -> None:
    with pytest.raises(IcuError) as err:
        parse(text)
    assert err.value.kind == kind


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("Plex's server {server}", {"server"}),
        ("a literal '{'brace'}' and an apostrophe ''", set()),
        ("{count, plural, one {# task} other {# tasks of {server}}}", {"count", "server"}),
        ("{hour, number} and 3 < 4", {"hour"}),
    ],
)
def test_icu_checker_accepts_what_the_frontend_accepts(text: str, arguments: set[str]) -> None:
    assert parse(text) == arguments


@pytest.mark.skipif(
    AwesomeVersion(ha_version) < AwesomeVersion("2026.1"),
    reason="the glossary is today's Home Assistant's: older releases worded some terms differently",
)
@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_glossary_of_home_assistant_plex(language: str) -> None:
    """The words a user of Home Assistant's Plex integration already reads in that language."""
    core = dict(
        _leaves(json.loads((CORE_PLEX_TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")))
    )
    ours = _translation(language)
    verify_ssl = core["config.step.manual_setup.data.verify_ssl"]
    assert ours["config.step.manual.data.verify_ssl"] == verify_ssl
    assert ours["config.step.reconfigure_manual.data.verify_ssl"] == verify_ssl
    if (token := core.get("config.step.manual_setup.data.token")) is not None:
        token_word = token.split(" (")[0]
        assert token_word.lower() in ours["config.step.manual.data.token"].lower()
    # Core's "already configured" message names a Plex server the way a reader of that language
    # expects ("Plex-Server", "serveur Plex"): ours uses that term, worded as our sentence needs.
    term = _plex_server_term(core["config.abort.already_configured"])
    if term is not None:
        mine = ours["config.abort.already_configured"].lower()
        assert any(candidate.lower() in mine for candidate in term), (term, mine)


def _plex_server_term(sentence: str) -> tuple[str, ...] | None:
    """How a sentence names a Plex server: the word with "Plex" in it, or "Plex" with a neighbour."""
    words = [word.strip(".,:;!?\"'«»") for word in sentence.split()]
    for index, word in enumerate(words):
        if "Plex" not in word:
            continue
        if word != "Plex":
            return (word,)
        before = [f"{words[index - 1]} Plex"] if index > 0 else []
        after = [f"Plex {words[index + 1]}"] if index + 1 < len(words) else []
        return tuple(before + after)
    return None


def test_every_known_task_has_names_and_icons() -> None:
    icons = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))["entity"]
    entities = STRINGS["entity"]
    for task in KNOWN_TASKS:
        key = task_key(task)
        assert key is not None
        assert entities["switch"][key]["name"], task
        assert key in icons["switch"], task
        schedule = schedule_key(task)
        assert schedule in entities["switch"] or schedule in entities["select"], task
        assert schedule in icons["switch"] or schedule in icons["select"], task
        toggle = toggle_key(task)
        assert toggle in entities["switch"], task
        assert toggle in icons["switch"], task
        # Sentence case: only the first word starts with a capital (names such as Gracenote aside).
        name = entities["switch"][key]["name"]
        assert name[0].isupper(), name
        assert all(word.islower() or word in ("Gracenote",) for word in name.split()[1:]), name


def test_actions_accept_the_english_name_each_switch_shows() -> None:
    """The actions' table of English names starts with what translations/en.json shows today."""
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
    for task in KNOWN_TASKS:
        key = task_key(task)
        assert key is not None
        assert english_name(task) == english["entity"]["switch"][key]["name"], task


@pytest.mark.parametrize("language", LANGUAGES)
async def test_no_two_entities_of_a_server_share_a_name(
    hass: HomeAssistant, config_entry: MockConfigEntry, language: str
) -> None:
    """Hidden and disabled entities included: the device page and the entity list show them all."""
    hass.config.language = language
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)
    names = Counter(entry.original_name for entry in entries)
    assert len(entries) > 50
    assert None not in names
    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_failed_sign_in_form_has_a_button_of_its_own(language: str) -> None:
    """The frontend shows a step's `submit` text; without it the way back reads "Submit"."""
    label = _translation(language).get("config.step.sign_in_failed.submit", "")
    assert label.strip(), language
    if language == "en":
        assert label == "Back to the choices"


def test_report_long_entity_names(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints, per language, the entity names over 30 characters (a report to shorten by, not a cap)."""
    lines = []
    for language in LANGUAGES:
        names = {
            key: value
            for key, value in _translation(language).items()
            if key.startswith("entity.") and key.endswith(".name") and "{" not in value
        }
        long = sorted((len(value), value) for value in names.values() if len(value) > 30)
        lines.append(f"{language}: {len(long)} of {len(names)} names over 30 characters")
        lines += [f"    {length:3d} {name}" for length, name in long]
    with capsys.disabled():
        print("\nEntity names over 30 characters\n" + "\n".join(lines))
    assert len(lines) >= len(LANGUAGES)


# What a device page shows of a name before it cuts it short.
VISIBLE = 28


@pytest.mark.parametrize("language", LANGUAGES)
def test_schedule_names_put_the_task_first(language: str) -> None:
    """Cut short on a device page (about 28 characters show), schedule names still tell the tasks apart."""
    translated = _translation(language)
    for platform in ("switch", "select"):
        names = [
            value
            for key, value in translated.items()
            if key.startswith(f"entity.{platform}.") and key.endswith("_schedule.name") and "{" not in value
        ]
        beginnings = Counter(name[:VISIBLE] for name in names)
        assert [start for start, count in beginnings.items() if count > 1] == [], (platform, language)
