"""Onboard a fresh Home Assistant and connect MIoT Connect to the simulator, by public HTTP APIs.

Used by scripts/develop once Home Assistant answers on its HTTP port. Every step is idempotent:
a config directory that is already onboarded and has an entry is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import ssl
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

CLIENT_ID = "http://localhost:8123/"


DEMO_LOCATION = {
    "country": "CN",
    "currency": "CNY",
    "latitude": 31.2304,
    "longitude": 121.4737,
    "location_name": "Demo Home",
    "time_zone": "Asia/Shanghai",
    "unit_system": "metric",
}


async def _update_core_config(http: aiohttp.ClientSession, ha: str, access: str) -> None:
    """Set country, location and time zone through the websocket API (as the UI does)."""
    async with http.ws_connect(f"{ha}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": access})
        reply = await ws.receive_json()
        if reply.get("type") != "auth_ok":
            raise SystemExit(f"websocket sign-in refused: {reply}")
        await ws.send_json({"id": 1, "type": "config/core/update", **DEMO_LOCATION})
        reply = await ws.receive_json()
        if not reply.get("success"):
            raise SystemExit(f"could not set the location: {reply}")
        # The demo runs Home Assistant Core from a virtualenv, an installation method Home
        # Assistant warns about; users run Home Assistant OS or Container, so the demo hides it.
        await ws.send_json(
            {
                "id": 2,
                "type": "repairs/ignore_issue",
                "domain": "homeassistant",
                "issue_id": "deprecated_method",
                "ignore": True,
            }
        )
        await ws.receive_json()


async def _json(resp: aiohttp.ClientResponse) -> Any:
    text = await resp.text()
    if resp.status >= 400:
        raise SystemExit(f"{resp.method} {resp.url} failed with {resp.status}: {text[:300]}")
    return json.loads(text) if text else None


ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")


async def onboard(http: aiohttp.ClientSession, ha: str, user: str, password: str) -> str:
    """Create the owner (first run) and return an access token."""
    resp = await http.get(f"{ha}/api/onboarding")
    # Once onboarding is finished Home Assistant no longer serves the onboarding API (404).
    steps = [] if resp.status == 404 else await _json(resp)
    done = {step["step"] for step in steps if step["done"]} if steps else set(ONBOARDING_STEPS)
    if "user" not in done:
        result = await _json(
            await http.post(
                f"{ha}/api/onboarding/users",
                json={
                    "client_id": CLIENT_ID,
                    "name": "Demo",
                    "username": user,
                    "password": password,
                    "language": "en",
                },
            )
        )
        code = result["auth_code"]
    else:
        flow = await _json(
            await http.post(
                f"{ha}/auth/login_flow",
                json={
                    "client_id": CLIENT_ID,
                    "handler": ["homeassistant", None],
                    "redirect_uri": CLIENT_ID,
                },
            )
        )
        result = await _json(
            await http.post(
                f"{ha}/auth/login_flow/{flow['flow_id']}",
                json={"client_id": CLIENT_ID, "username": user, "password": password},
            )
        )
        code = result["result"]
    token = await _json(
        await http.post(
            f"{ha}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
        )
    )
    access: str = token["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    if "core_config" not in done:
        await _json(await http.post(f"{ha}/api/onboarding/core_config", headers=headers))
        # Where the demo home is, so no "country not configured" repair greets a new user.
        await _update_core_config(http, ha, access)
    if "analytics" not in done:
        await _json(await http.post(f"{ha}/api/onboarding/analytics", headers=headers))
    if "integration" not in done:
        await _json(
            await http.post(
                f"{ha}/api/onboarding/integration",
                headers=headers,
                json={"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID},
            )
        )
    return access


async def add_entry(http: aiohttp.ClientSession, ha: str, access: str, sim: dict[str, Any]) -> None:
    """Run the MIoT Connect config flow against the simulator (OAuth approved through /_sim/)."""
    headers = {"Authorization": f"Bearer {access}"}
    entries = await _json(
        await http.get(f"{ha}/api/config/config_entries/entry?domain=miot_connect", headers=headers)
    )
    for entry in entries:
        # The simulator issues new tokens and broker port on every start: connect afresh.
        await _json(
            await http.delete(
                f"{ha}/api/config/config_entries/entry/{entry['entry_id']}", headers=headers
            )
        )
        print("MIoT Connect entry from an earlier run removed")
    flow = await _json(
        await http.post(
            f"{ha}/api/config/config_entries/flow",
            headers=headers,
            json={"handler": "miot_connect"},
        )
    )
    flow = await _json(
        await http.post(
            f"{ha}/api/config/config_entries/flow/{flow['flow_id']}",
            headers=headers,
            json={
                "region": "cn",
                "language": "en",
                "endpoints": {
                    "base_url": sim["base_url"],
                    "mqtt_host": sim["mqtt_host"],
                    "mqtt_port": sim["mqtt_port"],
                    "ca_file": sim["ca_file"],
                    "redirect_url": ha,
                },
            },
        )
    )
    if flow.get("step_id") != "auth":
        raise SystemExit(f"unexpected flow step: {flow}")
    query = parse_qs(urlsplit(flow["description_placeholders"]["authorize_url"]).query)
    ssl_ctx = ssl.create_default_context(cafile=sim["ca_file"])
    approved = await _json(
        await http.get(
            f"{sim['base_url']}/_sim/oauth/code",
            params={"redirect_uri": query["redirect_uri"][0], "state": query["state"][0]},
            ssl=ssl_ctx,
        )
    )
    callback = await http.get(
        query["redirect_uri"][0], params={"code": approved["code"], "state": query["state"][0]}
    )
    if callback.status != 200:
        raise SystemExit(f"OAuth callback failed: {callback.status}")
    flow = await _json(
        await http.post(
            f"{ha}/api/config/config_entries/flow/{flow['flow_id']}", headers=headers, json={}
        )
    )
    if flow.get("step_id") != "homes":
        raise SystemExit(f"unexpected flow step after sign-in: {flow}")
    homes = [option["value"] for option in _select_options(flow, "homes")]
    flow = await _json(
        await http.post(
            f"{ha}/api/config/config_entries/flow/{flow['flow_id']}",
            headers=headers,
            json={"homes": homes},
        )
    )
    if flow.get("type") != "create_entry":
        raise SystemExit(f"config flow did not finish: {flow}")
    print(f"MIoT Connect entry created: {flow['title']}")


def _select_options(flow: dict[str, Any], name: str) -> list[dict[str, Any]]:
    for field in flow["data_schema"]:
        if field["name"] == name:
            options: list[dict[str, Any]] = field["selector"]["select"]["options"]
            return options
    raise SystemExit(f"no field {name} in {flow}")


def _onboarded(config: Path) -> bool:
    """Whether the config directory's onboarding store says every step is done."""
    store = config / ".storage" / "onboarding"
    try:
        done = set(json.loads(store.read_text(encoding="utf-8"))["data"]["done"])
    except OSError, ValueError, KeyError, TypeError:
        return False
    return done >= set(ONBOARDING_STEPS)


