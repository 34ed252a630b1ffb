"""Config flow: add a Plex server, renew its token (reauth) or change how it is reached (reconfigure).

Three ways in, offered as a menu: the server of Home Assistant's own Plex integration (`from_plex`,
only when there is one to take), signing in with Plex (`sign_in`) and the server's URL with a token
(`manual`). A server found by zeroconf starts the same menu. Reauth and reconfigure offer sign-in too,
beside their token or address form. Every way ends in `_async_save`, which validates the server and
adds it, renews its token or updates its address, by the flow's source.

Sign-in is an external step: the frontend opens Plex's sign-in page in a new tab (no link to look for);
the browser coming back, or the PIN watch (sign_in.py), moves the flow on.
"""

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, cast, override

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import callback
from homeassistant.data_entry_flow import UnknownFlow
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

from .api import (
    PlexButlerError,
    PlexResource,
    PlexTvError,
)
from .clients import async_create_public_client
from .compat import vol
from .const import DOMAIN, LOGGER
from .core_plex import CorePlexServer, core_plex_servers
from .server_check import async_check_server
from .sign_in import AWAIT_SIGN_IN_STEP, SignIn, SignInError, async_server_url

TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
CONF_SERVER: Final = "server"
# Sign-in failures that end the flow rather than offer the way back.
SIGN_IN_ABORTS: Final = frozenset({"all_configured"})


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


def _pick[T](choices: Mapping[str, T], user_input: Mapping[str, Any] | None) -> T | None:
    """The one choice there is, or the one the user picked from several; None until then."""
    if len(choices) == 1:
        return next(iter(choices.values()))
    if user_input is None:
        return None
    return choices.get(user_input.get(CONF_SERVER, ""))


