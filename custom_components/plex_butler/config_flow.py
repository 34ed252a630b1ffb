"""Config flow: add a Plex server, renew its token (reauth) or change how it is reached (reconfigure).

Three ways in, offered as a menu: the server of Home Assistant's own Plex integration (`from_plex`,
only when there is one to take), signing in with Plex (`sign_in`) and the server's URL with a token
(`manual`). A server found by zeroconf starts the same menu. Every way ends in `_async_validate`.

Sign-in is an external step: the frontend opens Plex's sign-in page in a new tab (no link to look for)
and Plex sends the browser back to our callback view, which tells at once whether the user signed in
or turned it down. The flow also polls the PIN in the background, so it moves on even when the browser
cannot come back (a flow started without the frontend) and reports an expired PIN by itself.
"""

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, override

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import callback
from homeassistant.data_entry_flow import UnknownFlow
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from yarl import URL

from . import async_client_names, async_create_client
from .api import (
    PlexButlerAuthError,
    PlexButlerClient,
    PlexButlerConnectionError,
    PlexButlerError,
    PlexButlerSslError,
    PlexPin,
    PlexResource,
    PlexTvAuthError,
    PlexTvClient,
    PlexTvError,
    PlexTvPinExpiredError,
    PlexWebAppUrlError,
    ServerIdentity,
    find_connection,
    normalize_url,
    server_url,
)
from .compat import vol
from .const import DOMAIN, LOGGER
from .sign_in import (
    AWAIT_SIGN_IN_STEP,
    async_create_plex_tv_client,
    forward_url,
)

TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
CONF_SERVER: Final = "server"
CORE_PLEX_DOMAIN: Final = "plex"

# How often the flow asks plex.tv whether the PIN was approved while Plex's page is open.
PIN_POLL_SECONDS: Final = 2.0
# When the browser comes back, plex.tv may take a moment to link the PIN: ask this often, this far apart.
CALLBACK_PIN_CHECKS: Final = 5
CALLBACK_PIN_PAUSE: Final = 1.0


@dataclass(frozen=True, slots=True)
class CorePlexServer:
    """A server of Home Assistant's own Plex integration, as its entry stores it."""

    machine_identifier: str
    name: str
    url: str
    token: str
    verify_ssl: bool

    @property
    def data(self) -> dict[str, Any]:
        """The entry data Plex Butler would store for this server."""
        return {CONF_URL: self.url, CONF_TOKEN: self.token, CONF_VERIFY_SSL: self.verify_ssl}


def _server_schema(defaults: Mapping[str, Any], *, token_required: bool) -> vol.Schema:
    token = vol.Required(CONF_TOKEN) if token_required else vol.Optional(CONF_TOKEN)
    return vol.Schema(
        {
            vol.Required(CONF_URL, default=defaults.get(CONF_URL, vol.UNDEFINED)): URL_SELECTOR,
            token: TOKEN_SELECTOR,
            vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): bool,
        }
    )


def _server_choice(servers: Mapping[str, str]) -> vol.Schema:
    """One field, "which server", when there is a choice to make; none otherwise."""
    if len(servers) < 2:
        return vol.Schema({})
    options = [SelectOptionDict(value=key, label=name) for key, name in servers.items()]
    return vol.Schema({vol.Required(CONF_SERVER): SelectSelector(SelectSelectorConfig(options=options))})


