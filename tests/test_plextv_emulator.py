"""The emulated plex.tv's own rules, each shown over HTTP on 127.0.0.1 (see plex_emulator/plextv.py)."""

import asyncio
import datetime
import re
import ssl
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from .plex_emulator import PlexEmulator
from .plex_emulator.plextv import (
    ACCOUNT_TOKEN,
    REFUSAL,
    PlexTvEmulator,
    SignInPageRefused,
    account_resources,
    header_origin,
    plex_direct_hash,
    plex_direct_host,
    shared_server,
    web_origin,
)
from .plex_emulator.tls import client_ssl_context, server_ssl_context
from .resolver import ResolverStub

CLIENT = "emulator-test-client"
HEADERS = {
    "X-Plex-Client-Identifier": CLIENT,
    "X-Plex-Product": "Emulator tests",
    "Accept": "application/json",
}
# Where a client's callback would be, and the Origin it must create the PIN with for it.
FORWARD_URL = "http://127.0.0.1:8123/auth/plex_butler/callback?flow_id=abc"
ORIGIN = "http://127.0.0.1:8123"
DEAD_PORT = 9
OTHER_IDENTITY = {
    "machineIdentifier": "d0c4e7b1d9e5a3c2f1e0d9c8b7a6f5e4d3c2b1a0",
    "friendlyName": "Docker bridge neighbour",
    "version": "1.43.2.10687-563d026ea",
}
PIN_KEYS = [
    "id",
    "code",
    "product",
    "trusted",
    "qr",
    "clientIdentifier",
    "location",
    "expiresIn",
    "createdAt",
    "expiresAt",
    "authToken",
    "newRegistration",
]
LOCATION_KEYS = {
    "code",
    "european_union_member",
    "continent_code",
    "country",
    "city",
    "time_zone",
    "postal_code",
    "in_privacy_restricted_country",
    "in_privacy_restricted_region",
    "subdivisions",
    "coordinates",
}
# Every field of the owned server in Carrotman42/musicquiz @8216e1f's real answer.
RESOURCE_KEYS = {
    "name",
    "product",
    "productVersion",
    "platform",
    "platformVersion",
    "device",
    "clientIdentifier",
    "provides",
    "ownerId",
    "sourceTitle",
    "publicAddress",
    "accessToken",
    "searchEnabled",
    "createdAt",
    "lastSeenAt",
    "owned",
    "home",
    "synced",
    "relay",
    "presence",
    "httpsRequired",
    "publicAddressMatches",
    "dnsRebindingProtection",
    "natLoopbackSupported",
    "connections",
}


@pytest.fixture
async def plex_tv(socket_enabled: None) -> AsyncIterator[PlexTvEmulator]:
    tv = PlexTvEmulator()
    await tv.start()
    yield tv
    await tv.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def server() -> PlexEmulator:
    """A server for resource records; not started (its port is set by hand)."""
    emulator = PlexEmulator(token="server-token")
    emulator.port = 32400
    return emulator


@pytest.fixture
def neighbour() -> PlexEmulator:
    emulator = PlexEmulator(token="neighbour-token", identity=OTHER_IDENTITY)
    emulator.port = 32500
    return emulator


async def _create_pin(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, *, origin: str | None = None, strong: bool = True
) -> dict[str, Any]:
    headers = dict(HEADERS)
    if origin is not None:
        headers["Origin"] = origin
    url = f"{plex_tv.url}/api/v2/pins" + ("?strong=true" if strong else "")
    async with http.post(url, headers=headers) as response:
        assert response.status == 201
        pin: dict[str, Any] = await response.json()
        return pin


async def _poll(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, pin_id: int, client: str = CLIENT
) -> tuple[int, dict[str, Any]]:
    headers = {**HEADERS, "X-Plex-Client-Identifier": client}
    async with http.get(f"{plex_tv.url}/api/v2/pins/{pin_id}", headers=headers) as response:
        return response.status, await response.json()


def _page_url(plex_tv: PlexTvEmulator, code: str, forward_url: str | None = None) -> str:
    parameters = {"clientID": CLIENT, "code": code, "context[device][product]": "Emulator tests"}
    if forward_url is not None:
        parameters["forwardUrl"] = forward_url
    return f"{plex_tv.sign_in_page}#?{urlencode(parameters)}"


