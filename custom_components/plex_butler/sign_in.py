"""One sign-in with Plex: its PIN, the watch on it, the page Plex sends the browser back to, its outcome.

Plex's page forwards the browser to our callback view only once the user approved (it has no
"refuse"), but plex.tv may show the approval a moment later: a browser that comes back means "look
again soon", never "refused". The PIN is asked about at most once a second, by the watch and the
callback together, and less often while plex.tv answers 429 ("API rate limit exceeded") or 5xx. The
sign-in ends with the account's token, or when the PIN expires.

Core Plex owns `/auth/plex/callback`, so ours has a path of its own. The view only nudges a flow of
this integration that is waiting for the sign-in: any other flow id is left alone, since the view is
open to anyone who can reach Home Assistant (the browser that comes back carries no credentials).
"""

import asyncio
from collections.abc import Callable, Collection, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import UnknownFlow
from homeassistant.helpers import http
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .api import (
    PlexPin,
    PlexResource,
    PlexTvAuthError,
    PlexTvClient,
    PlexTvError,
    PlexTvPinExpiredError,
    find_connection,
)
from .clients import async_client_names, async_create_plex_tv_client
from .const import DOMAIN, LOGGER

CALLBACK_PATH: Final = "/auth/plex_butler/callback"
# The flow's step that waits for the sign-in; the only one the view moves on.
AWAIT_SIGN_IN_STEP: Final = "await_sign_in"
HEADER_FRONTEND_BASE: Final = "HA-Frontend-Base"

# How often the watch asks plex.tv about the PIN while Plex's page is open (Plex suggests once a
# second at most; faster polls get 429).
PIN_POLL_SECONDS: Final = 2.0
# No two polls of the PIN closer than this, whoever asks; after a 429 or 5xx the gap doubles up to the cap.
MIN_POLL_GAP_SECONDS: Final = 1.0
MAX_POLL_GAP_SECONDS: Final = 30.0

_VIEW_REGISTERED: HassKey[bool] = HassKey(f"{DOMAIN}_sign_in_view")

CLOSE_PAGE: Final = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Plex Butler</title></head>"
    "<body><script>window.close()</script>"
    "<p>Back from Plex: return to Home Assistant; this tab can be closed.</p></body></html>"
)


class SignInError(Exception):
    """Signing in cannot go on; `key` is the translation key the flow shows (or its abort reason)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    """How a sign-in ended: the account's token, or the failure key."""

    account_token: str | None = field(default=None, repr=False)
    failure: str | None = None


