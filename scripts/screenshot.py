"""Start the demo, sign in with headless Chromium and save a dashboard screenshot.

Chromium (Debian's package) is driven by Playwright, as in the browser test (tests/browser): the
script signs in on Home Assistant's login page as a user does, opens the dashboard and captures it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
import shutil
import signal
import subprocess
import time

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = "http://localhost:8123"
USER = "demo"
PASSWORD = "demo-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


async def _wait_for_demo(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = await loop.run_in_executor(None, proc.stdout.readline)
        if not line and proc.poll() is not None:
            raise SystemExit("scripts/develop stopped before the demo was ready")
        if "Press Ctrl-C to stop." in line:
            return
    raise SystemExit("the demo did not start in time")


async def capture(output: Path, width: int, height: int, settle: float) -> None:
    """Log in, open the dashboard, wait `settle` seconds and save a PNG."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed: scripts/screenshot installs it")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(
                viewport={"width": width, "height": height}, locale="en-US"
            )
            page = await context.new_page()
            await page.goto(f"{FRONTEND}/")
            await page.get_by_label("Username").fill(USER)
            await page.get_by_role("textbox", name="Password").fill(PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url("**/home/**")
            await page.goto(f"{FRONTEND}/lovelace/0")
            await page.wait_for_timeout(settle * 1000)
            output.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=output)
            print(f"saved {output}")
        finally:
            await browser.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "images" / "dashboard.png")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=12.0, help="seconds to let it render")
    args = parser.parse_args()
    demo = subprocess.Popen(
        [str(ROOT / "scripts" / "develop")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        await _wait_for_demo(demo)
        await capture(args.output, args.width, args.height, args.settle)
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(60)


if __name__ == "__main__":
    asyncio.run(main())
