"""The benchmarks use the test suite's fixtures (emulator, entry, Home Assistant harness)."""

import pytest

from tests.conftest import (  # noqa: F401
    auto_enable_custom_integrations,
    config_entry,
    emulator,
    init_integration,
    resolver,
    task_duration,
)


@pytest.fixture
def push_enabled() -> bool:
    """The benchmarks measure with the notification socket open, as on a real server."""
    return True