class SignIn:
    """One sign-in under way: a PIN on Plex's page, watched until it is approved or expires."""

    def __init__(self, plex_tv: PlexTvClient, pin: PlexPin, url: str) -> None:
        self.plex_tv = plex_tv
        self.pin = pin
        # Plex's sign-in page for this PIN, as the external step opens it.
        self.url = url
        self.outcome: SignInOutcome | None = None
        self._watch: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._gap = MIN_POLL_GAP_SECONDS
        self._next_poll = 0.0

    @classmethod
    async def async_start(cls, hass: HomeAssistant, flow_id: str) -> "SignIn":
        """A new PIN and the page to approve it on; raises PlexTvError when plex.tv cannot be reached.

        The return address is known first, so the PIN is created with its origin (plex.tv's rule).
        """
        forward = forward_url(flow_id)
        if forward is not None:
            async_register_callback_view(hass)
        plex_tv = await async_create_plex_tv_client(hass)
        pin = await plex_tv.create_pin(forward)
        return cls(plex_tv, pin, plex_tv.sign_in_url(pin, forward))

    def async_watch(
        self, hass: HomeAssistant, name: str, on_outcome: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        """Poll the PIN in the background until there is an outcome, then call `on_outcome`.

        Polling is the only way: plex.tv tells nobody when a PIN is approved.
        """

        async def watch() -> None:
            while True:
                if await self.async_check() is not None:
                    break
                await asyncio.sleep(PIN_POLL_SECONDS)
            self._watch = None
            await on_outcome()

        self._watch = hass.async_create_background_task(watch(), name)

    async def async_check(self) -> SignInOutcome | None:
        """Ask plex.tv about the PIN once, when pacing allows; the outcome, once there is one."""
        async with self._lock:
            if self.outcome is not None:
                return self.outcome
            loop = asyncio.get_running_loop()
            if (wait := self._next_poll - loop.time()) > 0:
                await asyncio.sleep(wait)
            try:
                pin = await self.plex_tv.check_pin(self.pin.id)
            except PlexTvPinExpiredError:
                self.outcome = SignInOutcome(failure="sign_in_timeout")
            except PlexTvError as err:
                # Rate-limited, unreachable or confused: ask again later, and less often. The PIN's
                # own expiry ends the sign-in in any case.
                LOGGER.debug("Could not check the sign-in PIN, will ask again: %s", err)
                self._gap = min(self._gap * 2, MAX_POLL_GAP_SECONDS)
            else:
                self._gap = MIN_POLL_GAP_SECONDS
                if pin.auth_token is not None:
                    self.outcome = SignInOutcome(account_token=pin.auth_token)
            self._next_poll = loop.time() + self._gap
            return self.outcome

    async def async_servers(
        self, *, wanted: str | None, configured: Collection[str]
    ) -> dict[str, PlexResource]:
        """The account's servers that can be added (see `servers_to_offer`); raises SignInError."""
        token = self.outcome.account_token if self.outcome is not None else None
        if token is None:
            raise SignInError("sign_in_refused")
        try:
            resources = await self.plex_tv.get_servers(token)
        except PlexTvAuthError as err:
            raise SignInError("sign_in_refused") from err
        except PlexTvError as err:
            LOGGER.debug("Could not list the account's servers: %s", err)
            raise SignInError("plex_tv_unreachable") from err
        return servers_to_offer(resources, wanted=wanted, configured=configured)

    def cancel(self) -> None:
        """Stop watching the PIN (unless it is the watch itself that is finishing)."""
        if self._watch is not None and self._watch is not asyncio.current_task():
            self._watch.cancel()
        self._watch = None


def servers_to_offer(
    resources: Iterable[PlexResource], *, wanted: str | None, configured: Collection[str]
) -> dict[str, PlexResource]:
    """Which of the account's servers can be added, by machine identifier; raises SignInError.

    Only servers the account owns count: a shared server's token cannot run the Butler. With `wanted`
    (the server being reauthenticated, reconfigured or discovered) only that one, which must be among
    them (`not_owner`). Otherwise the ones not configured yet (`no_owned_server`, `all_configured`).
    """
    owned = {
        resource.client_identifier: resource
        for resource in resources
        if resource.is_server and resource.owned and resource.access_token
    }
    if wanted is not None:
        if wanted not in owned:
            raise SignInError("not_owner")
        return {wanted: owned[wanted]}
    if not owned:
        raise SignInError("no_owned_server")
    new = {key: resource for key, resource in owned.items() if key not in configured}
    if not new:
        raise SignInError("all_configured")
    return new


async def async_server_url(hass: HomeAssistant, server: PlexResource) -> str:
    """The best address of `server` that answers as that server; raises SignInError.

    A relay alone is not taken: it is bandwidth-limited and would be stored for good (`relay_only`).
    """
    address = await find_connection(async_get_clientsession(hass), server, **await async_client_names(hass))
    if address is None:
        raise SignInError("no_reachable_connection")
    if address.relay:
        raise SignInError("relay_only")
    return address.url


def forward_url(flow_id: str) -> str | None:
    """Where Plex's page sends the browser after sign-in: our view, at the address the user's browser uses.

    The frontend names that address in each request it makes; a flow started without the frontend
    (through the API) has none, and relies on the watch alone.
    """
    request = http.current_request.get()
    base = request.headers.get(HEADER_FRONTEND_BASE) if request is not None else None
    if not base:
        return None
    return f"{base.rstrip('/')}{CALLBACK_PATH}?flow_id={flow_id}"


def async_register_callback_view(hass: HomeAssistant) -> None:
    """Register the callback view once per Home Assistant."""
    if hass.http is not None and not hass.data.get(_VIEW_REGISTERED):
        hass.http.register_view(SignInCallbackView())
        hass.data[_VIEW_REGISTERED] = True


class SignInCallbackView(HomeAssistantView):
    """The browser is back from Plex's sign-in page: let the waiting flow look at its PIN."""

    url = CALLBACK_PATH
    name = "auth:plex_butler:callback"
    requires_auth = False

    async def get(self, request: web.Request) -> web.Response:
        """Move the waiting flow on, then close the tab (or say it may be closed)."""
        hass = request.app[KEY_HASS]
        flow_id = request.query.get("flow_id", "")
        try:
            flow = hass.config_entries.flow.async_get(flow_id)
        except UnknownFlow:
            flow = None
        if flow is not None and flow["handler"] == DOMAIN and flow.get("step_id") == AWAIT_SIGN_IN_STEP:
            await hass.config_entries.flow.async_configure(flow_id)
        return web.Response(text=CLOSE_PAGE, content_type="text/html")
