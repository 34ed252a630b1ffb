"""The benchmarks use the test suite's fixtures (emulator, entry, Home Assistant harness)."""

from tests.conftest import (  # noqa: F401
    auto_enable_custom_integrations,
    config_entry,
    emulator,
    init_integration,
    task_duration,
)