async def _press_approve(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, code: str, forward_url: str | None = None
) -> tuple[int, dict[str, Any]]:
    """What the page's "Approve" button sends."""
    form = {"code": code, "clientID": CLIENT}
    if forward_url is not None:
        form["forwardUrl"] = forward_url
    async with http.post(f"{plex_tv.url}/emulator/approve", data=form) as response:
        return response.status, await response.json()


# PINs ------------------------------------------------------------------------------------------


async def test_pin_needs_a_client_identifier(http: aiohttp.ClientSession, plex_tv: PlexTvEmulator) -> None:
    async with http.post(
        f"{plex_tv.url}/api/v2/pins?strong=true", headers={"Accept": "application/json"}
    ) as r:
        assert r.status == 400
        assert await r.json() == {
            "errors": [{"code": 1000, "message": "X-Plex-Client-Identifier is missing", "status": 400}]
        }
    assert plex_tv.pins == {}


async def test_strong_pin_has_the_real_shape(http: aiohttp.ClientSession, plex_tv: PlexTvEmulator) -> None:
    pin = await _create_pin(http, plex_tv, origin=ORIGIN)
    assert list(pin) == PIN_KEYS
    assert set(pin["location"]) == LOCATION_KEYS
    assert re.fullmatch(r"[a-z0-9]{25}", pin["code"])
    assert pin["expiresIn"] == 1800
    assert pin["product"] == "Emulator tests"
    assert pin["trusted"] is False
    assert pin["qr"] == f"https://plex.tv/api/v2/pins/qr/{pin['code']}"
    assert pin["clientIdentifier"] == CLIENT
    assert pin["authToken"] is None
    assert pin["newRegistration"] is None
    created = datetime.datetime.strptime(pin["createdAt"], "%Y-%m-%dT%H:%M:%SZ")
    expires = datetime.datetime.strptime(pin["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires - created == datetime.timedelta(seconds=1800)
    assert plex_tv.pins[pin["id"]].origin == ORIGIN


async def test_weak_pin_is_four_characters_for_a_quarter_hour(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    pin = await _create_pin(http, plex_tv, strong=False)
    assert list(pin) == PIN_KEYS
    assert re.fullmatch(r"[A-Z0-9]{4}", pin["code"])
    assert pin["expiresIn"] == 900
    assert plex_tv.pins[pin["id"]].origin is None


async def test_pin_of_another_client_unknown_or_expired_is_not_found(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    plex_tv.min_poll_interval = 0
    pin = await _create_pin(http, plex_tv)
    not_found = {"errors": [{"code": 1020, "message": "Code not found or expired", "status": 404}]}
    assert await _poll(http, plex_tv, pin["id"], client="someone-else") == (404, not_found)
    assert await _poll(http, plex_tv, pin["id"] + 1) == (404, not_found)
    status, body = await _poll(http, plex_tv, pin["id"])
    assert status == 200
    assert body["authToken"] is None
    plex_tv.expire_pins()
    assert await _poll(http, plex_tv, pin["id"]) == (404, not_found)


async def test_linked_pin_carries_the_account_token(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    pin = await _create_pin(http, plex_tv)
    plex_tv.approve()
    status, body = await _poll(http, plex_tv, pin["id"])
    assert status == 200
    assert body["authToken"] == ACCOUNT_TOKEN
    assert body["newRegistration"] is False


async def test_rate_limit_knob(http: aiohttp.ClientSession, plex_tv: PlexTvEmulator) -> None:
    plex_tv.min_poll_interval = 0
    plex_tv.rate_limited = 2
    pin = await _create_pin(http, plex_tv)
    limited = {"errors": [{"code": 1003, "message": "API rate limit exceeded", "status": 429}]}
    assert await _poll(http, plex_tv, pin["id"]) == (429, limited)
    assert await _poll(http, plex_tv, pin["id"]) == (429, limited)
    assert (await _poll(http, plex_tv, pin["id"]))[0] == 200


async def test_polling_too_fast_is_rate_limited(http: aiohttp.ClientSession, plex_tv: PlexTvEmulator) -> None:
    pin = await _create_pin(http, plex_tv)
    other = await _create_pin(http, plex_tv)
    assert (await _poll(http, plex_tv, pin["id"]))[0] == 200
    status, body = await _poll(http, plex_tv, pin["id"])
    assert status == 429
    assert body["errors"][0]["code"] == 1003
    # The limit is per PIN, and a poll half a second after the last one is answered.
    assert (await _poll(http, plex_tv, other["id"]))[0] == 200
    await asyncio.sleep(0.55)
    assert (await _poll(http, plex_tv, pin["id"]))[0] == 200


# The sign-in page ------------------------------------------------------------------------------


async def test_page_has_approve_and_nothing_to_refuse(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    async with http.get(plex_tv.sign_in_page) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    assert 'id="approve"' in page
    assert REFUSAL in page
    assert "refuse" not in page.lower()


@pytest.mark.parametrize(
    "origin",
    [
        None,
        "http://127.0.0.1:8124",
        "https://127.0.0.1:8123",
        "http://homeassistant.local:8123",
        ORIGIN + "/",
    ],
    ids=["no-origin", "other-port", "other-scheme", "other-host", "with-path"],
)
async def test_forwarding_needs_the_pin_created_with_its_origin(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, origin: str | None
) -> None:
    """home-assistant/core#42900: a PIN created without the forwardUrl's Origin is never linked."""
    pin = await _create_pin(http, plex_tv, origin=origin)
    status, body = await _press_approve(http, plex_tv, pin["code"], FORWARD_URL)
    assert status == 403
    assert body["error"] == REFUSAL
    assert "forwardUrl" not in body
    with pytest.raises(SignInPageRefused):
        plex_tv.approve_from_page(_page_url(plex_tv, pin["code"], FORWARD_URL))
    assert plex_tv.pins[pin["id"]].auth_token is None
    assert (await _poll(http, plex_tv, pin["id"]))[1]["authToken"] is None


async def test_matching_origin_links_then_forwards(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    """home-assistant/core#43081: with `Origin` the forwardUrl's origin, the page links and forwards."""
    pin = await _create_pin(http, plex_tv, origin=ORIGIN)
    assert await _press_approve(http, plex_tv, pin["code"], FORWARD_URL) == (200, {"forwardUrl": FORWARD_URL})
    status, body = await _poll(http, plex_tv, pin["id"])
    assert (status, body["authToken"]) == (200, ACCOUNT_TOKEN)

    second = await _create_pin(http, plex_tv, origin=ORIGIN)
    assert plex_tv.approve_from_page(_page_url(plex_tv, second["code"], FORWARD_URL)) == FORWARD_URL
    assert plex_tv.pins[second["id"]].auth_token == ACCOUNT_TOKEN


@pytest.mark.parametrize(
    ("origin", "forward_url"),
    [
        ("HTTP://LocalHost:8123", "http://localhost:8123/callback"),
        ("https://ha.example.org:443", "https://ha.example.org/callback"),
        ("http://[::1]:8123", "http://[::1]:8123/callback"),
    ],
)
def test_origins_compare_without_case_or_default_port(origin: str, forward_url: str) -> None:
    assert header_origin(origin) == web_origin(forward_url)


async def test_without_forward_url_no_origin_is_needed(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    pin = await _create_pin(http, plex_tv)
    assert await _press_approve(http, plex_tv, pin["code"]) == (200, {"forwardUrl": None})
    assert plex_tv.pins[pin["id"]].auth_token == ACCOUNT_TOKEN

    second = await _create_pin(http, plex_tv)
    assert plex_tv.approve_from_page(_page_url(plex_tv, second["code"])) is None
    assert plex_tv.pins[second["id"]].auth_token == ACCOUNT_TOKEN


async def test_page_refuses_unknown_or_expired_codes_and_other_pages(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    status, body = await _press_approve(http, plex_tv, "nosuchcode")
    assert (status, body["error"]) == (404, REFUSAL)
    with pytest.raises(KeyError):
        plex_tv.approve_from_page(_page_url(plex_tv, "nosuchcode"))
    pin = await _create_pin(http, plex_tv)
    with pytest.raises(ValueError, match="not Plex's sign-in page"):
        plex_tv.approve_from_page(_page_url(plex_tv, pin["code"]).replace("/auth", "/other"))
    plex_tv.expire_pins()
    with pytest.raises(KeyError):
        plex_tv.approve_from_page(_page_url(plex_tv, pin["code"]))
    assert plex_tv.pins[pin["id"]].auth_token is None


async def test_page_links_only_for_the_client_that_created_the_pin(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    pin = await _create_pin(http, plex_tv)
    with pytest.raises(SignInPageRefused):
        plex_tv.approve_from_page(_page_url(plex_tv, pin["code"]).replace(CLIENT, "someone-else"))
    assert plex_tv.pins[pin["id"]].auth_token is None


# Resources -------------------------------------------------------------------------------------


async def _resources(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, query: str = "", **headers: str
) -> aiohttp.ClientResponse:
    merged = {"X-Plex-Client-Identifier": CLIENT, "X-Plex-Token": ACCOUNT_TOKEN, **headers}
    response = await http.get(f"{plex_tv.url}/api/v2/resources{query}", headers=merged)
    await response.read()
    return response


async def test_resources_need_a_client_identifier_and_the_token(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator
) -> None:
    async with http.get(
        f"{plex_tv.url}/api/v2/resources",
        headers={"X-Plex-Token": ACCOUNT_TOKEN, "Accept": "application/json"},
    ) as response:
        assert response.status == 400
        assert (await response.json())["errors"][0] == {
            "code": 1000,
            "message": "X-Plex-Client-Identifier is missing",
            "status": 400,
        }
    unauthenticated = {
        "errors": [{"code": 1001, "message": "User could not be authenticated", "status": 401}]
    }
    for token in ("", "wrong-token"):
        response = await _resources(http, plex_tv, **{"X-Plex-Token": token})
        assert response.status == 401
        assert await response.json() == unauthenticated
    # The token and the client identifier may come as parameters too.
    async with http.get(
        f"{plex_tv.url}/api/v2/resources",
        params={"X-Plex-Token": ACCOUNT_TOKEN, "X-Plex-Client-Identifier": CLIENT},
        headers={"Accept": "application/json"},
    ) as response:
        assert response.status == 200
        assert await response.json() == []


async def test_resources_are_xml_unless_json_is_asked_for(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, server: PlexEmulator, neighbour: PlexEmulator
) -> None:
    plex_tv.resources = account_resources(server, docker_server=neighbour, dead_port=DEAD_PORT)
    query = "?includeHttps=1&includeRelay=1&includeIPv6=1"
    response = await _resources(http, plex_tv, query)
    assert response.status == 200
    assert response.content_type == "application/xml"
    root = ET.fromstring(await response.text())  # noqa: S314 - the emulator's own answer
    assert root.tag == "MediaContainer"
    assert root.get("size") == "2"
    owned, player = root.findall("resource")
    assert owned.get("clientIdentifier") == server.identity["machineIdentifier"]
    assert owned.get("owned") == "1"
    assert owned.get("home") == "0"
    assert owned.get("ownerId") is None
    connections = owned.findall("connections/connection")
    assert len(connections) == 6
    assert {c.get("IPv6") for c in connections} == {"0", "1"}
    assert connections[1].get("uri") == f"https://{plex_direct_host('127.0.0.1', _hash(server))}:32400"
    assert player.findall("connections/connection") == []

    response = await _resources(http, plex_tv, query, Accept="application/json")
    assert response.content_type == "application/json"
    assert await response.json() == plex_tv.resources


async def test_includes_filter_and_shape_the_rows(
    http: aiohttp.ClientSession, plex_tv: PlexTvEmulator, server: PlexEmulator, neighbour: PlexEmulator
) -> None:
    plex_tv.resources = account_resources(server, docker_server=neighbour, dead_port=DEAD_PORT)

    async def rows(query: str) -> list[dict[str, Any]]:
        response = await _resources(http, plex_tv, query, Accept="application/json")
        connections: list[dict[str, Any]] = (await response.json())[0]["connections"]
        return connections

    everything = await rows("?includeHttps=1&includeRelay=1&includeIPv6=1")
    assert [(c["local"], c["relay"], c["IPv6"]) for c in everything] == [
        (True, False, False),
        (True, False, False),
        (False, False, True),
        (False, False, False),
        (False, False, False),
        (False, True, False),
    ]
    assert {c["protocol"] for c in everything} == {"https"}

    # What this project's client asks for: no IPv6 rows.
    asked = await rows("?includeHttps=1&includeRelay=1")
    assert asked == [c for c in everything if not c["IPv6"]]
    assert not any(c["relay"] for c in await rows("?includeHttps=1"))

    plain = await rows("?includeRelay=1&includeIPv6=1")
    assert [c["uri"] for c in plain] == [
        "http://127.0.0.1:32500",
        "http://127.0.0.1:32400",
        f"http://[::1]:{DEAD_PORT}",
        "http://plex.example.org:443",
        f"http://127.0.0.1:{DEAD_PORT}",
        f"http://127.0.0.1:{DEAD_PORT}",
    ]
    assert {c["protocol"] for c in plain} == {"http"}
    assert [c["uri"] for c in await rows("")] == [
        plain[0]["uri"],
        plain[1]["uri"],
        plain[3]["uri"],
        plain[4]["uri"],
    ]


def test_account_resources_have_every_real_field(server: PlexEmulator, neighbour: PlexEmulator) -> None:
    owned, player = account_resources(
        server, docker_server=neighbour, dead_port=DEAD_PORT, https_required=True
    )
    assert set(owned) == RESOURCE_KEYS
    assert owned["clientIdentifier"] == server.identity["machineIdentifier"]
    assert owned["accessToken"] == "server-token"
    assert (owned["ownerId"], owned["sourceTitle"], owned["httpsRequired"]) == (None, None, True)
    assert player["provides"] == "client,player,pubsub-player"
    hash_ = _hash(server)
    assert re.fullmatch(r"[0-9a-f]{32}", hash_)
    assert hash_ != _hash(neighbour)
    docker, lan, ipv6, custom, remote, relay = owned["connections"]
    assert (docker["port"], lan["port"], remote["port"], relay["port"]) == (
        32500,
        32400,
        DEAD_PORT,
        DEAD_PORT,
    )
    assert lan["uri"] == f"https://127-0-0-1.{hash_}.plex.direct:32400"
    assert ipv6["uri"] == f"https://0000-0000-0000-0000-0000-0000-0000-0001.{hash_}.plex.direct:{DEAD_PORT}"
    assert custom == {
        "protocol": "https",
        "address": "plex.example.org",
        "port": 443,
        "uri": "https://plex.example.org:443",
        "local": False,
        "relay": False,
        "IPv6": False,
    }
    assert {c["address"] for c in owned["connections"]} == {"127.0.0.1", "::1", "plex.example.org"}

    (owned_alone, _) = account_resources(server, docker_server=None, dead_port=DEAD_PORT)
    assert owned_alone["connections"][0]["port"] == 32400
    assert len(owned_alone["connections"]) == 5

    shared = shared_server(OTHER_IDENTITY["machineIdentifier"], "Friend's Plex", 32500)
    assert set(shared) == RESOURCE_KEYS
    assert shared["httpsRequired"] is True
    assert all(".plex.direct:" in c["uri"] for c in shared["connections"])


def _hash(server: PlexEmulator) -> str:
    return plex_direct_hash(server.identity["machineIdentifier"])


# TLS -------------------------------------------------------------------------------------------


async def test_plex_direct_name_over_tls(
    socket_enabled: None, http: aiohttp.ClientSession, resolver: ResolverStub, quiet_handshake_failures: None
) -> None:
    emulator = PlexEmulator(token="server-token")
    hash_ = _hash(emulator)
    await emulator.start(ssl_context=server_ssl_context(hash_))
    try:
        host = plex_direct_host("127.0.0.1", hash_)
        resolver.register(host, "127.0.0.1")
        url = f"https://{host}:{emulator.port}/identity"
        async with http.get(
            url, ssl=client_ssl_context(), headers={"Accept": "application/json"}
        ) as response:
            assert response.status == 200
            body = await response.json()
        assert body["MediaContainer"]["machineIdentifier"] == emulator.identity["machineIdentifier"]
        # The name is what is checked: the address alone does not match the certificate...
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(f"https://127.0.0.1:{emulator.port}/identity", ssl=client_ssl_context())
        # ...and nobody else trusts the test CA.
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(url, ssl=ssl.create_default_context())
    finally:
        await emulator.stop()
