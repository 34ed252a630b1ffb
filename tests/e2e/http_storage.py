"""Seed Home Assistant's stored HTTP settings: loopback only, confirmed, no YAML to migrate.

Home Assistant 2026.x keeps its HTTP settings in `.storage/http` (a confirmed "stable" slot and a
"pending" one that reverts after 5 minutes unless confirmed), and turns a YAML `http:` block into a
pending change plus a deprecation repair. A configuration that seeds the stable slot before the first
start listens on 127.0.0.1 from the first second, never asks to confirm, never reverts and raises no
repair. Home Assistant 2025.x ignores the file (it reads YAML only): the demo runs the newest lane.

    python -m tests.e2e.http_storage CONFIG_DIR PORT    (what scripts/develop runs)
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The storage format of Home Assistant 2026.x's http integration (components/http/config.py):
# version 2.2, {"stable": ConfData, "pending": ConfData | None, "yaml_migration_done": bool}. The
# values besides host and port are that version's defaults, written out as it writes them.
STORAGE_VERSION = 2
STORAGE_MINOR_VERSION = 2


def http_settings(port: int) -> dict[str, Any]:
    return {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION,
        "key": "http",
        "data": {
            "stable": {
                "server_host": ["127.0.0.1"],
                "server_port": port,
                "cors_allowed_origins": ["https://cast.home-assistant.io"],
                "login_attempts_threshold": -1,
                "ip_ban_enabled": True,
                "ssl_profile": "modern",
                "use_x_frame_options": True,
                "created_at": datetime.now(UTC).isoformat(),
                "error": None,
                "error_message": None,
            },
            "pending": None,
            "yaml_migration_done": True,
        },
    }


def seed(config_dir: Path, port: int) -> bool:
    """Write `.storage/http` unless it already holds loopback-only, confirmed settings; whether it did.

    Settings left by an older demo (a pending YAML migration, all interfaces) are replaced.
    """
    path = config_dir / ".storage" / "http"
    if path.exists():
        data = json.loads(path.read_text()).get("data", {})
        stable = data.get("stable") or {}
        if (
            stable.get("server_host") == ["127.0.0.1"]
            and stable.get("server_port") == port
            and data.get("pending") is None
            and data.get("yaml_migration_done")
        ):
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(http_settings(port), indent=2))
    return True


if __name__ == "__main__":
    seed(Path(sys.argv[1]), int(sys.argv[2]))
