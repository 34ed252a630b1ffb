"""Signing in with Plex: the PIN, Plex's page, the callback, the account's servers and their addresses.

Runs against the emulated plex.tv and the emulated server on loopback, as a user would see it through
the config flow: the menu, the external step, the server choice and every message on the way.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from unittest.mock import MagicMock, patch
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_TOKEN, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import instance_id
from homeassistant.helpers.http import KEY_HASS
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.plex_butler import config_flow
from custom_components.plex_butler.api import PlexPin
from custom_components.plex_butler.const import DOMAIN
from custom_components.plex_butler.sign_in import (
    CALLBACK_PATH,
    SignInCallbackView,
    async_create_plex_tv_client,
)

from .conftest import MACHINE_ID, TOKEN
from .plex_emulator import PlexEmulator
from .plex_emulator.plextv import ACCOUNT_TOKEN, PlexTvEmulator, owned_server, player, shared_server

OTHER_ID = "c0ffee" * 6 + "beef"


@pytest.fixture
def pin_poll_seconds() -> float:
    """How often the flow polls the PIN; tests of the callback make it too slow to matter."""
    return 0.01


@pytest.fixture
async def plex_tv(
    emulator: PlexEmulator, unused_tcp_port_factory: Callable[[], int], pin_poll_seconds: float
) -> AsyncIterator[PlexTvEmulator]:
    """plex.tv with an account that owns the emulated server and has a shared one and a player."""
    tv = PlexTvEmulator()
    tv.resources = [
        player(),
        shared_server(OTHER_ID, "Friend's Plex", emulator.port),
        owned_server(emulator, dead_port=unused_tcp_port_factory()),
    ]
    await tv.start()
    with (
        patch("custom_components.plex_butler.sign_in.PLEX_TV_URL_OVERRIDE", tv.url),
        patch.object(config_flow, "PIN_POLL_SECONDS", pin_poll_seconds),
        patch.object(config_flow, "CALLBACK_PIN_PAUSE", 0),
    ):
        yield tv
    await tv.stop()


@pytest.fixture
def frontend_request() -> Iterator[None]:
    """The flow runs inside a request of the frontend, which names the address the browser uses."""
    request = make_mocked_request(
        "POST", "/api/config/config_entries/flow", headers={"HA-Frontend-Base": "https://example.com"}
    )
    with patch("homeassistant.helpers.http.current_request") as current:
        current.get.return_value = request
        yield


async def _start_sign_in(hass: HomeAssistant, result: dict[str, Any] | None = None) -> Any:
    if result is None:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "sign_in"})


async def _until_step(hass: HomeAssistant, flow_id: str, step_id: str) -> None:
    """Wait for the flow's own PIN watch to move it on, as the frontend would see it."""
    for _ in range(500):
        if hass.config_entries.flow.async_get(flow_id).get("step_id") == step_id:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the flow never reached {step_id}")


async def _continue(hass: HomeAssistant, flow_id: str) -> Any:
    """What the frontend does when an external step is done: ask for the next step."""
    return await hass.config_entries.flow.async_configure(flow_id)


async def test_sign_in_adds_the_owned_server_at_its_best_address(
    hass: HomeAssistant, emulator: PlexEmulator, plex_tv: PlexTvEmulator
) -> None:
    result = await _start_sign_in(hass)
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["step_id"] == "await_sign_in"
    page, fragment = result["url"].split("#?")
    assert page == plex_tv.sign_in_page
    parameters = parse_qs(fragment)
    (pin,) = plex_tv.pins.values()
    assert parameters["code"] == [pin.code]
    assert parameters["clientID"] == [f"home-assistant-plex-butler-{await instance_id.async_get(hass)}"]
    assert parameters["context[device][product]"] == ["Plex Butler for Home Assistant"]
    # Started without the frontend: no page to come back to, the flow watches the PIN itself.
    assert "forwardUrl" not in parameters

    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")
    result = await _continue(hass, result["flow_id"])

    # One owned server (the shared one and the player are not offered): no question asked.
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Living room Plex"
    assert result["data"] == {CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True}
    assert result["result"].unique_id == MACHINE_ID

    (create,) = plex_tv.requests_to("POST", "/api/v2/pins")
    assert create.query == {"strong": "true"}
    assert create.headers["X-Plex-Client-Identifier"] == parameters["clientID"][0]
    assert create.headers["X-Plex-Product"] == "Plex Butler for Home Assistant"
    (resources,) = plex_tv.requests_to("GET", "/api/v2/resources")
    assert resources.headers["X-Plex-Token"] == ACCOUNT_TOKEN
    assert resources.query == {"includeHttps": "1", "includeRelay": "1"}
    # Every address was asked who it is, without the server's token.
    identities = emulator.requests_to("GET", "/identity")
    assert identities
    assert all("X-Plex-Token" not in request.headers for request in identities)


