"""A real browser clicks Plex Butler in a real Home Assistant, and the Plex emulator sees the clicks.

Drives Debian's Chromium through Playwright (no browser download). Screenshots of the device page go
to the test's temporary directory, or with PLEX_BUTLER_SCREENSHOTS=1 to docs/screenshots/ for README.
"""

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import yaml

from ..conftest import TOKEN
from ..plex_emulator import PlexEmulator
from ..plex_emulator.plextv import PlexTvEmulator, account_resources
from .hass_process import PROJECT, HassProcess
from .test_history_e2e import BACKUP, BACKUP_LAST_RUN, socket_opened, until, with_logbook

PLEX_TV_URL_VARIABLE = "PLEX_BUTLER_PLEX_TV_URL"

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# README's screenshots are refreshed only when asked (PLEX_BUTLER_SCREENSHOTS=1 scripts/test ...), so
# an ordinary run leaves the checkout as it was.
README_SCREENSHOTS = PROJECT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 1000}
PHONE = {"width": 390, "height": 700}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No name but loopback resolves, so nothing the frontend links to (card-picker images, the
    # documentation) is even looked up; the route in _logged_in refuses the rest.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LOOPBACK_HOSTS = {"127.0.0.1"}


@contextlib.asynccontextmanager
async def _logged_in(
    hass: HassProcess, path: str, screenshots: Path, viewport: dict[str, int]
) -> AsyncIterator[tuple[Any, Any]]:
    """Chromium on `path` of Home Assistant, logged in through the real login page: (browser, page).

    On a failure, what the browser showed and what Home Assistant said are kept for whoever reads it.
    """
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, viewport=viewport
            )
            refused: list[str] = []

            async def loopback_only(route: Any) -> None:
                if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
                    await route.continue_()
                else:
                    refused.append(route.request.url)
                    await route.abort("addressunreachable")

            await browser.route("**/*", loopback_only)
            page = browser.pages[0] if browser.pages else await browser.new_page()
            try:
                await page.goto(f"{hass.url}{path}")
                await page.locator("input[name=username]").fill("owner")
                await page.locator("input[name=password]").fill("end-to-end-password")
                await page.get_by_role("button", name="Log in").click()
                yield browser, page
            except Exception:
                await page.screenshot(path=screenshots / "failure.png", full_page=True)
                print(hass.output())
                raise
            finally:
                if refused:
                    print("Requests the browser was refused (not loopback):", *refused, sep="\n  ")
                await browser.close()


def _screenshots(tmp_path: Path) -> Path:
    """README's screenshot folder when asked (PLEX_BUTLER_SCREENSHOTS=1), else the test's own."""
    folder = README_SCREENSHOTS if os.environ.get("PLEX_BUTLER_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (scripts/setup installs it)")
async def test_click_start_all_and_a_task_switch(
    home_assistant: HassProcess, session: aiohttp.ClientSession, emulator: PlexEmulator, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    hass = home_assistant
    await hass.onboard(session, finish=True)
    await hass.add_plex_butler(session, emulator.url, TOKEN)
    devices = await hass.ws(session, {"type": "config/device_registry/list"})
    (device,) = [d for d in devices if d["name"] == "Living room Plex"]

    screenshots = _screenshots(tmp_path)
    path = f"/config/devices/device/{device['id']}"
    async with _logged_in(hass, path, screenshots, DESKTOP) as (_, page):
        await expect(page.get_by_text("Start all tasks").first).to_be_visible(timeout=30_000)
        # The stored HTTP settings are confirmed already: Home Assistant asks nothing.
        await expect(page.get_by_text("Confirm new HTTP server configuration")).to_have_count(0)
        await page.screenshot(path=screenshots / "device-page.png", full_page=True)

        # "Start all tasks": its row's Press button.
        row = page.locator("hui-button-entity-row", has_text="Start all tasks")
        await row.get_by_role("button").click()
        await _until_request(emulator, "POST", "/butler")

        # One task switch.
        toggle = page.locator("hui-toggle-entity-row").filter(
            has=page.get_by_text("Optimize database", exact=True)
        )
        await toggle.locator("ha-entity-toggle").click()
        await _until_request(emulator, "POST", "/butler/OptimizeDatabase")
        await page.screenshot(path=screenshots / "device-page-running.png", full_page=True)

    (start_all,) = emulator.requests_to("POST", "/butler")
    assert start_all.headers["X-Plex-Token"] == TOKEN
    assert len(emulator.requests_to("POST", "/butler/OptimizeDatabase")) == 1


async def _until_request(emulator: PlexEmulator, method: str, path: str) -> None:
    for _ in range(200):
        if emulator.requests_to(method, path):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the emulator never received {method} {path}")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (scripts/setup installs it)")
