"""Start the demo, sign in with headless Chromium and save the README screenshot.

Chromium is driven over its DevTools protocol: the script signs in through Home Assistant's
login flow (as the frontend does), hands the tokens to the page, opens a page (by default the
air purifier's device page: its controls and sensors, with MIoT Connect's icon and logo) and
captures it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from develop_bootstrap import CLIENT_ID, onboard

HA = "http://127.0.0.1:8123"
# The browser uses the address the tokens were issued for (client id http://localhost:8123/).
FRONTEND = "http://localhost:8123"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


class DevTools:
    """Minimal DevTools protocol client for one page."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json()
            if message.get("id") == self.next_id:
                result: dict[str, Any] = message.get("result", {})
                return result


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


async def _tokens(http: aiohttp.ClientSession) -> dict[str, Any]:
    access = await onboard(http, HA, "demo", "demo-password")
    del access
    flow = await (
        await http.post(
            f"{HA}/auth/login_flow",
            json={
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        )
    ).json()
    result = await (
        await http.post(
            f"{HA}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": CLIENT_ID, "username": "demo", "password": "demo-password"},
        )
    ).json()
    token: dict[str, Any] = await (
        await http.post(
            f"{HA}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": CLIENT_ID,
            },
        )
    ).json()
    return token


async def _device_id(http: aiohttp.ClientSession, token: dict[str, Any], entity_id: str) -> str:
    async with http.post(
        f"{HA}/api/template",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        json={"template": f"{{{{ device_id('{entity_id}') }}}}"},
    ) as response:
        device_id = (await response.text()).strip()
    if response.status != 200 or device_id in ("", "None"):
        raise SystemExit(f"no device has {entity_id}")
    return device_id


async def capture(output: Path, width: int, height: int, settle: float, path: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    async with aiohttp.ClientSession() as http:
        token = await _tokens(http)
        if path.startswith("device:"):
            # The page of the device that has this entity (device ids are random).
            path = f"/config/devices/device/{await _device_id(http, token, path[7:])}"
        hass_tokens = {
            "hassUrl": FRONTEND,
            "clientId": CLIENT_ID,
            "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "expires_in": token["expires_in"],
            "expires": int(time.time() * 1000) + token["expires_in"] * 1000,
            "token_type": "Bearer",
        }
        with tempfile.TemporaryDirectory(prefix="miot-chromium-") as profile:
            browser = subprocess.Popen(
                [
                    chromium,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    "--remote-debugging-port=9333",
                    f"--window-size={width},{height}",
                    f"{FRONTEND}/auth/authorize",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                for _ in range(100):
                    try:
                        pages = await (await http.get("http://127.0.0.1:9333/json")).json()
                        page = next(p for p in pages if p.get("type") == "page")
                        break
                    except aiohttp.ClientError, StopIteration:
                        await asyncio.sleep(0.2)
                else:
                    raise SystemExit("Chromium did not start")
                async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    tools = DevTools(ws)
                    await tools.call("Page.enable")
                    # The tokens go into the frontend's storage: wait until its origin is loaded.
                    for _ in range(100):
                        origin = await tools.call(
                            "Runtime.evaluate", expression="location.origin", returnByValue=True
                        )
                        if origin.get("result", {}).get("value") == FRONTEND:
                            break
                        await asyncio.sleep(0.2)
                    await tools.call(
                        "Runtime.evaluate",
                        expression=(
                            "localStorage.setItem('hassTokens', "
                            f"{json.dumps(json.dumps(hass_tokens))})"
                        ),
                    )
                    await tools.call("Page.navigate", url=f"{FRONTEND}{path}")
                    await asyncio.sleep(settle)
                    shot = await tools.call("Page.captureScreenshot", format="png")
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_bytes(base64.b64decode(shot["data"]))
                print(f"saved {output}")
            finally:
                browser.terminate()
                browser.wait(10)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "images" / "dashboard.png")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=12.0, help="seconds to let it render")
    parser.add_argument(
        "--path",
        default="device:fan.living_room_air_purifier",
        help="frontend path (/lovelace/0, ...), or device:<entity id> for that device's page",
    )
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
        await capture(args.output, args.width, args.height, args.settle, args.path)
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(60)


if __name__ == "__main__":
    asyncio.run(main())
