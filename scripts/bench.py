"""Benchmark: MIoT Connect against generated simulator homes (not a test; prints figures).

For each home size it measures, with a warm spec cache:
- time from config entry setup to every entity being available;
- cloud HTTP requests by path during setup, and during five minutes of steady state (simulated
  time: the poll and device-list timers are fired as if five minutes had passed);
- push-to-state latency p50/p99 while the simulator changes properties at a fixed rate;
- the process RSS.
It also prints the setup request budget from the issue:
1.1 × (pages + uncached urns + ⌈readable properties / 150⌉).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
from pathlib import Path
import resource
import statistics
import sys
import tempfile
import time
import uuid

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import (
    aiohttp_client,
    entity_registry as er,
    frame,
)
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from simulator import Simulator

DOMAIN = "miot_connect"


def _entry(sim: Simulator) -> MockConfigEntry:
    tokens = sim.issue_tokens()
    return MockConfigEntry(
        domain=DOMAIN,
        title="bench",
        unique_id=sim.uid,
        data={
            "region": "cn",
            "language": "en",
            "device_id": f"ha.{uuid.uuid4().hex}",
            "uid": sim.uid,
            "token": {**tokens, "obtained_at": time.time()},
            "base_url": sim.base_url,
            "mqtt_host": sim.mqtt_host,
            "mqtt_port": sim.mqtt_port,
            "ca_file": sim.ca_file,
        },
        options={"homes": [], "poll_interval": 60, "push": True, "excluded_devices": []},
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> float:
    entry.add_to_hass(hass)
    start = time.perf_counter()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - start
    registry = er.async_get(hass)
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    unavailable = [
        e.entity_id
        for e in entities
        if not e.disabled
        and (state := hass.states.get(e.entity_id)) is not None
        and state.state == STATE_UNAVAILABLE
    ]
    print(f"  entities: {len(entities)} ({len(unavailable)} unavailable: offline devices)")
    return elapsed


async def _push_latency(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, rate: int, seconds: float
) -> tuple[float, float, int]:
    """Change properties in the simulator at `rate`/s and time each until its state changes."""
    coordinator = entry.runtime_data.coordinator
    registry = er.async_get(hass)
    targets: list[tuple[str, str, int, int]] = []
    for ent in er.async_entries_for_config_entry(registry, entry.entry_id):
        parts = ent.unique_id.split("_")
        if ent.domain != "switch" or len(parts) != 3 or ent.disabled:
            continue
        did, siid, piid = parts[0], int(parts[1]), int(parts[2])
        spec = coordinator.specs.get(did)
        if spec is None or not coordinator.is_available(did):
            continue
        prop = spec.property(siid, piid)
        if prop.format == "bool" and prop.notifiable:
            targets.append((ent.entity_id, did, siid, piid))
    if not targets:
        return math.nan, math.nan, 0
    sent: dict[str, float] = {}
    latencies: list[float] = []

    def on_change(event: Event) -> None:
        entity_id = event.data["entity_id"]
        if (started := sent.pop(entity_id, None)) is not None:
            latencies.append((time.perf_counter() - started) * 1000)

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    total = int(rate * seconds)
    for index in range(total):
        entity_id, did, siid, piid = targets[index % len(targets)]
        current = sim.cloud.device(did).values[(siid, piid)]
        sent[entity_id] = time.perf_counter()
        sim.cloud.set_property(did, siid, piid, not current)
        await asyncio.sleep(1 / rate)
    await asyncio.sleep(1)
    unsub()
    if not latencies:
        return math.nan, math.nan, 0
    quantiles = statistics.quantiles(latencies, n=100)
    return statistics.median(latencies), quantiles[98], len(latencies)


async def bench(devices: int, rate: int, seconds: float, state: Path) -> None:
    print(f"== {devices} devices")
    sim = Simulator(home=None, devices=devices, state_dir=state / f"sim-{devices}")
    await sim.start()
    config_dir = tempfile.mkdtemp(prefix="miot-bench-")
    try:
        # Cold run fills the spec cache on disk; the measured run uses it.
        for label in ("cold", "warm"):
            async with async_test_home_assistant(config_dir=config_dir) as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
                frame.async_setup(hass)
                sim.cloud.reset_counters()
                entry = _entry(sim)
                elapsed = await _setup(hass, entry)
                counters = sim.cloud.counters()["http"]
                if label == "cold":
                    print(f"  cold setup (spec cache empty): {elapsed:.2f} s")
                    await hass.config_entries.async_unload(entry.entry_id)
                    continue
                print(f"  warm setup to all entities available: {elapsed:.2f} s")
                print(f"  setup requests: {sum(counters.values())}")
                for path, count in sorted(counters.items()):
                    print(f"    {path}: {count}")
                coordinator = entry.runtime_data.coordinator
                readable = sum(
                    1
                    for spec in coordinator.specs.values()
                    for prop in spec.properties()
                    if prop.readable
                )
                pages = sum(
                    n for path, n in counters.items() if "homeroom" in path or "device_list" in path
                )
                budget = 1.1 * (pages + math.ceil(readable / 150))
                reads = counters.get("/app/v2/miotspec/prop/get", 0)
                print(
                    f"  readable properties: {readable}; budget (warm cache) {budget:.1f};"
                    f" used {sum(counters.values())} ({reads} batched reads)"
                )
                sim.cloud.reset_counters()
                # Five simulated minutes: one poll cycle per interval (60 s); the device list is
                # re-read every 10 minutes, so not inside this window.
                cycles = int(300 / coordinator.poll_interval.total_seconds())
                for _ in range(cycles):
                    await coordinator._async_poll()
                    await hass.async_block_till_done()
                steady = sim.cloud.counters()["http"]
                print(
                    f"  steady state, 5 simulated minutes: {sum(steady.values())} requests"
                    f" ({cycles} poll cycles; push carries notify properties)"
                )
                for path, count in sorted(steady.items()):
                    print(f"    {path}: {count}")
                p50, p99, count = await _push_latency(hass, sim, entry, rate, seconds)
                print(
                    f"  push-to-state latency at {rate}/s over {count} changes:"
                    f" p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                )
                print(f"  RSS (max): {_rss_mib():.0f} MiB")
                await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await sim.stop()


async def main() -> None:
    # No mDNS on a benchmark machine: the plain resolver, as Home Assistant's tests do.
    aiohttp_client._async_make_resolver = lambda hass: aiohttp.ThreadedResolver()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rate", type=int, default=200, help="pushed changes per second")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="miot-bench-") as state:
        for devices in args.devices:
            await bench(devices, args.rate, args.seconds, Path(state))


if __name__ == "__main__":
    asyncio.run(main())
