"""A real browser clicks Plex Butler in a real Home Assistant, and the Plex emulator sees the clicks.

Drives Debian's Chromium through Playwright (no browser download). Screenshots of the device page go
to the test's temporary directory, or with PLEX_BUTLER_SCREENSHOTS=1 to docs/screenshots/ for README.
"""

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import aiohttp
import pytest

from ..conftest import TOKEN
from ..plex_emulator import PlexEmulator
from .hass_process import PROJECT, HassProcess

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# README's screenshots are refreshed only when asked (PLEX_BUTLER_SCREENSHOTS=1 scripts/test ...), so
# an ordinary run leaves the checkout as it was.
README_SCREENSHOTS = PROJECT / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (scripts/setup installs it)")
async def test_click_start_all_and_a_task_switch(
    home_assistant: HassProcess, session: aiohttp.ClientSession, emulator: PlexEmulator, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    hass = home_assistant
    await hass.onboard(session, finish=True)
    await hass.add_plex_butler(session, emulator.url, TOKEN)
    devices = await hass.ws(session, {"type": "config/device_registry/list"})
    (device,) = [d for d in devices if d["name"] == "Living room Plex"]

    screenshots = README_SCREENSHOTS if os.environ.get("PLEX_BUTLER_SCREENSHOTS") == "1" else tmp_path
    screenshots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 1000},
            )
            page = browser.pages[0] if browser.pages else await browser.new_page()
            try:
                # Log in through the real login page.
                await page.goto(f"{hass.url}/config/devices/device/{device['id']}")
                await page.locator("input[name=username]").fill("owner")
                await page.locator("input[name=password]").fill("end-to-end-password")
                await page.get_by_role("button", name="Log in").click()
                await expect(page.get_by_text("Start all tasks").first).to_be_visible(timeout=30_000)
                # Home Assistant 2026 asks once to confirm HTTP settings that differ from its defaults.
                confirm = page.get_by_role("button", name="Confirm")
                if await confirm.count():
                    await confirm.click()
                    await expect(confirm).to_have_count(0)
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
            except Exception:
                # What the browser showed and what Home Assistant said, for whoever reads the failure.
                await page.screenshot(path=screenshots / "failure.png", full_page=True)
                print(hass.output())
                raise
            finally:
                await browser.close()

    (start_all,) = emulator.requests_to("POST", "/butler")
    assert start_all.headers["X-Plex-Token"] == TOKEN
    assert len(emulator.requests_to("POST", "/butler/OptimizeDatabase")) == 1


async def _until_request(emulator: PlexEmulator, method: str, path: str) -> None:
    for _ in range(200):
        if emulator.requests_to(method, path):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the emulator never received {method} {path}")