@dataclass(slots=True)
class SignIn:
    """One sign-in with Plex under way: its PIN and, once approved, the account's token."""

    plex_tv: PlexTvClient
    pin: PlexPin
    account_token: str | None = None
    # Where the sign-in ended: None while it runs, then the next step and the error to show, if any.
    next_step: str | None = None
    error: str | None = None
    watch: asyncio.Task[None] | None = None
    servers: dict[str, PlexResource] = field(default_factory=dict)

    async def async_check_pin(self) -> bool:
        """Ask plex.tv about the PIN once; True when the sign-in has an outcome."""
        try:
            pin = await self.plex_tv.check_pin(self.pin.id)
        except PlexTvPinExpiredError:
            self.finish("sign_in_timeout")
            return True
        except PlexTvError as err:
            # plex.tv stumbled: the next check may work, and the PIN expires in any case.
            LOGGER.debug("Could not check the sign-in PIN: %s", err)
            return False
        if pin.auth_token is None:
            return False
        self.account_token = pin.auth_token
        self.finish(None)
        return True

    def finish(self, error: str | None) -> None:
        """Record the outcome once; later ones (the callback after the watch, or back) change nothing."""
        if self.next_step is None:
            self.error = error
            self.next_step = "pick_server" if error is None else "sign_in_failed"

    def stop_watch(self) -> None:
        """Stop polling the PIN (unless it is the poll itself that is finishing)."""
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()
        self.watch = None


class PlexButlerConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per Plex server, keyed by its machine identifier."""

    VERSION = 1

    def __init__(self) -> None:
        self._discovered_url: str | None = None
        self._sign_in: SignIn | None = None
        # Why signing in failed, for the sign_in_failed step to show.
        self._failure: str | None = None

    # Shared by every way in ----------------------------------------------------------------------

    async def _async_validate(self, data: dict[str, Any]) -> tuple[ServerIdentity | None, dict[str, str]]:
        """Reach the server with `data`; its identity, or the form errors to show.

        The URL in `data` is replaced by its normalized form, which is what gets stored.
        """
        if (url_error := _normalize_url_in(data)) is not None:
            return None, {CONF_URL: url_error}
        client = await async_create_client(self.hass, data)
        try:
            identity = await client.get_identity()
            # The Butler needs the owner's token: a token that may read "/" but not the Butler fails here.
            await client.get_tasks()
        except PlexButlerSslError:
            return None, {"base": "ssl_error"}
        except PlexButlerConnectionError:
            return None, {"base": "cannot_connect"}
        except PlexButlerAuthError:
            return None, {"base": "invalid_auth"}
        except PlexButlerError:
            LOGGER.exception("Unexpected answer from the Plex server")
            return None, {"base": "unknown"}
        return identity, {}

    async def _async_create_or_update(
        self, data: dict[str, Any]
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Validate `data` and add its server, or renew the token of the server being reauthenticated."""
        identity, errors = await self._async_validate(data)
        if identity is None:
            return None, errors
        await self.async_set_unique_id(identity.machine_identifier, raise_on_progress=False)
        if self.source == SOURCE_REAUTH:
            self._abort_if_unique_id_mismatch(reason="wrong_server")
            entry = self._get_reauth_entry()
            return self.async_update_reload_and_abort(entry, data_updates={CONF_TOKEN: data[CONF_TOKEN]}), {}
        self._abort_if_unique_id_configured(updates={CONF_URL: data[CONF_URL]})
        return self.async_create_entry(title=identity.friendly_name, data=data), {}

    def _configured_ids(self) -> set[str]:
        return {
            entry.unique_id for entry in self._async_current_entries(include_ignore=False) if entry.unique_id
        }

    def _core_plex_servers(self) -> dict[str, CorePlexServer]:
        """Servers of Home Assistant's Plex integration that have a token and that we do not have yet.

        In a flow about one server (a discovered one), only that server.
        """
        configured = self._configured_ids()
        servers: dict[str, CorePlexServer] = {}
        for entry in self.hass.config_entries.async_entries(CORE_PLEX_DOMAIN):
            server = _core_plex_server(entry)
            if server is None or server.machine_identifier in configured:
                continue
            if self.unique_id in (None, server.machine_identifier):
                servers[server.machine_identifier] = server
        return servers

    # The ways in -------------------------------------------------------------------------------

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """How to connect: from the Plex integration (when it has a server for us), sign in, or by hand."""
        options = ["sign_in", "manual"]
        servers = self._core_plex_servers()
        if servers:
            options.insert(0, "from_plex")
        return self.async_show_menu(
            step_id="user",
            menu_options=options,
            description_placeholders={"servers": ", ".join(server.name for server in servers.values())},
        )

    async def async_step_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The server's URL and the owner's token, typed or pasted."""
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._async_create_or_update(dict(user_input))
            if result is not None:
                return result
        suggested = user_input if user_input is not None else {CONF_URL: self._discovered_url}
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(
                _server_schema({}, token_required=True), suggested
            ),
            errors=errors,
        )

    async def async_step_from_plex(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Take the URL and token of a server that Home Assistant's Plex integration already has.

        Nothing is written to that integration's entry. With one server there is nothing to ask.
        """
        servers = self._core_plex_servers()
        if not servers:
            return self.async_abort(reason="already_configured")
        errors: dict[str, str] = {}
        chosen = None
        if user_input is not None:
            chosen = (
                servers.get(user_input.get(CONF_SERVER, ""))
                if len(servers) > 1
                else next(iter(servers.values()))
            )
        elif len(servers) == 1:
            chosen = next(iter(servers.values()))
        if chosen is not None:
            result, errors = await self._async_create_or_update(chosen.data)
            if result is not None:
                return result
        return self.async_show_form(
            step_id="from_plex",
            data_schema=_server_choice({key: server.name for key, server in servers.items()}),
            description_placeholders={"servers": ", ".join(server.name for server in servers.values())},
            errors=errors,
        )

    @override
    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A server announced itself: find out which one with `/identity`, which needs no token."""
        url = URL.build(scheme="http", host=str(discovery_info.ip_address), port=discovery_info.port)
        client = PlexButlerClient(
            async_get_clientsession(self.hass), str(url), None, **await async_client_names(self.hass)
        )
        try:
            identity = await client.get_public_identity()
        except PlexButlerError:
            return self.async_abort(reason="cannot_connect")
        await self.async_set_unique_id(identity.machine_identifier)
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, identity.machine_identifier)
        if entry is not None and CONF_URL in entry.data:
            self._abort_if_unique_id_configured(updates=_moved_url(entry.data[CONF_URL], url))
        self._abort_if_unique_id_configured()
        self._discovered_url = str(url)
        name = discovery_info.name.split(".", 1)[0] or url.host or ""
        self.context["title_placeholders"] = {"name": name}
        if identity.machine_identifier in self._core_plex_servers():
            return await self.async_step_zeroconf_confirm()
        return await self.async_step_user()

    async def async_step_zeroconf_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Home Assistant's Plex integration knows the discovered server: only a confirmation is needed."""
        if user_input is not None:
            return await self.async_step_from_plex()
        self._set_confirm_only()
        server = self._core_plex_servers()[str(self.unique_id)]
        return self.async_show_form(
            step_id="zeroconf_confirm", description_placeholders={"name": server.name}
        )

    # Sign in with Plex -------------------------------------------------------------------------

    async def async_step_sign_in(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Open Plex's sign-in page for a new PIN."""
        self._end_sign_in()
        plex_tv = await async_create_plex_tv_client(self.hass)
        try:
            pin = await plex_tv.create_pin()
        except PlexTvError as err:
            LOGGER.debug("Could not start the sign-in with Plex: %s", err)
            return await self._async_sign_in_failed("plex_tv_unreachable")
        sign_in = self._sign_in = SignIn(plex_tv, pin)
        sign_in.watch = self.hass.async_create_background_task(
            self._async_watch_pin(sign_in), f"{DOMAIN} sign-in {self.flow_id}"
        )
        url = plex_tv.sign_in_url(pin, forward_url(self.hass, self.flow_id))
        return self.async_external_step(step_id=AWAIT_SIGN_IN_STEP, url=url)

    async def async_step_await_sign_in(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The browser came back from Plex, or the PIN watch saw the PIN approved or expired."""
        if (sign_in := self._sign_in) is None:
            # Nothing to wait for (the sign-in was given up meanwhile): back to the choice of ways.
            return self.async_external_step_done(next_step_id="sign_in_failed")
        if sign_in.next_step is None:
            # Back from Plex's page: plex.tv may need a moment to show the approval.
            for check in range(CALLBACK_PIN_CHECKS):
                if check:
                    await asyncio.sleep(CALLBACK_PIN_PAUSE)
                if await sign_in.async_check_pin():
                    break
            else:
                sign_in.finish("sign_in_refused")
        sign_in.stop_watch()
        self._failure = sign_in.error
        return self.async_external_step_done(next_step_id=sign_in.next_step or "sign_in_failed")

    async def async_step_pick_server(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which of the account's own servers: asked only when there are several new ones."""
        if (sign_in := self._sign_in) is None or sign_in.account_token is None:
            return await self.async_step_sign_in_failed()
        if not sign_in.servers:
            failure = await self._async_load_servers(sign_in, sign_in.account_token)
            if isinstance(failure, str):
                return await self._async_sign_in_failed(failure)
            if failure is not None:
                return failure
        servers = self._servers
        errors: dict[str, str] = {}
        chosen = next(iter(servers.values())) if len(servers) == 1 else None
        if user_input is not None and chosen is None:
            chosen = servers.get(user_input.get(CONF_SERVER, ""))
        if chosen is not None:
            result, errors = await self._async_connect(chosen)
            if result is not None:
                return result
            if len(servers) == 1:
                return await self._async_sign_in_failed(next(iter(errors.values())))
        return self.async_show_form(
            step_id="pick_server",
            data_schema=_server_choice({key: server.name for key, server in servers.items()}),
            errors=errors,
        )

    async def async_step_sign_in_failed(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Say why signing in did not work; submitting goes back to the choice of ways."""
        if user_input is not None or self._failure is None:
            self._end_sign_in()
            if self.source == SOURCE_REAUTH:
                return await self.async_step_reauth(self._get_reauth_entry().data)
            return await self.async_step_user()
        return self.async_show_form(
            step_id="sign_in_failed", data_schema=vol.Schema({}), errors={"base": self._failure}
        )

    async def _async_sign_in_failed(self, error: str) -> ConfigFlowResult:
        self._failure = error
        return await self.async_step_sign_in_failed()

    @property
    def _servers(self) -> dict[str, PlexResource]:
        return self._sign_in.servers if self._sign_in is not None else {}

    async def _async_load_servers(self, sign_in: SignIn, account_token: str) -> ConfigFlowResult | str | None:
        """Keep the account's servers that can be added (or the one being reauthenticated).

        Returns None when there is at least one, else the error to show or the abort to end with.
        """
        try:
            resources = await sign_in.plex_tv.get_servers(account_token)
        except PlexTvAuthError:
            return "sign_in_refused"
        except PlexTvError as err:
            LOGGER.debug("Could not list the account's servers: %s", err)
            return "plex_tv_unreachable"
        # A shared server's token cannot run the Butler: only the account's own servers count.
        owned = {
            server.client_identifier: server for server in resources if server.owned and server.access_token
        }
        # Reauthenticating or discovered: the account must own that very server.
        wanted = self._get_reauth_entry().unique_id if self.source == SOURCE_REAUTH else self.unique_id
        if wanted is not None:
            owned = {key: server for key, server in owned.items() if key == wanted}
            if not owned:
                return "not_owner"
        if not owned:
            return "no_owned_server"
        if self.source != SOURCE_REAUTH:
            configured = self._configured_ids()
            owned = {key: server for key, server in owned.items() if key not in configured}
            if not owned:
                return self.async_abort(reason="all_configured")
        sign_in.servers = owned
        return None

    async def _async_connect(self, server: PlexResource) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Find an address of `server` that works, then add it (or renew its token)."""
        token = server.access_token or ""
        if self.source == SOURCE_REAUTH:
            # The stored address stays: only the token was the problem.
            return await self._async_create_or_update({**self._get_reauth_entry().data, CONF_TOKEN: token})
        names = await async_client_names(self.hass)
        connection = await find_connection(async_get_clientsession(self.hass), server, **names)
        if connection is None:
            return None, {"base": "no_reachable_connection"}
        data = {CONF_URL: server_url(connection), CONF_TOKEN: token, CONF_VERIFY_SSL: True}
        return await self._async_create_or_update(data)

    async def _async_watch_pin(self, sign_in: SignIn) -> None:
        """Poll the PIN while Plex's page is open; move the flow on when it has an outcome."""
        # Polling is the only way: plex.tv tells nobody when a PIN is approved.
        while True:
            await asyncio.sleep(PIN_POLL_SECONDS)
            if await sign_in.async_check_pin():
                break
        sign_in.watch = None
        if self.cur_step is not None and self.cur_step.get("step_id") == AWAIT_SIGN_IN_STEP:
            # The user may have closed the dialog in the same moment: then nothing is left to move on.
            with contextlib.suppress(UnknownFlow):
                await self.hass.config_entries.flow.async_configure(self.flow_id)

    def _end_sign_in(self) -> None:
        if self._sign_in is not None:
            self._sign_in.stop_watch()
        self._sign_in = None
        self._failure = None

    @callback
    @override
    def async_remove(self) -> None:
        """The flow is gone (finished, aborted or closed): stop watching its PIN."""
        self._end_sign_in()

    # Reauth and reconfigure --------------------------------------------------------------------

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The server refused the token: sign in again, or enter a new token."""
        return self.async_show_menu(
            step_id="reauth",
            menu_options=["sign_in", "reauth_confirm"],
            description_placeholders={"server": self._get_reauth_entry().title},
        )

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for a new token only; the URL stays."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_TOKEN: user_input[CONF_TOKEN]}
            result, errors = await self._async_create_or_update(data)
            if result is not None:
                return result
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_TOKEN): TOKEN_SELECTOR}),
            description_placeholders={"server": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Change the URL, token or certificate check of a configured server."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            # An empty token field keeps the stored token.
            data = {**entry.data, **{key: value for key, value in user_input.items() if value != ""}}
            identity, errors = await self._async_validate(data)
            if identity is not None:
                await self.async_set_unique_id(identity.machine_identifier)
                self._abort_if_unique_id_mismatch(reason="wrong_server")
                return self.async_update_reload_and_abort(entry, data_updates=data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _server_schema(entry.data, token_required=False), user_input
            ),
            description_placeholders={"server": entry.title},
            errors=errors,
        )


def _normalize_url_in(data: dict[str, Any]) -> str | None:
    """Put the server's base URL in place of what was typed or pasted; the form error, if it is not one."""
    try:
        data[CONF_URL] = str(normalize_url(data[CONF_URL]))
    except PlexWebAppUrlError:
        return "plex_web_app"
    except ValueError:
        return "invalid_url"
    return None


def _core_plex_server(entry: ConfigEntry) -> CorePlexServer | None:
    """The URL and token a core Plex entry holds, when it holds both (a token only when one was given)."""
    config = entry.data.get("server_config")
    if not entry.unique_id or not isinstance(config, Mapping):
        return None
    url, token = config.get(CONF_URL), config.get(CONF_TOKEN)
    if not isinstance(url, str) or not isinstance(token, str) or not url or not token:
        return None
    return CorePlexServer(
        machine_identifier=entry.unique_id,
        name=entry.title or str(entry.data.get("server") or entry.unique_id),
        url=url,
        token=token,
        # Core stores verify_ssl only for https URLs.
        verify_ssl=bool(config.get(CONF_VERIFY_SSL, True)),
    )


def _moved_url(stored: str, announced: URL) -> dict[str, Any] | None:
    """The stored URL with the announced host and port, or None to keep it as it is.

    A plex.direct https URL stays: its certificate names that host, which an IP address would break.
    """
    current = URL(stored)
    if current.scheme == "https" and (current.host or "").endswith(".plex.direct"):
        return None
    moved = current.with_host(announced.host or "").with_port(announced.port)
    return {CONF_URL: str(moved)} if moved != current else None
