"""The repository speaks of the product only: no words of the process that made it, no outside paths."""

import fnmatch
import os
import re
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
# What is never tracked (tools' caches, the virtual environments, builds).
SKIPPED_DIRECTORIES = {
    ".git",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
}
FORBIDDEN = re.compile(
    "|".join(
        (
            r"\bwave ?\d",  # rounds of work
            r"\(wave",
            r"(?<![\w/#])issues? ?#?\d+\b",  # this tracker's numbers; upstream ones are owner/repo#N or URLs
            r"\.\./shared",  # paths outside the repository
            r"\bshared/plex",
            r"\bthe facts\b",
        )
    ),
    re.IGNORECASE,
)


def _ignored() -> list[str]:
    lines = (PROJECT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _tracked_text_files() -> Iterator[Path]:
    ignored = _ignored()
    for directory, subdirectories, names in os.walk(PROJECT):
        subdirectories[:] = sorted(name for name in subdirectories if name not in SKIPPED_DIRECTORIES)
        yield from _kept(Path(directory), sorted(names), ignored)


def _kept(directory: Path, names: list[str], ignored: list[str]) -> Iterator[Path]:
    for name in names:
        path = directory / name
        text = path.relative_to(PROJECT).as_posix()
        if any(fnmatch.fnmatch(text, pattern) or text.startswith(f"{pattern}/") for pattern in ignored):
            continue
        if path.suffix in {".png", ".zip"} or path == Path(__file__).resolve():
            continue
        yield path


def test_no_process_words_or_outside_paths() -> None:
    found = []
    files = list(_tracked_text_files())
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if match := FORBIDDEN.search(line):
                found.append(
                    f"{path.relative_to(PROJECT)}:{number}: {match.group(0)!r} in {line.strip()[:100]}"
                )
    assert len(files) > 100
    assert found == []


def test_the_check_finds_what_it_refuses() -> None:
    for sample in (
        "Changed on purpose (wave 2)",
        "Wave 1: a run",
        "see issue 11",
        "../shared/plex",
        "as the facts say",
    ):
        assert FORBIDDEN.search(sample), sample
    for sample in ("home-assistant/core#12345", "a repair issue", "shared servers", "Issue registry"):
        assert not FORBIDDEN.search(sample), sample
