"""Signing in with Plex: the PIN, Plex's page, the callback, the account's servers and their addresses.

Runs against the emulated plex.tv and the emulated server on loopback, as a user would see it through
the config flow: the menu, the external step, the server choice and every message on the way.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch
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

from custom_components.plex_butler import sign_in
from custom_components.plex_butler.api import PlexPin, PlexResource
from custom_components.plex_butler.clients import async_create_plex_tv_client
from custom_components.plex_butler.const import DOMAIN
from custom_components.plex_butler.sign_in import CALLBACK_PATH, SignInCallbackView

from .conftest import MACHINE_ID, TOKEN
from .plex_emulator import PlexEmulator
from .plex_emulator.plextv import (
    ACCOUNT_TOKEN,
    PlexTvEmulator,
    account_resources,
    owned_server,
    player,
    shared_server,
)
from .resolver import ResolverStub

OTHER_ID = "c0ffee" * 6 + "beef"
DOCKER_ID = "d0c4e4" * 6 + "b1d9"


@pytest.fixture
def pin_poll_seconds() -> float:
    """How often the flow polls the PIN; tests of the callback make it too slow to matter."""
    return 0.01


@pytest.fixture
async def docker_server() -> AsyncIterator[PlexEmulator]:
    """Another server, behind the account's Docker-bridge row: a local address that is not ours."""
    server = PlexEmulator(
        token="docker-token",
        identity={"machineIdentifier": DOCKER_ID, "friendlyName": "Neighbour", "version": "1.43.2"},
    )
    server.faults.websocket_status = 404
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def plex_tv(
    emulator: PlexEmulator,
    docker_server: PlexEmulator,
    unused_tcp_port_factory: Callable[[], int],
    pin_poll_seconds: float,
) -> AsyncIterator[PlexTvEmulator]:
    """plex.tv with a real-shaped account: the emulated server (plex.direct rows only), a player, and a
    shared server. Fast polling, so that tests do not wait for the real pacing (one test keeps it)."""
    tv = PlexTvEmulator(min_poll_interval=0)
    tv.resources = [
        *account_resources(emulator, docker_server=docker_server, dead_port=unused_tcp_port_factory()),
        shared_server(OTHER_ID, "Friend's Plex", emulator.port),
    ]
    await tv.start()
    with (
        patch("custom_components.plex_butler.clients.PLEX_TV_URL_OVERRIDE", tv.url),
        patch.object(sign_in, "PIN_POLL_SECONDS", pin_poll_seconds),
        patch.object(sign_in, "MIN_POLL_GAP_SECONDS", 0.0),
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


async def test_sign_in_adds_the_owned_server_at_its_lan_address(
    hass: HomeAssistant,
    emulator: PlexEmulator,
    docker_server: PlexEmulator,
    plex_tv: PlexTvEmulator,
    resolver: ResolverStub,
) -> None:
    """Real-shaped resources, no plex.direct name resolving (a rebind-protected router): plain LAN http."""
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
    assert pin.origin is None

    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")
    result = await _continue(hass, result["flow_id"])

    # One owned server (the shared one and the player are not offered): no question asked.
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Living room Plex"
    assert result["data"] == {
        CONF_URL: f"http://127.0.0.1:{emulator.port}",
        CONF_TOKEN: TOKEN,
        CONF_VERIFY_SSL: True,
    }
    assert result["result"].unique_id == MACHINE_ID

    (create,) = plex_tv.requests_to("POST", "/api/v2/pins")
    assert create.query == {"strong": "true"}
    assert create.headers["X-Plex-Client-Identifier"] == parameters["clientID"][0]
    assert create.headers["X-Plex-Product"] == "Plex Butler for Home Assistant"
    assert "Origin" not in create.headers
    (resources,) = plex_tv.requests_to("GET", "/api/v2/resources")
    assert resources.headers["X-Plex-Token"] == ACCOUNT_TOKEN
    assert resources.headers["Accept"] == "application/json"
    assert resources.query == {"includeHttps": "1", "includeRelay": "1", "includeIPv6": "1"}
    # Every address was asked who it is, without a token; the Docker-bridge row answered as another
    # server and was passed over.
    identities = emulator.requests_to("GET", "/identity") + docker_server.requests_to("GET", "/identity")
    assert docker_server.requests_to("GET", "/identity")
    assert all("X-Plex-Token" not in request.headers for request in identities)
    assert not docker_server.requests_to("GET", "/butler")
    # The plex.direct names were tried first, and did not resolve.
    assert any(name.endswith(".plex.direct") for name in resolver.asked)


async def test_https_required_tries_no_plain_address(
    hass: HomeAssistant, emulator: PlexEmulator, docker_server: PlexEmulator, plex_tv: PlexTvEmulator
) -> None:
    """The owner asks for secure connections only: with no plex.direct name resolving, nothing works."""
    plex_tv.resources = account_resources(
        emulator, docker_server=docker_server, dead_port=9, https_required=True
    )
    result = await _start_sign_in(hass)
    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")
    result = await _continue(hass, result["flow_id"])
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "no_reachable_connection"}
    assert not emulator.requests_to("GET", "/identity")
    assert not docker_server.requests_to("GET", "/identity")


