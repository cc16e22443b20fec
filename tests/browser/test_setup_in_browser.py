"""The whole set-up as a user does it: Chromium, a real Home Assistant process and the simulator.

Sign in to Home Assistant → Add integration → MIoT Connect → region and language → the
simulator's Xiaomi sign-in page → back through our callback → homes → devices in their areas;
options (leave a device out), reconfigure and removal; then the fallback: the page after sign-in
cannot be opened, and the address is pasted into the form.

Screenshots of every step go to `tmp_path`, or to the folder named by MIOT_SCREENSHOT_DIR
(`MIOT_SCREENSHOT_DIR=docs/images in_env pytest tests/browser` refreshes the README's pictures).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import os
from pathlib import Path
import re
import time

import aiohttp
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
import pytest

from scripts.develop_bootstrap import onboard
from simulator import Simulator

from .harness import (
    CHROMIUM_ARGS,
    PASSWORD,
    USER,
    chromium_path,
    home_assistant,
    home_assistant_log,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

CALLBACK = "/api/miot_connect/oauth/callback"
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


class Shots:
    """Numbered screenshots of the steps."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def take(self, page: Page, name: str) -> None:
        await page.screenshot(path=self.folder / f"setup-{name}.png")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright on the test's event loop."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def _login(context: BrowserContext, ha: str) -> Page:
    page = await context.new_page()
    await page.goto(f"{ha}/")
    await page.get_by_label("Username").fill(USER)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/home/**")
    return page


async def _open_flow(page: Page, ha: str) -> None:
    await page.goto(f"{ha}/config/integrations/dashboard")
    await page.get_by_role("button", name="Add integration").click()
    await page.get_by_placeholder("Search for a brand name").fill("MIoT")
    await page.get_by_text("MIoT Connect", exact=True).click()
    await expect(page.get_by_text("Connect a Xiaomi account")).to_be_visible()


async def _fill_endpoints(page: Page, simulator: Simulator, redirect: str | None) -> None:
    """The collapsed section with the simulator's addresses (and the sign-in return address)."""
    await page.get_by_text("Other endpoints (simulator, proxy)").click()
    await page.get_by_role("textbox", name="HTTP base URL").fill(simulator.base_url)
    await page.get_by_role("textbox", name="MQTT broker host").fill(simulator.mqtt_host)
    await page.get_by_role("spinbutton", name="MQTT broker port").fill(str(simulator.mqtt_port))
    await page.get_by_role("textbox", name="CA certificate file").fill(simulator.ca_file)
    if redirect is not None:
        await page.get_by_role(
            "textbox", name="Home Assistant address for the sign-in redirect"
        ).fill(redirect)


async def _sign_in_on_xiaomi(page: Page, shots: Shots | None) -> Page:
    """Open the form's link (a new tab) and approve on the simulator's authorize page."""
    async with page.context.expect_page() as opened:
        await page.get_by_role("link", name="Xiaomi's sign-in page").click()
    xiaomi = await opened.value
    await xiaomi.wait_for_load_state()
    await expect(xiaomi.get_by_text("Authorize MIoT Connect")).to_be_visible()
    if shots is not None:
        await shots.take(xiaomi, "05-xiaomi-sign-in")
    await xiaomi.get_by_role("link", name="Authorize").click()
    return xiaomi


async def _sign_in_unreachable(page: Page, prefix: str) -> tuple[Page, str]:
    """As above, where the address Xiaomi sends the browser to cannot be opened.

    Returns the tab and the address it tried, which a user copies from the address bar (the
    page itself then is the browser's error page).
    """
    async with page.context.expect_page() as opened:
        await page.get_by_role("link", name="Xiaomi's sign-in page").click()
    xiaomi = await opened.value
    await expect(xiaomi.get_by_text("Authorize MIoT Connect")).to_be_visible()
    async with xiaomi.expect_event(
        "requestfailed", lambda request: request.url.startswith(prefix)
    ) as failed:
        await xiaomi.get_by_role("link", name="Authorize").click()
    request = await failed.value
    await xiaomi.wait_for_load_state()
    return xiaomi, request.url


async def _submit(page: Page) -> None:
    await page.get_by_role("button", name="Submit").click()


async def test_set_up_in_a_browser(browser: Browser, simulator: Simulator, tmp_path: Path) -> None:
    """Every step a user takes, with the page they see."""
    started = time.monotonic()
    shots = Shots(Path(os.environ.get("MIOT_SCREENSHOT_DIR") or tmp_path / "shots"))
    config = tmp_path / "config"
    rooms = {room.name for home in simulator.cloud.homes.values() for room in home.rooms}
    async with home_assistant(config) as ha:
        async with aiohttp.ClientSession() as http:
            await onboard(http, ha, USER, PASSWORD)
        context = await browser.new_context(
            viewport={"width": 1280, "height": 860}, ignore_https_errors=True, locale="en-US"
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = await _login(context, ha)

            # Add integration → MIoT Connect → region and language (endpoints: the simulator).
            await _open_flow(page, ha)
            await shots.take(page, "02-region")
            await _fill_endpoints(page, simulator, redirect=ha)
            await _submit(page)

            # The sign-in form: link, explanation and the field for the fallback.
            await expect(page.get_by_text("Sign in to Xiaomi")).to_be_visible()
            await shots.take(page, "04-sign-in-form")
            xiaomi = await _sign_in_on_xiaomi(page, shots)
            # Our callback is reachable here: it says so and the form continues on Submit.
            await expect(xiaomi.get_by_text("Signed in.")).to_be_visible()
            assert xiaomi.url.startswith(f"{ha}{CALLBACK}?")
            await shots.take(xiaomi, "06-callback")
            await xiaomi.close()
            await _submit(page)

            # Homes → the entry with its devices in areas named after the rooms.
            await expect(page.get_by_text("Choose the Mi Home homes")).to_be_visible()
            await shots.take(page, "07-homes")
            await _submit(page)
            await expect(page.get_by_role("button", name=re.compile("Finish"))).to_be_visible()
            await shots.take(page, "08-created")
            await page.get_by_role("button", name=re.compile("Finish")).click()

            await page.goto(f"{ha}/config/areas/dashboard")
            for room in rooms:
                await expect(page.get_by_text(room, exact=True).first).to_be_visible()
            await shots.take(page, "09-areas")
            await page.goto(f"{ha}/config/devices/dashboard")
            await expect(page.get_by_role("cell", name="Living Room").first).to_be_visible()

            # Options: leave a device out.
            await page.goto(f"{ha}/config/integrations/integration/miot_connect")
            await expect(page.get_by_role("heading", name="Hubs")).to_be_visible()
            await page.get_by_role("button", name="Configure").click()
            await expect(page.get_by_text("MIoT Connect options")).to_be_visible()
            await page.get_by_role("button", name="Devices to leave out").click()
            await page.get_by_text("Desk Lamp (yeelink.light.lamp1)").click()
            await expect(page.get_by_text("Desk Lamp", exact=True)).to_be_visible()
            await shots.take(page, "11-options-exclude")
            await _submit(page)
            await expect(page.get_by_text("Options successfully saved")).to_be_visible()
            await page.get_by_role("button", name="Finish").click()
            # The device and its entities are gone after the reload.
            devices = page.get_by_role("listitem")
            await expect(devices.filter(has_text="yeelink.light.lamp1")).to_have_count(0)
            await expect(devices.filter(has_text="zhimi.heater.za2")).to_have_count(1)

            # Reconfigure (the menu of the entry): another region, same endpoints.
            await page.get_by_role("button", name="Menu").nth(1).click()
            await page.get_by_role("menuitem", name="Reconfigure").click()
            await expect(page.get_by_text("Region and endpoints")).to_be_visible()
            await page.locator("ha-select").filter(has_text="Mainland China").click()
            await page.get_by_role("menuitem", name="Europe").click()
            await shots.take(page, "12-reconfigure")
            await _submit(page)
            await expect(
                page.get_by_text(
                    re.compile("The settings were changed|Reconfiguration was successful")
                )
            ).to_be_visible()
            await page.get_by_role("button", name="Close").last.click()

            # Removal: the entry and its devices go.
            await page.get_by_role("button", name="Menu").nth(1).click()
            await page.get_by_role("menuitem", name="Delete").click()
            await page.get_by_role("button", name="Delete").click()
            await page.goto(f"{ha}/config/devices/dashboard")
            await expect(page.get_by_role("cell", name="MIoT Connect")).to_have_count(0)

            # The fallback: the page after sign-in cannot be opened (homeassistant.local does not
            # resolve here), so the address is copied from the address bar into the form.
            await _open_flow(page, ha)
            await _fill_endpoints(page, simulator, redirect=None)
            await _submit(page)
            await expect(page.get_by_text("Sign in to Xiaomi")).to_be_visible()
            xiaomi, landed = await _sign_in_unreachable(
                page, f"http://homeassistant.local:8123{CALLBACK}?"
            )
            assert "code=" in landed
            await shots.take(xiaomi, "14-unreachable")
            await xiaomi.close()
            await page.get_by_role("textbox", name="Address after sign-in, or the code").fill(
                landed
            )
            await shots.take(page, "15-pasted")
            await _submit(page)
            await expect(page.get_by_text("Choose the Mi Home homes")).to_be_visible()
            await _submit(page)
            await page.get_by_role("button", name=re.compile("Finish")).click()
            await page.goto(f"{ha}/config/devices/dashboard")
            await expect(page.get_by_role("cell", name="MIoT Connect").first).to_be_visible()

            # The sign-in form in Chinese (the user's language chosen in the frontend).
            await page.evaluate("localStorage.setItem('selectedLanguage', '\"zh-Hans\"')")
            await page.goto(f"{ha}/config/integrations/dashboard/add?domain=miot_connect")
            await page.get_by_role("button", name="确定").click()
            await expect(page.get_by_text("连接小米账号")).to_be_visible()
            await page.get_by_text("其他地址（模拟器、代理）").click()
            await page.get_by_role("textbox", name="HTTP 基础地址").fill(simulator.base_url)
            await page.get_by_role("textbox", name="MQTT 代理主机").fill(simulator.mqtt_host)
            await page.get_by_role("spinbutton", name="MQTT 代理端口").fill(
                str(simulator.mqtt_port)
            )
            await page.get_by_role("textbox", name="CA 证书文件").fill(simulator.ca_file)
            await page.get_by_role("button", name="提交").click()
            await expect(page.get_by_text("登录小米账号")).to_be_visible()
            await expect(page.get_by_text("如果该页面显示已登录")).to_be_visible()
            await shots.take(page, "16-sign-in-form-zh")
            await page.get_by_role("button", name="关闭").click()
        finally:
            await context.close()
    # Nothing of ours went wrong in Home Assistant, nor used API it reports as deprecated.
    problems = [
        line
        for line in home_assistant_log(config).splitlines()
        if "miot_connect" in line
        and (" ERROR " in line or "deprecated" in line.lower() or "please report" in line.lower())
    ]
    assert not problems, "\n".join(problems)
    print(f"browser test took {time.monotonic() - started:.1f} s")