async def test_sign_in_with_plex(
    tmp_path: Path, session: aiohttp.ClientSession, emulator: PlexEmulator, unused_tcp_port: int
) -> None:
    """Add the integration by signing in with Plex, through the real UI, against the emulated plex.tv.

    plex.tv as strict as the real one: its page links the PIN only if Home Assistant created it with
    the origin of the page's return address; the account lists plex.direct names only, none of which
    resolves here, so the server is added at its plain LAN address.
    """
    plex_tv = PlexTvEmulator(
        resources=account_resources(emulator, docker_server=None, dead_port=unused_tcp_port)
    )
    await plex_tv.start()
    hass = HassProcess(tmp_path / "config", env={PLEX_TV_URL_VARIABLE: plex_tv.url})
    screenshots = _screenshots(tmp_path)
    try:
        await hass.start(session)
        await hass.onboard(session, finish=True)
        path = "/config/integrations/dashboard/add?domain=plex_butler"
        async with _logged_in(hass, path, screenshots, DESKTOP) as (browser, page):
            await _sign_in_through_the_ui(hass, session, browser, page, screenshots, tmp_path)
        (pin,) = plex_tv.pins.values()
        assert pin.auth_token is not None
        assert pin.origin == hass.url
    finally:
        await hass.stop()
        await plex_tv.stop()


async def _sign_in_through_the_ui(
    hass: HassProcess,
    session: aiohttp.ClientSession,
    browser: Any,
    page: Any,
    screenshots: Path,
    scratch: Path,
) -> None:
    """README's screenshots go to `screenshots`, the others (to look at when it fails) to `scratch`."""
    from playwright.async_api import expect

    # The address asks "Do you want to set up Plex Butler?" first.
    await page.get_by_role("button", name="OK").click(timeout=30_000)
    sign_in = page.get_by_text("Sign in with Plex", exact=True)
    await expect(sign_in).to_be_visible(timeout=30_000)
    await expect(page.get_by_text("Enter URL and token")).to_be_visible()
    await expect(page.get_by_text("Signing in with Plex needs no token")).to_be_visible()
    await page.screenshot(path=screenshots / "setup-menu.png")
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=scratch / "setup-menu-phone.png")
    await page.set_viewport_size(DESKTOP)

    # Plex's page opens in a new tab, as the frontend opens an external step's page.
    async with browser.expect_page(timeout=30_000) as opened:
        await sign_in.click()
    plex_page = await opened.value
    await expect(plex_page.get_by_text("Plex Butler for Home Assistant")).to_be_visible()
    await expect(page.get_by_text("this dialog moves on by itself")).to_be_visible()
    await page.screenshot(path=screenshots / "setup-waiting-for-plex.png")
    await plex_page.screenshot(path=scratch / "setup-emulated-plex-sign-in.png")
    async with plex_page.expect_event("close", timeout=30_000):
        await plex_page.get_by_role("button", name="Approve").click()
    # The tab came back to our callback page, which closed it: Home Assistant's dialog moves on by itself.
    for _ in range(200):
        entries = await hass.get(session, "/api/config/config_entries/entry")
        if [entry for entry in entries if entry["domain"] == "plex_butler" and entry["state"] == "loaded"]:
            break
        await asyncio.sleep(0.1)
    (entry,) = [entry for entry in entries if entry["domain"] == "plex_butler"]
    assert entry["title"] == "Living room Plex"
    # Home Assistant's own last step: name the new device and give it an area.
    await expect(page.get_by_role("button", name=re.compile("finish", re.IGNORECASE))).to_be_visible()
    await page.screenshot(path=scratch / "setup-done.png")


