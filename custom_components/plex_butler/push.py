"""Keep one server's notification socket open and hand its activity events to the coordinator.

Reconnects back off exponentially with jitter up to RECONNECT_MAX_SECONDS; a loss is logged once and
the recovery once. A refused token stops the listener and leaves the rest to re-authentication.
"""

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass

from .api import ActivityNotification, PlexButlerAuthError, PlexButlerClient, PlexButlerError
from .const import LOGGER, RECONNECT_MAX_SECONDS, RECONNECT_MIN_SECONDS


@dataclass(frozen=True, slots=True)
class PushCallbacks:
    """What the listener tells its owner."""

    on_connected: Callable[[], None]
    on_disconnected: Callable[[], None]
    on_notification: Callable[[ActivityNotification], None]
    on_auth_failed: Callable[[], None]


class NotificationListener:
    """Runs until cancelled (on unload or stop) or until the server refuses the token."""

    def __init__(self, client: PlexButlerClient, server: str, callbacks: PushCallbacks) -> None:
        self._client = client
        self._server = server
        self._callbacks = callbacks
        self.connected = False
        self._lost_logged = False
        self._failures = 0

    async def run(self) -> None:
        """Listen, reconnecting as long as it takes."""
        while True:
            try:
                async for notification in self._client.notifications(on_open=self._set_connected):
                    self._callbacks.on_notification(notification)
            except PlexButlerAuthError:
                self._set_disconnected("the server refused the token")
                self._callbacks.on_auth_failed()
                return
            except PlexButlerError as err:
                self._set_disconnected(str(err))
            self._failures += 1
            await asyncio.sleep(self.reconnect_delay())

    def reconnect_delay(self) -> float:
        """Exponential in the failures since the socket was last open, capped, with jitter."""
        ceiling = min(RECONNECT_MAX_SECONDS, RECONNECT_MIN_SECONDS * 2 ** min(self._failures - 1, 16))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography

    def _set_connected(self) -> None:
        self.connected = True
        self._failures = 0
        if self._lost_logged:
            LOGGER.info("Notifications from %s are back; polling slows down again", self._server)
            self._lost_logged = False
        self._callbacks.on_connected()

    def _set_disconnected(self, reason: str) -> None:
        was_connected = self.connected
        self.connected = False
        if not self._lost_logged:
            LOGGER.warning(
                "No notifications from %s (%s); polling more often until they are back", self._server, reason
            )
            self._lost_logged = True
        if was_connected:
            self._callbacks.on_disconnected()