async def test_a_relay_alone_is_not_stored(
    hass: HomeAssistant, emulator: PlexEmulator, plex_tv: PlexTvEmulator
) -> None:
    """Only Plex's relay answers: nothing is stored, and the user is told to enter the LAN address."""
    record = plex_tv.resources[0]
    record["connections"] = [
        {**connection, "uri": emulator.url} if connection["relay"] else connection
        for connection in record["connections"]
        if connection["relay"] or not connection["local"]
    ]
    result = await _start_sign_in(hass)
    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")
    result = await _continue(hass, result["flow_id"])
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "relay_only"}
    assert emulator.requests_to("GET", "/identity")
    assert not hass.config_entries.async_entries(DOMAIN)
    # The form's button leads back to the ways in of adding a server.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert list(result["menu_options"]) == ["sign_in", "manual"]


async def test_callback_page_moves_the_flow_on(
    hass: HomeAssistant,
    emulator: PlexEmulator,
    plex_tv: PlexTvEmulator,
    frontend_request: None,
) -> None:
    """Started from the frontend: the PIN carries the frontend's origin, Plex's page (which checks it)
    links the PIN and sends the browser back to our own callback path."""
    hass.http = MagicMock()
    with patch.object(sign_in, "PIN_POLL_SECONDS", 3600):
        result = await _start_sign_in(hass)
        flow_id = result["flow_id"]
        forward = parse_qs(result["url"].split("#?")[1])["forwardUrl"]
        assert forward == [f"https://example.com{CALLBACK_PATH}?flow_id={flow_id}"]
        assert CALLBACK_PATH != "/auth/plex/callback"  # core Plex's
        (create,) = plex_tv.requests_to("POST", "/api/v2/pins")
        assert create.headers["Origin"] == "https://example.com"
        (view,) = [call.args[0] for call in hass.http.register_view.call_args_list]
        assert isinstance(view, SignInCallbackView)
        assert view.requires_auth is False

        assert plex_tv.approve_from_page(result["url"]) == forward[0]
        response = await _callback(hass, view, flow_id)
        assert "window.close()" in response.text
        result = await _continue(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    # A second sign-in does not register the view again.
    await _start_sign_in(hass)
    assert hass.http.register_view.call_count == 1


@pytest.mark.parametrize("pin_poll_seconds", [3600.0])
async def test_back_from_plex_before_the_token_shows_keeps_waiting(
    hass: HomeAssistant, plex_tv: PlexTvEmulator, frontend_request: None
) -> None:
    """Plex's page forwards only approved sign-ins: no token yet means "not visible yet", not "refused".

    The flow stays on the same external step with the same page, so the frontend neither reloads nor
    opens Plex's page again; the next look (here the callback again) finds the token.
    """
    hass.http = MagicMock()
    result = await _start_sign_in(hass)
    flow_id, url = result["flow_id"], result["url"]
    await _callback(hass, SignInCallbackView(), flow_id)
    flow = hass.config_entries.flow.async_get(flow_id)
    assert flow["step_id"] == "await_sign_in"
    again = await _continue(hass, flow_id)
    assert again["type"] is FlowResultType.EXTERNAL_STEP
    assert (again["step_id"], again["url"]) == ("await_sign_in", url)

    plex_tv.approve_from_page(url)
    await _callback(hass, SignInCallbackView(), flow_id)
    result = await _continue(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_rate_limits_never_end_the_sign_in(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    """plex.tv answers 429 to polls that come too fast: the watch waits longer and goes on."""
    plex_tv.rate_limited = 4
    result = await _start_sign_in(hass)
    for _ in range(300):
        if plex_tv.rate_limited == 0:
            break
        await asyncio.sleep(0.01)
    assert plex_tv.rate_limited == 0
    assert hass.config_entries.flow.async_get(result["flow_id"])["step_id"] == "await_sign_in"
    plex_tv.approve()
    await _until_step(hass, result["flow_id"], "pick_server")
    result = await _continue(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_polls_are_paced(hass: HomeAssistant, plex_tv: PlexTvEmulator, frontend_request: None) -> None:
    """At most one poll a second from the watch and the callback together: plex.tv never says 429."""
    plex_tv.min_poll_interval = 0.5  # plex.tv's own limit, as strict as observed
    hass.http = MagicMock()
    with (
        patch.object(sign_in, "PIN_POLL_SECONDS", 0.05),
        patch.object(sign_in, "MIN_POLL_GAP_SECONDS", 1.0),
    ):
        result = await _start_sign_in(hass)
        for _ in range(3):
            await _callback(hass, SignInCallbackView(), result["flow_id"])
        plex_tv.approve_from_page(result["url"])
        await _callback(hass, SignInCallbackView(), result["flow_id"])
        result = await _continue(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    polls = plex_tv.requests_to("GET", f"/api/v2/pins/{max(plex_tv.pins)}")
    assert len(polls) >= 4
    assert plex_tv.too_fast_polls == 0


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
async def test_failed_sign_in_goes_back_to_the_menu(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    """A failure says why on a form whose button leads back to the ways in; a second try works."""
    result = await _start_sign_in(hass)
    plex_tv.expire_pins()
    await _callback(hass, SignInCallbackView(), result["flow_id"])
    result = await _continue(hass, result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "sign_in_timeout"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
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
    # A poll already on the wire may still land; after that, nothing more comes.
    await asyncio.sleep(0.05)
    asked = len(plex_tv.requests)
    await asyncio.sleep(0.2)
    assert len(plex_tv.requests) == asked
    assert not [task for task in hass._background_tasks if "sign-in" in task.get_name() and not task.done()]


async def test_reauth_by_sign_in(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: PlexEmulator, plex_tv: PlexTvEmulator
) -> None:
    """The owner signs in again; plex.tv hands over the server's current token, the address stays."""
    emulator.rotate_token("rotated-token")
    plex_tv.resources[0]["accessToken"] = "rotated-token"
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


@pytest.mark.parametrize(
    ("source", "way_back"),
    [("reauth", ["sign_in", "reauth_confirm"]), ("reconfigure", ["sign_in", "reconfigure_manual"])],
)
async def test_sign_in_for_a_configured_server_needs_its_owner(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: PlexEmulator,
    plex_tv: PlexTvEmulator,
    source: str,
    way_back: list[str],
) -> None:
    """Signed in with an account the server is only shared with: refused, the entry unchanged."""
    plex_tv.resources = [shared_server(MACHINE_ID, "Living room Plex", emulator.port)]
    if source == "reauth":
        result = await init_integration.start_reauth_flow(hass)
    else:
        result = await init_integration.start_reconfigure_flow(hass)
    result = await _signed_in(hass, plex_tv, result)
    assert result["step_id"] == "sign_in_failed"
    assert result["errors"] == {"base": "not_owner"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == source
    assert list(result["menu_options"]) == way_back
    assert init_integration.data == {CONF_URL: emulator.url, CONF_TOKEN: TOKEN, CONF_VERIFY_SSL: True}


async def _callback(hass: HomeAssistant, view: SignInCallbackView, flow_id: str) -> web.Response:
    """The browser, back from Plex's page, at our callback address (no login: it carries none)."""
    app = web.Application()
    app[KEY_HASS] = hass
    request = make_mocked_request("GET", f"{CALLBACK_PATH}?flow_id={flow_id}", app=app)
    return await view.get(request)


async def test_outcome_is_kept_once_known() -> None:
    """The PIN watch and the callback may both look: once there is an outcome, nobody asks again."""
    plex_tv = MagicMock()
    plex_tv.check_pin = AsyncMock(return_value=PlexPin(id=1, code="abc", auth_token="account"))
    attempt = sign_in.SignIn(plex_tv, PlexPin(id=1, code="abc"), "https://app.plex.tv/auth#?code=abc")
    with patch.object(sign_in, "MIN_POLL_GAP_SECONDS", 0):
        first = await attempt.async_check()
        second = await attempt.async_check()
    assert first is second
    assert first is not None
    assert first.account_token == "account"
    assert plex_tv.check_pin.await_count == 1


def _server(identifier: str, *, owned: bool = True, token: str | None = "t") -> PlexResource:  # noqa: S107
    return PlexResource(
        name=identifier,
        client_identifier=identifier,
        product_version="1.43.2",
        owned=owned,
        provides=("server",),
        connections=(),
        access_token=token,
    )


@pytest.mark.parametrize(
    ("resources", "wanted", "configured", "outcome"),
    [
        ([_server("a"), _server("b", owned=False)], None, set(), ["a"]),
        ([_server("a"), _server("b")], None, {"a"}, ["b"]),
        ([_server("a", token=None), _server("b", owned=False)], None, set(), "no_owned_server"),
        ([_server("a")], None, {"a"}, "all_configured"),
        ([_server("a"), _server("b")], "b", {"a", "b"}, ["b"]),
        ([_server("a"), _server("b", owned=False)], "b", set(), "not_owner"),
    ],
    ids=["owned_only", "new_only", "none_owned", "all_configured", "wanted", "wanted_not_owned"],
)
def test_servers_to_offer(
    resources: list[PlexResource], wanted: str | None, configured: set[str], outcome: list[str] | str
) -> None:
    """Which of the account's servers can be added: a pure choice, one exception with its key."""
    if isinstance(outcome, str):
        with pytest.raises(sign_in.SignInError) as raised:
            sign_in.servers_to_offer(resources, wanted=wanted, configured=configured)
        assert raised.value.key == outcome
    else:
        offered = sign_in.servers_to_offer(resources, wanted=wanted, configured=configured)
        assert list(offered) == outcome


async def test_pin_watch_leaves_a_flow_that_moved_on(hass: HomeAssistant, plex_tv: PlexTvEmulator) -> None:
    result = await _start_sign_in(hass)
    flow = hass.config_entries.flow._progress[result["flow_id"]]
    flow.cur_step = {**result, "step_id": "pick_server"}
    with patch.object(hass.config_entries.flow, "async_configure") as configure:
        await flow._async_sign_in_ended()
    configure.assert_not_called()


async def test_real_plex_tv_unless_told_otherwise(hass: HomeAssistant) -> None:
    """Without the development setting, sign-in goes to Plex's own addresses."""
    with patch("custom_components.plex_butler.clients.PLEX_TV_URL_OVERRIDE", None):
        client = await async_create_plex_tv_client(hass)
    assert client.sign_in_url(PlexPin(id=1, code="abc")).startswith("https://app.plex.tv/auth#?clientID=")


async def test_reconfigure_by_sign_in_finds_a_moved_server(
    hass: HomeAssistant,
    emulator: PlexEmulator,
    plex_tv: PlexTvEmulator,
    unused_tcp_port: int,
) -> None:
    """The stored address went dead (the server moved): signing in finds where it is now."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Living room Plex",
        unique_id=MACHINE_ID,
        data={
            CONF_URL: f"http://127.0.0.1:{unused_tcp_port}",
            CONF_TOKEN: "old-token",
            CONF_VERIFY_SSL: False,
        },
    )
    entry.add_to_hass(hass)
    emulator.rotate_token("current-token")
    plex_tv.resources[0]["accessToken"] = "current-token"
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await _signed_in(hass, plex_tv, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == MACHINE_ID
    assert entry.data == {
        CONF_URL: f"http://127.0.0.1:{emulator.port}",
        CONF_TOKEN: "current-token",
        CONF_VERIFY_SSL: True,
    }
