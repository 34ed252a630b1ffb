"""Signing in with Plex from a config flow: the plex.tv client and the page Plex sends the browser back to.

Core Plex owns `/auth/plex/callback`, so ours has a path of its own. The view only nudges a flow of
this integration that is waiting for the sign-in: any other flow id is left alone, since the view is
open to anyone who can reach Home Assistant (the browser that comes back carries no credentials).
"""

import os
from typing import Final

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import UnknownFlow
from homeassistant.helpers import http
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from . import async_client_names
from .api import PlexTvClient
from .const import DOMAIN

CALLBACK_PATH: Final = "/auth/plex_butler/callback"
# The flow's step that waits for the sign-in; the only one this view moves on.
AWAIT_SIGN_IN_STEP: Final = "await_sign_in"
HEADER_FRONTEND_BASE: Final = "HA-Frontend-Base"

# Development setting: the base URL of an emulated plex.tv (API and sign-in page on one host), as
# scripts/develop and the end-to-end tests set it. Read once, when Home Assistant loads the module.
PLEX_TV_URL_VARIABLE: Final = "PLEX_BUTLER_PLEX_TV_URL"
PLEX_TV_URL_OVERRIDE: Final = os.environ.get(PLEX_TV_URL_VARIABLE) or None

_VIEW_REGISTERED: HassKey[bool] = HassKey(f"{DOMAIN}_sign_in_view")

CLOSE_PAGE: Final = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Plex Butler</title></head>"
    "<body><script>window.close()</script>"
    "<p>Back from Plex: return to Home Assistant; this tab can be closed.</p></body></html>"
)


async def async_create_plex_tv_client(hass: HomeAssistant) -> PlexTvClient:
    """A plex.tv client on Home Assistant's shared session (or on the emulated plex.tv, see above)."""
    names = await async_client_names(hass)
    session = async_get_clientsession(hass)
    if not PLEX_TV_URL_OVERRIDE:
        return PlexTvClient(session, **names)
    base = PLEX_TV_URL_OVERRIDE.rstrip("/")
    return PlexTvClient(session, **names, api_url=base, sign_in_page_url=f"{base}/auth")


def forward_url(hass: HomeAssistant, flow_id: str) -> str | None:
    """Where Plex's page sends the browser after sign-in: our view, at the address the user's browser uses.

    The frontend names that address in each request it makes; a flow started without the frontend
    (through the API) has none, and relies on the flow's own polling of the PIN.
    """
    request = http.current_request.get()
    base = request.headers.get(HEADER_FRONTEND_BASE) if request is not None else None
    if not base or hass.http is None:
        return None
    if not hass.data.get(_VIEW_REGISTERED):
        hass.http.register_view(SignInCallbackView())
        hass.data[_VIEW_REGISTERED] = True
    return f"{base.rstrip('/')}{CALLBACK_PATH}?flow_id={flow_id}"


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