def _dashboard_recipe() -> str:
    """The card README offers, as YAML to paste, read from README itself so the two cannot drift apart."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- dashboard-recipe", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert yaml.safe_load(block)["type"] == "entities"
    return block


async def _add_the_card_as_readme_says(page: Any, card: str, scratch: Path) -> None:
    """README's steps, clicked as they are written, on a desktop-sized window with its sidebar.

    *Settings > Dashboards > Add dashboard > New dashboard from scratch*, title "Plex", *Create*; the
    dashboard from the sidebar, its pencil (*Edit dashboard*) > *Add card* > *By card* > *Manual*, the
    card pasted over the editor's YAML, *Save*, and *Done*. What each step showed goes to `scratch`.
    """
    from playwright.async_api import expect

    sidebar = page.locator("ha-sidebar")
    await sidebar.get_by_role("link", name="Settings").click(timeout=30_000)
    await page.get_by_role("link", name=re.compile(r"^Dashboards")).click()
    await page.get_by_role("button", name="Add dashboard").click()
    await page.get_by_text("New dashboard from scratch", exact=True).click()
    await page.get_by_role("textbox", name="Title").fill("Plex")
    await page.screenshot(path=scratch / "dashboard-1-new.png")
    await page.get_by_role("button", name="Create", exact=True).click()

    await sidebar.get_by_role("link", name="Plex", exact=True).click()
    await page.get_by_role("button", name="Edit dashboard").click()
    # A new dashboard holds one empty section; its + is "Add card".
    await page.get_by_role("button", name="Add card").click()
    # The dialog opens on "By entity"; Manual is the last of the cards "By card".
    await page.get_by_role("tab", name="By card").click()
    await page.screenshot(path=scratch / "dashboard-2-add-card.png")
    # Each card of the picker is covered by an overlay that takes the click: the card, not its title.
    manual = page.locator("hui-card-picker div.card").filter(has=page.get_by_text("Manual", exact=True))
    await manual.click()
    editor = page.locator("ha-code-editor").get_by_role("textbox")
    await expect(editor).to_contain_text("type:")
    # Select the editor's `type: ''` and paste over it, as a user's Ctrl+A, Ctrl+V does.
    await editor.click()
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.insert_text(card)
    await expect(page.get_by_text("Entities card configuration")).to_be_visible()
    await page.screenshot(path=scratch / "dashboard-3-manual-card.png")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_text("Entities card configuration")).to_have_count(0)
    await page.get_by_role("button", name="Done", exact=True).click()
    await expect(page.get_by_role("button", name="Edit dashboard")).to_be_visible()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (scripts/setup installs it)")
async def test_dashboard_card_and_german_names(
    home_assistant: HassProcess, session: aiohttp.ClientSession, emulator: PlexEmulator, tmp_path: Path
) -> None:
    """README's card works as pasted, through README's steps; in German, entity names are German."""
    from playwright.async_api import expect

    hass = home_assistant
    await hass.onboard(session, finish=True)
    entry_id = await hass.add_plex_butler(session, emulator.url, TOKEN)
    screenshots = _screenshots(tmp_path)
    async with _logged_in(hass, "/", screenshots, DESKTOP) as (_, page):
        card = _dashboard_recipe()
        await _add_the_card_as_readme_says(page, card, tmp_path)
        # Saved as pasted, in the new dashboard's one section (under its "New section" heading).
        url_path = urlsplit(page.url).path.split("/")[1]
        saved = await hass.ws(session, {"type": "lovelace/config", "url_path": url_path})
        (view,) = saved["views"]
        assert yaml.safe_load(card) in [c for section in view["sections"] for c in section["cards"]]
        await page.set_viewport_size(PHONE)
        row = page.locator("hui-buttons-row, hui-button-row").filter(has_text="Back up now")
        await expect(row).to_be_visible(timeout=30_000)
        # Every entity of the card is one a new installation has.
        await expect(page.get_by_text("Entity not found")).to_have_count(0)
        # The last row, the stop-all button, says what it does.
        stop_all = page.locator("hui-button-row, hui-button-entity-row").filter(has_text="Stop all")
        await expect(stop_all.get_by_role("button", name="Stop", exact=True)).to_be_visible()
        await expect(stop_all.get_by_role("button", name="Press", exact=True)).to_have_count(0)

        # "Back up now" calls the action with the task's name.
        await row.get_by_role("button").click()
        await _until_request(emulator, "POST", "/butler/BackupDatabase")
        await expect(page.get_by_text("Back up database")).to_be_visible()
        # Save's "Successfully saved" is gone before the picture.
        await expect(page.get_by_text("Successfully saved")).to_have_count(0, timeout=15_000)
        await page.screenshot(path=screenshots / "dashboard-card.png")

        # German as Home Assistant's language; the entry is reloaded to name its entities anew.
        await hass.ws(session, {"type": "config/core/update", "language": "de"})
        await hass.post(session, f"/api/config/config_entries/entry/{entry_id}/reload")
        devices = await hass.ws(session, {"type": "config/device_registry/list"})
        (device,) = [d for d in devices if d["name"] == "Living room Plex"]
        await page.set_viewport_size(DESKTOP)
        # The frontend's own language (states, headings) is the user's choice: German too.
        await page.evaluate("localStorage.setItem('selectedLanguage', JSON.stringify('de'))")
        await page.goto(f"{hass.url}/config/devices/device/{device['id']}")
        await expect(page.get_by_text("Alle Aufgaben starten")).to_be_visible(timeout=30_000)
        await expect(page.locator("text=Im Wartungsfenster >> visible=true").first).to_be_visible()
        await expect(page.get_by_text("Datenbank sichern").first).to_be_visible()
        await page.screenshot(path=screenshots / "device-page-de.png", full_page=True)

        # Back on the card, "Stop" stops it all.
        await page.goto(f"{hass.url}/{url_path}")
        await stop_all.get_by_role("button", name="Stop", exact=True).click(timeout=30_000)
        await _until_request(emulator, "DELETE", "/butler")
    states = {state["entity_id"]: state for state in await hass.get(session, "/api/states")}
    assert states["button.living_room_plex_start_all_tasks"]["attributes"]["friendly_name"] == (
        "Living room Plex Alle Aufgaben starten"
    )


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (scripts/setup installs it)")
@pytest.mark.parametrize(("task_duration", "push_enabled"), [(3.0, True)])
async def test_run_history_on_the_device_page_and_in_the_logbook(
    tmp_path: Path, session: aiohttp.ClientSession, emulator: PlexEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a backup ran: its last-run sensor on the device page, its start and end in the logbook."""
    from playwright.async_api import expect

    hass = HassProcess(tmp_path / "config")
    with_logbook(monkeypatch, hass.config_dir)
    screenshots = _screenshots(tmp_path)
    try:
        await hass.start(session)
        await hass.onboard(session, finish=True)
        await hass.add_plex_butler(session, emulator.url, TOKEN)
        await socket_opened(emulator, 1)
        await hass.post(session, "/api/services/switch/turn_on", {"entity_id": BACKUP})

        async def last_run() -> dict[str, Any]:
            state: dict[str, Any] = await hass.get(session, f"/api/states/{BACKUP_LAST_RUN}")
            return state

        await until(last_run, lambda state: state["attributes"].get("outcome") == "finished", "last run")
        devices = await hass.ws(session, {"type": "config/device_registry/list"})
        (device,) = [d for d in devices if d["name"] == "Living room Plex"]
        async with _logged_in(hass, f"/config/devices/device/{device['id']}", screenshots, DESKTOP) as (
            _,
            page,
        ):
            # The sensor's row: its name and when the run ended, as the frontend words a recent time.
            row = page.locator("hui-sensor-entity-row").filter(
                has=page.get_by_text("Back up database last run", exact=True)
            )
            await expect(row).to_be_visible(timeout=30_000)
            await expect(row).to_contain_text(re.compile(r"second|minute|just now", re.IGNORECASE))
            # The Sensors card from its top, as a desktop window shows it (the whole page is 4,000 px tall).
            await row.evaluate("row => (row.closest('ha-card') ?? row).scrollIntoView({block: 'start'})")
            await page.screenshot(path=screenshots / "history-device-page.png")
            # Its more-info dialog: the full name, which the card cuts, and the end's date (not in README).
            await row.get_by_text("Back up database last run", exact=True).click()
            await expect(page.get_by_role("dialog")).to_be_visible()
            await page.screenshot(path=tmp_path / "history-last-run-more-info.png")

            await page.set_viewport_size(PHONE)
            await page.goto(f"{hass.url}/logbook?entity_id={BACKUP}")
            await expect(page.get_by_text(re.compile(r"Finished \(0:00:0\d\)"))).to_be_visible(timeout=30_000)
            await expect(page.get_by_text("Started", exact=True)).to_be_visible()
            await page.screenshot(path=screenshots / "history-logbook-phone.png")
    finally:
        await hass.stop()