async def test_callback_page_moves_the_flow_on(
    hass: HomeAssistant,
    emulator: PlexEmulator,
    plex_tv: PlexTvEmulator,
    frontend_request: None,
) -> None:
    """Started from the frontend: Plex's page sends the browser back to our own callback path."""
    hass.http = MagicMock()
    with patch.object(config_flow, "PIN_POLL_SECONDS", 3600):
        result = await _start_sign_in(hass)
        flow_id = result["flow_id"]
        forward = parse_qs(result["url"].split("#?")[1])["forwardUrl"]
        assert forward == [f"https://example.com{CALLBACK_PATH}?flow_id={flow_id}"]
        assert CALLBACK_PATH != "/auth/plex/callback"  # core Plex's
        (view,) = [call.args[0] for call in hass.http.register_view.call_args_list]
        assert isinstance(view, SignInCallbackView)
        assert view.requires_auth is False

        plex_tv.approve()
        response = await _callback(hass, view, flow_id)
        assert "window.close()" in response.text
        result = await _continue(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    # A second sign-in does not register the view again.
    await _start_sign_in(hass)
    assert hass.http.register_view.call_count == 1


async def test_callback_leaves_other_flows_alone(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, emulator: PlexEmulator
) -> None:
    """The page needs no login, so it only moves a flow of ours that waits for a sign-in."""
    menu = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    view = SignInCallbackView()
    for flow_id in (menu["flow_id"], "no-such-flow", ""):
        response = await _callback(hass, view, flow_id)
        assert response.status == 200
    assert hass.config_entries.flow.async_get(menu["flow_id"])["step_id"] == "user"


@pytest.mark.parametrize("pin_poll_seconds", [3600.0])
async def test_refused_sign_in_says_so_and_goes_back(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    """Back from Plex's page without approving: a message, then the menu again."""
    result = await _start_sign_in(hass)
    await _callback(hass, SignInCallbackView(), result["flow_id"])
    result = await _continue(hass, result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "sign_in_refused"}
    # The PIN was asked about a few times before giving up.
    assert (
        len(plex_tv.requests_to("GET", f"/api/v2/pins/{max(plex_tv.pins)}"))
        == config_flow.CALLBACK_PIN_CHECKS
    )

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    # And a second try works.
    result = await _start_sign_in(hass, result)
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert len(plex_tv.pins) == 2


async def test_expired_pin_is_a_timeout(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    result = await _start_sign_in(hass)
    plex_tv.expire_pins()
    await _until_step(hass, result["flow_id"], "sign_in_failed")
    result = await _continue(hass, result["flow_id"])
    assert result["errors"] == {"base": "sign_in_timeout"}


async def test_plex_tv_hiccup_while_waiting_is_not_fatal(
    hass: HomeAssistant, plex_tv: PlexTvEmulator
) -> None:
    result = await _start_sign_in(hass)
    plex_tv.failures["/api/v2/pins/"] = 503
    for _ in range(100):
        if len(plex_tv.requests_to("GET", f"/api/v2/pins/{max(plex_tv.pins)}")) >= 3:
            break
        await asyncio.sleep(0.01)
    assert hass.config_entries.flow.async_get(result["flow_id"])["step_id"] == "await_sign_in"
    del plex_tv.failures["/api/v2/pins/"]
    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/v2/pins", 503, "plex_tv_unreachable"),
        ("/api/v2/resources", 500, "plex_tv_unreachable"),
        ("/api/v2/resources", 401, "sign_in_refused"),
    ],
)
async def test_plex_tv_failures(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, path: str, status: int, error: str
) -> None:
    plex_tv.failures[path] = status
    result = await _start_sign_in(hass)
    if result["type"] is FlowResultType.EXTERNAL_STEP:
        plex_tv.approve()
        await _until_step(hass, result["flow_id"], "pick_server")
        result = await _continue(hass, result["flow_id"])
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": error}


async def test_plex_tv_unreachable(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    await plex_tv.stop()
    result = await _start_sign_in(hass)
    assert result["errors"] == {"base": "plex_tv_unreachable"}


async def _signed_in(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, result: dict[str, Any] | None = None
) -> Any:
    result = await _start_sign_in(hass, result)
    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")
    return await _continue(hass, result["flow_id"])


async def test_only_shared_servers(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, emulator: PlexEmulator
) -> None:
    plex_tv.resources = [shared_server(OTHER_ID, "Friend's Plex", emulator.port), player()]
    result = await _signed_in(hass, plex_tv)
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "no_owned_server"}


async def test_every_owned_server_configured(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, init_integration: MockConfigEntry
) -> None:
    result = await _signed_in(hass, plex_tv)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "all_configured"


async def test_no_reachable_address(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, emulator: PlexEmulator, unused_tcp_port: int
) -> None:
    """Dead addresses, and one that leads to a different server, are all passed over."""
    record = owned_server(emulator, dead_port=unused_tcp_port)
    record["clientIdentifier"] = OTHER_ID  # the emulator answers /identity with MACHINE_ID
    plex_tv.resources = [record]
    result = await _signed_in(hass, plex_tv)
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "no_reachable_connection"}
    assert emulator.requests_to("GET", "/identity")
    assert not emulator.requests_to("GET", "/butler")


