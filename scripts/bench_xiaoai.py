"""Benchmark: Xiaoai listening against the MiNA twin (not a test; prints figures).

With the demo home's speaker listened to at the real intervals, it measures:
- conversation requests per speaker per minute while nothing is said (after the active window,
  when the poller has backed off) and while someone talks (a query every few seconds);
- heard→event latency p50/p99: from the moment the twin records a query to the
  `miot_connect_xiaoai_heard` bus event, for queries said at random moments.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
import random
import statistics
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench as base
from homeassistant import loader
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import frame
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.miot_connect.mina import MinaEndpoints, MinaSignIn
from custom_components.miot_connect.xiaoai import XiaoaiListener, mina_session
from simulator import Simulator
from simulator.passport import DEFAULT_PASSWORD

DOMAIN = "miot_connect"
SPEAKER = "100007"
CONVERSATION_PATH = "/device_profile/v2/conversation"


async def _entry(hass: HomeAssistant, sim: Simulator) -> MockConfigEntry:
    """The account entry of scripts/bench.py with a Xiaoai sign-in and one listened speaker."""
    flow = MinaSignIn(
        mina_session(hass), MinaEndpoints.for_region("cn", sim.base_url, ca_file=sim.ca_file)
    )
    result = await flow.start("demo@example.com", DEFAULT_PASSWORD)
    assert result.credential is not None
    entry = base._entry(sim)
    return MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data={**entry.data, "xiaoai": result.credential.to_dict()},
        options={
            **entry.options,
            "xiaoai_listen": [SPEAKER],
            "xiaoai_route": [],
            "xiaoai_prefix": "",
        },
    )


def _requests(sim: Simulator) -> int:
    return int(sim.cloud.counters()["http"].get(CONVERSATION_PATH, 0))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def bench(idle: float, active: float, gap: float, state: Path) -> None:
    sim = Simulator(home="demo", state_dir=state / "sim")
    await sim.start()
    config_dir = tempfile.mkdtemp(prefix="miot-bench-xiaoai-")
    try:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            frame.async_setup(hass)
            entry = await _entry(hass, sim)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            said: dict[str, float] = {}
            latencies: list[float] = []

            @callback
            def on_heard(event: Event[dict[str, Any]]) -> None:
                if (start := said.pop(event.data["text"], None)) is not None:
                    latencies.append(time.perf_counter() - start)

            unsub = hass.bus.async_listen("miot_connect_xiaoai_heard", on_heard)
            listener = XiaoaiListener
            print(
                f"== Xiaoai listening, 1 speaker; intervals: active {listener.active_interval} s"
                f" for {listener.active_window} s after a query, then ×{listener.backoff_factor}"
                f" up to {listener.idle_interval} s"
            )
            # Idle: let the poller back off first (the active window after start), then count.
            await asyncio.sleep(listener.active_window + 10)
            before = _requests(sim)
            await asyncio.sleep(idle)
            idle_rate = (_requests(sim) - before) * 60 / idle
            print(f"  idle: {idle_rate:.1f} requests per speaker per minute ({idle:.0f} s)")

            # Active: a query every `gap` s on average, at random moments.
            before = _requests(sim)
            start = time.perf_counter()
            index = 0
            while time.perf_counter() - start < active:
                await asyncio.sleep(random.uniform(0.5 * gap, 1.5 * gap))
                text = f"query {index}"
                index += 1
                said[text] = time.perf_counter()
                sim.mina.say(SPEAKER, text, "ok")
            await asyncio.sleep(2 * listener.active_interval + 1)
            elapsed = time.perf_counter() - start
            active_rate = (_requests(sim) - before) * 60 / elapsed
            print(
                f"  active (a query every ~{gap:.0f} s): {active_rate:.1f} requests per speaker"
                f" per minute ({elapsed:.0f} s)"
            )
            if latencies:
                print(f"  first query after the idle period: {latencies[0] * 1000:.0f} ms")
                ms = [value * 1000 for value in latencies]
                print(
                    f"  heard→event latency over {len(ms)} queries: p50"
                    f" {statistics.median(ms):.0f} ms, p99 {_percentile(ms, 0.99):.0f} ms,"
                    f" max {max(ms):.0f} ms ({len(said)} not heard)"
                )
            unsub()
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
    finally:
        await sim.stop()


async def main() -> None:
    # No mDNS on a benchmark machine: the plain resolver, as Home Assistant's tests do.
    base.plain_resolver()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--active-seconds", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=3.0, help="mean seconds between queries")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="miot-bench-xiaoai-") as state:
        await bench(args.idle_seconds, args.active_seconds, args.gap, Path(state))


if __name__ == "__main__":
    asyncio.run(main())
