"""Constants of the Plex Butler integration."""

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "plex_butler"
LOGGER = logging.getLogger(__package__)

# How often the task list and activities are read while nothing tells us sooner.
POLL_INTERVAL: Final = timedelta(seconds=30)
# While the notification socket is open, polling is only a safety net.
PUSH_POLL_INTERVAL: Final = timedelta(minutes=5)
# Schedule settings change rarely and send no notification: read them this often (and after writes).
SETTINGS_POLL_INTERVAL: Final = timedelta(minutes=5)
RECONNECT_MIN_SECONDS: Final = 2.0
RECONNECT_MAX_SECONDS: Final = 300.0
# A task we started shows as running until the server's Butler activity has come and gone; a server
# that has not opened that activity this long after our start is taken not to run it after all.
START_GRACE_SECONDS: Final = 15.0
# A task that works in an activity of its own opens its (instant) task activity after it: this long,
# it is still taken to work. No server documents the gap; the one captured run shows none.
HANDOVER_SECONDS: Final = 2.0

MANUFACTURER: Final = "Plex"
MODEL: Final = "Plex Media Server"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_START_HOUR: Final = "start_hour"
ATTR_END_HOUR: Final = "end_hour"
ATTR_TASKS: Final = "tasks"
ATTR_TASK: Final = "task"
ATTR_TITLE: Final = "title"
ATTR_RESULT: Final = "result"

SERVICE_START_TASK: Final = "start_task"
SERVICE_STOP_TASK: Final = "stop_task"
SERVICE_START_ALL_TASKS: Final = "start_all_tasks"
SERVICE_STOP_ALL_TASKS: Final = "stop_all_tasks"
SERVICE_LIST_TASKS: Final = "list_tasks"
SERVICE_SET_SCHEDULE: Final = "set_schedule"
SERVICE_GET_HISTORY: Final = "get_history"
ATTR_SINCE: Final = "since"