async def test_several_owned_servers_offer_a_choice(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, emulator: PlexEmulator, unused_tcp_port: int
) -> None:
    second = PlexEmulator(
        token="second-token",
        identity={"machineIdentifier": OTHER_ID, "friendlyName": "Attic Plex", "version": "1.43.2"},
    )
    second.faults.websocket_status = 404
    await second.start()
    try:
        dead = owned_server(emulator, dead_port=unused_tcp_port, name="Cabin Plex")
        dead["clientIdentifier"] = "d" * 40
        dead["connections"] = [c for c in dead["connections"] if c["port"] == unused_tcp_port]
        plex_tv.resources = [
            owned_server(emulator, dead_port=unused_tcp_port),
            owned_server(second, dead_port=unused_tcp_port),
            dead,
        ]
        result = await _signed_in(hass, plex_tv)
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "pick_server"
        options = result["data_schema"].schema["server"].config["options"]
        assert [option["label"] for option in options] == ["Living room Plex", "Attic Plex", "Cabin Plex"]

        # A server none of whose addresses work: said on the same form, another can be chosen.
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {"server": "d" * 40})
        assert result["step_id"] == "pick_server"
        assert result["errors"] == {"base": "no_reachable_connection"}

        result = await hass.config_entries.flow.async_configure(result["flow_id"], {"server": OTHER_ID})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["title"] == "Attic Plex"
        assert result["data"] == {CONF_URL: second.url, CONF_TOKEN: "second-token", CONF_VERIFY_SSL: True}
        await hass.config_entries.async_unload(result["result"].entry_id)
    finally:
        await second.stop()


async def test_owned_server_refusing_the_butler(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, emulator: PlexEmulator
) -> None:
    emulator.faults.add("/butler", status=403)
    result = await _signed_in(hass, plex_tv)
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "invalid_auth"}