def parse_banner(text: str) -> dict[str, Any]:
    """Endpoints from the lines `python -m simulator` prints when it is up."""
    fields = dict(
        line.split(": ", 1) for line in text.splitlines() if ": " in line and not line[0].isspace()
    )
    host, port = fields["broker"].rsplit(":", 1)
    return {
        "base_url": fields["base_url"],
        "mqtt_host": host,
        "mqtt_port": int(port),
        "ca_file": fields["ca_file"],
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ha", default="http://127.0.0.1:8123")
    parser.add_argument("--sim-log", required=True, help="output of `python -m simulator`")
    parser.add_argument("--config", type=Path, default=Path(__file__).parent.parent / "config")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password", default="demo-password")
    args = parser.parse_args()
    sim = parse_banner(Path(args.sim_log).read_text(encoding="utf-8"))
    async with aiohttp.ClientSession() as http:
        for _ in range(240):
            try:
                async with http.get(f"{args.ha}/api/onboarding") as resp:
                    # 404: the onboarding API is gone once onboarding is finished (a re-run), but
                    # also answers for a moment while Home Assistant starts: trust the store.
                    if resp.status == 200 or (resp.status == 404 and _onboarded(args.config)):
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
        else:
            raise SystemExit("Home Assistant did not start")
        access = await onboard(http, args.ha, args.user, args.password)
        await add_entry(http, args.ha, access, sim)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
