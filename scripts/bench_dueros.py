"""Benchmark: the DuerOS bridge with many exposed entities (not a test; prints figures).

Home Assistant in-process (the test harness's instance) with N input_boolean entities exposed
to Assist, the bridge entry, and its skill endpoint behind a real HTTP server on 127.0.0.1.
Measured over HTTP, with a real Home Assistant access token in every body:
- discovery time and size (DuerOS takes at most 300 appliances);
- directive → state change latency p50/p99 (TurnOn/TurnOff sent one at a time);
- directive → confirmation round trip p50/p99;
- throughput: directives per second with several in flight.
Change reports are on: one linked DuerOS user, reports posted to a local sink (counted).
The HTTP client runs in the same process and event loop as Home Assistant.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any
import uuid

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from homeassistant import loader
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

PATH = "/api/miot_connect/dueros"


def _body(name: str, token: str, appliance_id: str | None = None) -> dict[str, Any]:
    namespace = "Discovery" if name.startswith("Discover") else "Control"
    payload: dict[str, Any] = {"accessToken": token}
    if appliance_id is not None:
        payload["appliance"] = {"applianceId": appliance_id, "additionalApplianceDetails": {}}
    return {
        "header": {
            "namespace": f"DuerOS.ConnectedHome.{namespace}",
            "name": name,
            "messageId": str(uuid.uuid4()),
            "payloadVersion": "1",
        },
        "payload": payload,
    }


async def _prepare(hass: HomeAssistant, entities: int, report_url: str) -> tuple[str, list[str]]:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "http", {"http": {}})
    config = {f"b{i}": {"name": f"开关 {i}"} for i in range(entities)}
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": config})
    ids = [f"input_boolean.b{i}" for i in range(entities)]
    for entity_id in ids:
        async_expose_entity(hass, "conversation", entity_id, True)
    entry = MockConfigEntry(
        domain="miot_connect",
        title="DuerOS",
        data={
            "entry_type": "dueros",
            "bot_id": "bench",
            "report_url": report_url,
            "open_uids": ["bench-user"],
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    user = await hass.auth.async_create_user("bench")
    refresh = await hass.auth.async_create_refresh_token(user, "https://xiaodu.baidu.com")
    return hass.auth.async_create_access_token(refresh), ids


async def bench(entities: int, requests: int, concurrency: int) -> None:
    print(f"== {entities} exposed entities")
    config_dir = tempfile.mkdtemp(prefix="miot-bench-dueros-")
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        frame.async_setup(hass)
        reports = {"n": 0}

        async def sink(request: web.Request) -> web.Response:
            await request.read()
            reports["n"] += 1
            return web.json_response({"status": 0})

        sink_app = web.Application()
        sink_app.router.add_post("/saiya/smarthome/changereport", sink)
        sink_runner = web.AppRunner(sink_app, access_log=None)
        await sink_runner.setup()
        sink_site = web.TCPSite(sink_runner, "127.0.0.1", 0)
        await sink_site.start()
        token, ids = await _prepare(
            hass, entities, f"http://127.0.0.1:{sink_runner.addresses[0][1]}"
        )
        server = TestServer(hass.http.app, host="127.0.0.1", port=0)
        await server.start_server()
        url = str(server.make_url(PATH))
        try:
            async with aiohttp.ClientSession() as session:
                start = time.perf_counter()
                async with session.post(url, json=_body("DiscoverAppliancesRequest", token)) as r:
                    found = (await r.json())["payload"]["discoveredAppliances"]
                discovery_ms = (time.perf_counter() - start) * 1000
                print(f"  discovery: {discovery_ms:.0f} ms, {len(found)} appliances (cap 300)")

                changed: dict[str, float] = {}

                @callback
                def on_change(event: Event) -> None:
                    changed[event.data["entity_id"]] = time.perf_counter()

                unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
                latencies: list[float] = []
                round_trips: list[float] = []
                for index in range(requests):
                    entity_id = ids[index % len(ids)]
                    name = "TurnOnRequest" if (index // len(ids)) % 2 == 0 else "TurnOffRequest"
                    changed.pop(entity_id, None)
                    sent = time.perf_counter()
                    async with session.post(url, json=_body(name, token, entity_id)) as r:
                        answer = await r.json()
                    round_trips.append((time.perf_counter() - sent) * 1000)
                    assert answer["header"]["name"].endswith("Confirmation"), answer
                    latencies.append((changed[entity_id] - sent) * 1000)
                unsub()
                cuts = statistics.quantiles(latencies, n=100)
                print(
                    f"  directive → state change over {requests} directives:"
                    f" p50 {statistics.median(latencies):.2f} ms, p99 {cuts[98]:.2f} ms"
                )
                cuts = statistics.quantiles(round_trips, n=100)
                print(
                    f"  directive → confirmation round trip:"
                    f" p50 {statistics.median(round_trips):.2f} ms, p99 {cuts[98]:.2f} ms"
                )

                queue = list(range(requests))

                async def worker() -> None:
                    while queue:
                        index = queue.pop()
                        name = "TurnOnRequest" if index % 2 else "TurnOffRequest"
                        body = _body(name, token, ids[index % len(ids)])
                        async with session.post(url, json=body) as r:
                            await r.read()

                start = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                elapsed = time.perf_counter() - start
                print(
                    f"  throughput: {requests / elapsed:.0f} directives/s"
                    f" ({requests} directives, {concurrency} in flight)"
                )
                await hass.async_block_till_done(wait_background_tasks=True)
                print(f"  change reports received by the sink: {reports['n']}")
        finally:
            await server.close()
            await sink_runner.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=500)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    await bench(args.entities, args.requests, args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