async def test_closing_the_dialog_stops_watching_the_pin(
    hass: HomeAssistant, plex_tv: PlexTvEmulator
) -> None:
    result = await _start_sign_in(hass)
    await asyncio.sleep(0.05)
    hass.config_entries.flow.async_abort(result["flow_id"])
    await asyncio.sleep(0)
    asked = len(plex_tv.requests)
    await asyncio.sleep(0.1)
    assert len(plex_tv.requests) == asked
    assert not [task for task in hass._background_tasks if "sign-in" in task.get_name() and not task.done()]


async def test_reauth_by_sign_in(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, plex_tv: PlexTvEmulator
) -> None:
    """The owner signs in again; plex.tv hands over the server's current token, the address stays."""
    emulator.rotate_token("rotated-token")
    plex_tv.resources[-1]["accessToken"] = "rotated-token"
    result = await init_integration.start_reauth_flow(hass)
    assert result["step_id"] == "reauth"
    result = await _signed_in(hass, plex_tv, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert init_integration.data == {
        CONF_URL: emulator.url,
        CONF_TOKEN: "rotated-token",
        CONF_VERIFY_SSL: True,
    }


async def test_reauth_with_an_account_that_does_not_own_the_server(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, plex_tv: PlexTvEmulator
) -> None:
    plex_tv.resources = [shared_server(MACHINE_ID, "Living room Plex", emulator.port)]
    result = await init_integration.start_reauth_flow(hass)
    result = await _signed_in(hass, plex_tv, result)
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "not_owner"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "reauth"
    assert init_integration.data[CONF_TOKEN] == TOKEN


async def _callback(hass: HomeAssistant, view: SignInCallbackView, flow_id: str) -> web.Response:
    """The browser, back from Plex's page, at our callback address (no login: it carries none)."""
    app = web.Application()
    app[KEY_HASS] = hass
    request = make_mocked_request("GET", f"{CALLBACK_PATH}?flow_id={flow_id}", app=app)
    return await view.get(request)


async def test_outcome_is_kept_once_known() -> None:
    """The PIN watch and the callback may both conclude: the first outcome stands."""
    sign_in = config_flow.SignIn(MagicMock(), PlexPin(id=1, code="abc"))
    sign_in.finish(None)
    sign_in.finish("sign_in_refused")
    assert (sign_in.next_step, sign_in.error) == ("pick_server", None)


async def test_steps_reached_without_a_sign_in_go_back_to_the_menu(hass: HomeAssistant) -> None:
    """Nothing to wait for or to choose from (the sign-in was given up meanwhile): back to the menu."""
    flow = config_flow.PlexButlerConfigFlow()
    flow.hass = hass
    flow.context = {"source": SOURCE_USER}
    result = await flow.async_step_await_sign_in()
    assert result["type"] is FlowResultType.EXTERNAL_STEP_DONE
    assert result["step_id"] == "sign_in_failed"
    for step in (flow.async_step_sign_in_failed, flow.async_step_pick_server):
        result = await step()
        assert result["type"] is FlowResultType.MENU
        assert result["step_id"] == "user"


async def test_pin_watch_leaves_a_flow_that_moved_on(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    result = await _start_sign_in(hass)
    flow = hass.config_entries.flow._progress[result["flow_id"]]
    sign_in = flow._sign_in
    sign_in.stop_watch()
    flow.cur_step = {**result, "step_id": "pick_server"}
    plex_tv.approve()
    with patch.object(hass.config_entries.flow, "async_configure") as configure:
        await flow._async_watch_pin(sign_in)
    configure.assert_not_called()
    assert sign_in.account_token == ACCOUNT_TOKEN


async def test_real_plex_tv_unless_told_otherwise(hass: HomeAssistant) -> None:
    """Without the development setting, sign-in goes to Plex's own addresses."""
    with patch("custom_components.plex_butler.sign_in.PLEX_TV_URL_OVERRIDE", None):
        client = await async_create_plex_tv_client(hass)
    assert client.sign_in_url(PlexPin(id=1, code="abc")).startswith("https://app.plex.tv/auth#?clientID=")
