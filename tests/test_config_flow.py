"""Config flow: the menu, the manual form, core Plex's server, zeroconf, reauth and reconfigure.

Every error and its recovery, against the emulator. Signing in with Plex is in test_sign_in.py.
"""

from ipaddress import ip_address
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
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


async def _reconfigure_manually(hass: HomeAssistant, menu: Any) -> Any:
    """Choose "Enter URL and token" in the reconfigure menu."""
    return await hass.config_entries.flow.async_configure(
        menu["flow_id"], {"next_step_id": "reconfigure_manual"}
    )


async def test_reconfigure(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "reconfigure"
    assert result["menu_options"] == ["sign_in", "reconfigure_manual"]
    result = await _reconfigure_manually(hass, result)
    assert result["step_id"] == "reconfigure_manual"
    assert [str(key) for key in result["data_schema"].schema] == [CONF_URL, CONF_TOKEN, CONF_VERIFY_SSL]

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
    result = await _reconfigure_manually(hass, await init_integration.start_reconfigure_flow(hass))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: emulator.url, CONF_TOKEN: "another", CONF_VERIFY_SSL: True}
    )
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data[CONF_TOKEN] == "another"


async def test_reconfigure_other_server_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator
) -> None:
    emulator.identity["machineIdentifier"] = "f" * 40
    result = await _reconfigure_manually(hass, await init_integration.start_reconfigure_flow(hass))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: emulator.url, CONF_VERIFY_SSL: True}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_server"
    assert init_integration.data[CONF_URL] == emulator.url


def _core_plex_entry(emulator: PlexEmulator, **server_config: Any) -> MockConfigEntry:
    """An entry of Home Assistant's own Plex integration, as it stores one after a manual setup."""
    return MockConfigEntry(
        domain="plex",
        title="Living room Plex",
        unique_id=server_config.pop("unique_id", MACHINE_ID),
        data={
            "server": "Living room Plex",
            "server_id": MACHINE_ID,
            "server_config": {CONF_URL: emulator.url, CONF_TOKEN: TOKEN} | server_config,
        },
    )


async def test_from_core_plex_in_one_click(hass: HomeAssistant, emulator: PlexEmulator) -> None:
    core = _core_plex_entry(emulator)
    core.add_to_hass(hass)
    core_data = dict(core.data)
    # A second dialog, opened at the same time and left open.
    stale = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["menu_options"] == ["from_plex", "sign_in", "manual"]
    assert result["description_placeholders"] == {"servers": "Living room Plex"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "from_plex"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True}
    assert result["result"].unique_id == MACHINE_ID
    # Validated like any other server, and nothing written to the other integration.
    assert emulator.requests_to("GET", "/butler")
    assert dict(core.data) == core_data

    # Now that Plex Butler has it, the menu stops offering it, and the menu opened before ends cleanly.
    stale = await hass.config_entries.flow.async_configure(stale["flow_id"], {"next_step_id": "from_plex"})
    assert stale["type"] is FlowResultType.ABORT
    assert stale["reason"] == "already_configured"
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["menu_options"] == ["sign_in", "manual"]


async def test_from_core_plex_with_a_token_that_is_not_the_owners(
    hass: HomeAssistant, emulator: PlexEmulator
) -> None:
    _core_plex_entry(emulator, token="a-shared-user-token").add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "from_plex"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "from_plex"
    assert result["errors"] == {"base": "invalid_auth"}
    # Nothing to choose from: the form has no field, submitting tries again.
    assert result["data_schema"].schema == {}
    emulator.token = "a-shared-user-token"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_from_core_plex_with_several_servers(hass: HomeAssistant, emulator: PlexEmulator) -> None:
    _core_plex_entry(emulator, unique_id="a" * 40, url="http://127.0.0.1:9").add_to_hass(hass)
    _core_plex_entry(emulator).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "from_plex"})
    assert result["type"] is FlowResultType.FORM
    assert list(result["data_schema"].schema) == ["server"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"server": MACHINE_ID})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == emulator.url


@pytest.mark.parametrize(
    "entry_data",
    [
        {"server_config": {CONF_URL: "http://127.0.0.1:32400"}},  # set up without a token
        {"server": "Living room Plex"},
    ],
)
async def test_core_plex_without_a_token_is_not_offered(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    MockConfigEntry(domain="plex", unique_id=MACHINE_ID, data=entry_data).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["menu_options"] == ["sign_in", "manual"]


def _zeroconf(port: int) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname="living-room.local.",
        name="Living room Plex._plexmediasvr._tcp.local.",
        port=port,
        type="_plexmediasvr._tcp.local.",
        properties={},
    )


async def test_zeroconf_then_token(hass: HomeAssistant, emulator: PlexEmulator) -> None:
    # Core Plex knows another server: a flow about the discovered one does not offer it.
    _core_plex_entry(emulator, unique_id="a" * 40, url="http://127.0.0.1:9").add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(emulator.port)
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["sign_in", "manual"]
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["title_placeholders"] == {"name": "Living room Plex"}
    # Identified without a token.
    (identity,) = emulator.requests_to("GET", "/identity")
    assert "X-Plex-Token" not in identity.headers

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "manual"})
    schema = result["data_schema"].schema
    (url_key,) = [key for key in schema if key == CONF_URL]
    assert url_key.description == {"suggested_value": emulator.url}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MACHINE_ID


async def test_zeroconf_known_to_core_plex_needs_a_confirmation(
    hass: HomeAssistant, emulator: PlexEmulator
) -> None:
    _core_plex_entry(emulator).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(emulator.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    assert result["description_placeholders"] == {"name": "Living room Plex"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TOKEN] == TOKEN


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("http://127.0.0.1:1", "{emulator}"),
        ("https://127-0-0-1.0123abcd.plex.direct:1", "https://127-0-0-1.0123abcd.plex.direct:1"),
        ("{emulator}", "{emulator}"),
    ],
    ids=["moved", "plex_direct_stays", "unchanged"],
)
async def test_zeroconf_updates_a_moved_server(
    hass: HomeAssistant, emulator: PlexEmulator, stored: str, expected: str
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=MACHINE_ID,
        data={CONF_URL: stored.format(emulator=emulator.url), CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True},
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(emulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_URL] == expected.format(emulator=emulator.url)
    await hass.async_block_till_done()


async def test_zeroconf_unreachable(socket_enabled: None, hass: HomeAssistant, unused_tcp_port: int) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(unused_tcp_port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"
