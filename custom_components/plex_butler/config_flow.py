"""Config flow: add a Plex server, renew its token (reauth) or change how it is reached (reconfigure)."""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType

from . import async_create_client
from .api import (
    PlexButlerAuthError,
    PlexButlerConnectionError,
    PlexButlerError,
    PlexButlerSslError,
    ServerIdentity,
    normalize_url,
)
from .compat import vol
from .const import DOMAIN, LOGGER

TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def _server_schema(defaults: Mapping[str, Any], *, token_required: bool) -> vol.Schema:
    token = vol.Required(CONF_TOKEN) if token_required else vol.Optional(CONF_TOKEN)
    return vol.Schema(
        {
            vol.Required(CONF_URL, default=defaults.get(CONF_URL, vol.UNDEFINED)): URL_SELECTOR,
            token: TOKEN_SELECTOR,
            vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): bool,
        }
    )


class PlexButlerConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per Plex server, keyed by its machine identifier."""

    VERSION = 1

    async def _async_validate(self, data: dict[str, Any]) -> tuple[ServerIdentity | None, dict[str, str]]:
        """Reach the server with `data`; its identity, or the form errors to show.

        The URL in `data` is replaced by its normalized form, which is what gets stored.
        """
        try:
            data[CONF_URL] = str(normalize_url(data[CONF_URL]))
        except ValueError:
            return None, {CONF_URL: "invalid_url"}
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

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the server's URL and token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = dict(user_input)
            identity, errors = await self._async_validate(data)
            if identity is not None:
                await self.async_set_unique_id(identity.machine_identifier)
                self._abort_if_unique_id_configured(updates={CONF_URL: data[CONF_URL]})
                return self.async_create_entry(title=identity.friendly_name, data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _server_schema({}, token_required=True), user_input
            ),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The server refused the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for a new token only; the URL stays."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_TOKEN: user_input[CONF_TOKEN]}
            identity, errors = await self._async_validate(data)
            if identity is not None:
                await self.async_set_unique_id(identity.machine_identifier)
                self._abort_if_unique_id_mismatch(reason="wrong_server")
                return self.async_update_reload_and_abort(entry, data_updates={CONF_TOKEN: data[CONF_TOKEN]})
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