class PlexSignInSteps(ConfigFlow):
    """Signing in with Plex, the same steps whether a server is added, reauthenticated or reconfigured.

    The flow below decides what a sign-in is for (`_wanted_server`) and saves what it finds
    (`_async_save`); failures lead back to the menu of the flow's own source.
    """

    def __init__(self) -> None:
        self._sign_in: SignIn | None = None
        # The account's servers that sign-in may add, once listed.
        self._offered: dict[str, PlexResource] = {}
        # Why signing in failed, for the sign_in_failed step to show.
        self._failure: str | None = None

    if TYPE_CHECKING:
        # Given by the flow below.
        async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
            """The menu of ways in, when the server refused its token."""
            ...

        async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
            """The menu of ways in, when reconfiguring."""
            ...

        async def _async_save(
            self, data: Mapping[str, Any]
        ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
            """Validate and save the server's data as the flow's source wants; or the form errors."""
            ...

        def _wanted_server(self) -> str | None:
            """The one server a sign-in must find, or None."""
            ...

        def _configured_ids(self) -> set[str]:
            """The machine identifiers already configured."""
            ...

    async def async_step_sign_in(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Open Plex's sign-in page for a new PIN."""
        self._end_sign_in()
        try:
            sign_in = await SignIn.async_start(self.hass, self.flow_id)
        except PlexTvError as err:
            LOGGER.debug("Could not start the sign-in with Plex: %s", err)
            return await self._async_sign_in_failed("plex_tv_unreachable")
        self._sign_in = sign_in
        sign_in.async_watch(self.hass, f"{DOMAIN} sign-in {self.flow_id}", self._async_sign_in_ended)
        return self.async_external_step(step_id=AWAIT_SIGN_IN_STEP, url=sign_in.url)

    async def async_step_await_sign_in(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The browser came back from Plex, or the PIN watch saw the PIN approved or expired."""
        # Only the sign_in step leads here, and only leaving this step ends the sign-in.
        sign_in = cast(SignIn, self._sign_in)
        if (outcome := await sign_in.async_check()) is None:
            # Back from Plex's page before plex.tv shows the approval: keep waiting on the same step,
            # so the frontend neither reloads nor opens Plex's page again. The watch goes on.
            return self.async_external_step(step_id=AWAIT_SIGN_IN_STEP, url=sign_in.url)
        sign_in.cancel()
        self._failure = outcome.failure
        return self.async_external_step_done(
            next_step_id="pick_server" if outcome.failure is None else "sign_in_failed"
        )

    async def async_step_pick_server(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which of the account's own servers: asked only when there are several new ones."""
        # Only a successful await_sign_in leads here, and this step keeps the sign-in until it ends.
        sign_in = cast(SignIn, self._sign_in)
        try:
            if not self._offered:
                self._offered = await sign_in.async_servers(
                    wanted=self._wanted_server(), configured=self._configured_ids()
                )
        except SignInError as failure:
            return await self._async_sign_in_failed(failure.key)
        servers = self._offered
        errors: dict[str, str] = {}
        if (chosen := _pick(servers, user_input)) is not None:
            result, errors = await self._async_add_from_account(chosen)
            if result is not None:
                return result
            if len(servers) == 1:
                return await self._async_sign_in_failed(errors["base"])
        return self.async_show_form(
            step_id="pick_server",
            data_schema=_server_choice({key: server.name for key, server in servers.items()}),
            errors=errors,
        )

    async def async_step_sign_in_failed(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Say why signing in did not work; submitting goes back to the choice of ways."""
        if user_input is not None:
            self._end_sign_in()
            if self.source == SOURCE_REAUTH:
                return await self.async_step_reauth(self._get_reauth_entry().data)
            if self.source == SOURCE_RECONFIGURE:
                return await self.async_step_reconfigure()
            return await self.async_step_user()
        return self.async_show_form(
            step_id="sign_in_failed", data_schema=vol.Schema({}), errors={"base": str(self._failure)}
        )

    async def _async_sign_in_failed(self, key: str) -> ConfigFlowResult:
        """Where every sign-in failure goes: an abort for some, the failure step for the rest."""
        if key in SIGN_IN_ABORTS:
            return self.async_abort(reason=key)
        self._failure = key
        return await self.async_step_sign_in_failed()

    async def _async_add_from_account(
        self, server: PlexResource
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Save `server` with the account's token for it, at an address that works.

        Reauth keeps the stored address (only the token was the problem); adding and reconfiguring
        look for the server's current address.
        """
        token = server.access_token or ""
        if self.source == SOURCE_REAUTH:
            return await self._async_save({**self._get_reauth_entry().data, CONF_TOKEN: token})
        try:
            url = await async_server_url(self.hass, server)
        except SignInError as failure:
            return None, {"base": failure.key}
        return await self._async_save({CONF_URL: url, CONF_TOKEN: token, CONF_VERIFY_SSL: True})

    async def _async_sign_in_ended(self) -> None:
        """The PIN watch has an outcome: move the flow on, if it still waits for one."""
        if self.cur_step is not None and self.cur_step.get("step_id") == AWAIT_SIGN_IN_STEP:
            # The user may have closed the dialog in the same moment: then nothing is left to move on.
            with contextlib.suppress(UnknownFlow):
                await self.hass.config_entries.flow.async_configure(self.flow_id)

    def _end_sign_in(self) -> None:
        if self._sign_in is not None:
            self._sign_in.cancel()
        self._sign_in = None
        self._offered = {}
        self._failure = None

    @callback
    @override
    def async_remove(self) -> None:
        """The flow is gone (finished, aborted or closed): stop watching its PIN."""
        self._end_sign_in()


class PlexButlerConfigFlow(PlexSignInSteps, domain=DOMAIN):
    """One entry per Plex server, keyed by its machine identifier."""

    VERSION = 1

    def __init__(self) -> None:
        super().__init__()
        self._discovered_url: str | None = None

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
            result, errors = await self._async_save(user_input)
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
        if (chosen := _pick(servers, user_input)) is not None:
            result, errors = await self._async_save(chosen.data)
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
        client = await async_create_public_client(self.hass, str(url))
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

    # Reauth and reconfigure --------------------------------------------------------------------

    @override
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
            result, errors = await self._async_save({**entry.data, CONF_TOKEN: user_input[CONF_TOKEN]})
            if result is not None:
                return result
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_TOKEN): TOKEN_SELECTOR}),
            description_placeholders={"server": entry.title},
            errors=errors,
        )

    @override
    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Find the server again by signing in with Plex, or change its URL, token or certificate check."""
        return self.async_show_menu(
            step_id="reconfigure",
            menu_options=["sign_in", "reconfigure_manual"],
            description_placeholders={"server": self._get_reconfigure_entry().title},
        )

    async def async_step_reconfigure_manual(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the URL, token or certificate check of a configured server."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            # An empty token field keeps the stored token.
            data = {**entry.data, **{key: value for key, value in user_input.items() if value != ""}}
            result, errors = await self._async_save(data)
            if result is not None:
                return result
        return self.async_show_form(
            step_id="reconfigure_manual",
            data_schema=self.add_suggested_values_to_schema(
                _server_schema(entry.data, token_required=False), user_input
            ),
            description_placeholders={"server": entry.title},
            errors=errors,
        )

    # Shared by every way in ----------------------------------------------------------------------

    @override
    async def _async_save(self, data: Mapping[str, Any]) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Validate `data`, then save it as the flow's source wants; or the form errors to show.

        Adding creates the entry (or updates the address of a server configured meanwhile); reauth
        renews the token; reconfigure stores the new data. Both of the latter refuse another server.
        """
        identity, normalized, errors = await async_check_server(self.hass, data)
        if identity is None:
            return None, errors
        await self.async_set_unique_id(identity.machine_identifier, raise_on_progress=False)
        if self.source == SOURCE_REAUTH:
            self._abort_if_unique_id_mismatch(reason="wrong_server")
            entry = self._get_reauth_entry()
            return self.async_update_reload_and_abort(
                entry, data_updates={CONF_TOKEN: normalized[CONF_TOKEN]}
            ), {}
        if self.source == SOURCE_RECONFIGURE:
            self._abort_if_unique_id_mismatch(reason="wrong_server")
            return self.async_update_reload_and_abort(
                self._get_reconfigure_entry(), data_updates=normalized
            ), {}
        self._abort_if_unique_id_configured(updates={CONF_URL: normalized[CONF_URL]})
        return self.async_create_entry(title=identity.friendly_name, data=normalized), {}

    @override
    def _wanted_server(self) -> str | None:
        """The one server a sign-in must find, or None when any of the account's servers will do.

        That is the server being reauthenticated or reconfigured, or the discovered one.
        """
        if self.source == SOURCE_REAUTH:
            return self._get_reauth_entry().unique_id
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry().unique_id
        return self.unique_id

    @override
    def _configured_ids(self) -> set[str]:
        return {
            entry.unique_id for entry in self._async_current_entries(include_ignore=False) if entry.unique_id
        }

    def _core_plex_servers(self) -> dict[str, CorePlexServer]:
        """Core Plex's servers we do not have yet; in a flow about one server, only that one."""
        return core_plex_servers(self.hass, self._configured_ids(), self.unique_id)


def _moved_url(stored: str, announced: URL) -> dict[str, Any] | None:
    """The stored URL with the announced host and port, or None to keep it as it is.

    A plex.direct https URL stays: its certificate names that host, which an IP address would break.
    """
    current = URL(stored)
    if current.scheme == "https" and (current.host or "").endswith(".plex.direct"):
        return None
    moved = current.with_host(announced.host or "").with_port(announced.port)
    return {CONF_URL: str(moved)} if moved != current else None
