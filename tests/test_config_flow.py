"""Config flow: the menu, the manual form, core Plex's server, zeroconf, reauth and reconfigure.

Every error and its recovery, against the emulator. Signing in with Plex is in test_sign_in.py.
"""

from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler.const import DOMAIN

from .conftest import MACHINE_ID, TOKEN
from .plex_emulator import PlexEmulator


def _user_input(emulator: PlexEmulator, **changes: Any) -> dict[str, Any]:
    return {CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True} | changes


async def _manual(hass: HomeAssistant) -> Any:
    """Open the "Add integration" dialog and choose "Enter URL and token"."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "manual"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "manual"
    return result


async def test_menu_without_core_plex(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["sign_in", "manual"]


async def test_user_flow_creates_entry(hass: HomeAssistant, emulator: PlexEmulator) -> None:
    result = await _manual(hass)
    assert result["errors"] == {}

    # Typed as people do: no scheme, a trailing slash.
    typed = f"127.0.0.1:{emulator.port}/"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator, **{CONF_URL: typed})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Living room Plex"
    assert result["data"] == {CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True}
    assert result["result"].unique_id == MACHINE_ID
    # The flow checked both the token and Butler access.
    assert emulator.requests_to("GET", "/")
    assert emulator.requests_to("GET", "/butler")


@pytest.mark.parametrize(
    ("break_it", "error"),
    [
        (lambda emulator, port: {CONF_URL: f"http://127.0.0.1:{port}"}, {"base": "cannot_connect"}),
        (lambda emulator, port: {CONF_TOKEN: "wrong"}, {"base": "invalid_auth"}),
        (lambda emulator, port: {CONF_URL: emulator.url.replace("http", "https")}, {"base": "ssl_error"}),
        (lambda emulator, port: {CONF_URL: "ftp://127.0.0.1"}, {CONF_URL: "invalid_url"}),
        (
            lambda emulator, port: emulator.faults.add("/", body=b"<html>a proxy page</html>", times=1)
            and {},
            {"base": "unknown"},
        ),
        (
            lambda emulator, port: emulator.faults.add("/butler", status=403, times=1) and {},
            {"base": "invalid_auth"},
        ),
    ],
    ids=["cannot_connect", "invalid_auth", "ssl_error", "invalid_url", "unknown", "not_admin"],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, emulator: PlexEmulator, unused_tcp_port: int, break_it: Any, error: dict[str, str]
) -> None:
    result = await _manual(hass)
    changes = break_it(emulator, unused_tcp_port)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error

    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TOKEN] == TOKEN


async def test_same_server_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    result = await _manual(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(emulator))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_url_pasted_from_plex_web(hass: HomeAssistant, emulator: PlexEmulator) -> None:
    """The address bar of the server's own Plex Web, token and all, becomes the server's base URL."""
    pasted = f"{emulator.url}/web/index.html#!/settings/server/{MACHINE_ID}/general?X-Plex-Token=abc"
    result = await _manual(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator, **{CONF_URL: pasted})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == emulator.url
    assert [request.path for request in emulator.requests[:2]] == ["/", "/butler"]
    assert not [request for request in emulator.requests if request.path.startswith("/web")]


@pytest.mark.parametrize(
    "address", ["https://app.plex.tv/desktop/#!/settings/server/abc", "app.plex.tv", "https://plex.tv/web"]
)
async def test_plex_web_app_address_has_its_own_message(
    hass: HomeAssistant, emulator: PlexEmulator, address: str
) -> None:
    result = await _manual(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator, **{CONF_URL: address})
    )
    assert result["errors"] == {CONF_URL: "plex_web_app"}
    # Nothing was sent anywhere.
    assert emulator.requests == []


async def test_reauth(hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator) -> None:
    emulator.rotate_token("fresh-token")
    result = await init_integration.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "reauth"
    assert result["menu_options"] == ["sign_in", "reauth_confirm"]
    assert result["description_placeholders"]["server"] == "Living room Plex"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_confirm"}
    )
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["server"] == "Living room Plex"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_TOKEN: "still-wrong"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_TOKEN: "fresh-token"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert init_integration.data[CONF_TOKEN] == "fresh-token"
    assert init_integration.data[CONF_URL] == emulator.url


async def test_reauth_other_server_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    result = await init_integration.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_confirm"}
    )
    emulator.identity["machineIdentifier"] = "0" * 40
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_TOKEN: TOKEN})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_server"


async def test_reconfigure(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: "gopher://x", CONF_VERIFY_SSL: True}
    )
    assert result["errors"] == {CONF_URL: "invalid_url"}

    # No token given: the stored one is kept.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: f"127.0.0.1:{emulator.port}/", CONF_VERIFY_SSL: False}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data == {
        CONF_URL: emulator.url,
        CONF_TOKEN: TOKEN,
        CONF_VERIFY_SSL: False,
    }


async def test_reconfigure_new_token(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.rotate_token("another")
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: emulator.url, CONF_TOKEN: "another", CONF_VERIFY_SSL: True}
    )
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data[CONF_TOKEN] == "another"


async def test_reconfigure_other_server_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.identity["machineIdentifier"] = "f" * 40
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: emulator.url, CONF_VERIFY_SSL: True}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_server"
    assert init_integration.data[CONF_URL] == emulator.url
