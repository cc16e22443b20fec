"""Benchmark of local control (not a test; prints figures).

Against a generated simulator home with its LAN twin, once with local control (`auto`) and once
with the cloud only:
- write → state latency p50/p99: a switch is written through Home Assistant's service and timed
  until its state changes; with the twins as they are (in-process, so the figure is our own
  overhead) and with round trips like the real ones (`--cloud-rtt`, `--lan-rtt`);
- cloud requests in one simulated hour of polling (60 poll cycles), i.e. what local control saves.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench as base
from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, frame
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    async_test_home_assistant,
)

from simulator import Fault, Simulator


def _switches(hass: HomeAssistant, entry_id: str) -> list[str]:
    registry = er.async_get(hass)
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, entry_id)
        if e.domain == "switch" and not e.disabled and e.entity_category is None
    ]


async def _write_latency(hass: HomeAssistant, entity_ids: list[str], writes: int) -> list[float]:
    """Toggle switches one after the other; time each until its state changes."""
    latencies: list[float] = []
    waiting: dict[str, tuple[float, asyncio.Future[None]]] = {}

    @callback
    def on_change(event: Event[EventStateChangedData]) -> None:
        if (item := waiting.pop(event.data["entity_id"], None)) is not None:
            latencies.append((time.perf_counter() - item[0]) * 1000)
            if not item[1].done():
                item[1].set_result(None)

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    try:
        for index in range(writes):
            entity_id = entity_ids[index % len(entity_ids)]
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            waiting[entity_id] = (time.perf_counter(), done)
            await hass.services.async_call("switch", "toggle", {"entity_id": entity_id})
            try:
                await asyncio.wait_for(done, 5)
            except TimeoutError:
                waiting.pop(entity_id, None)
    finally:
        unsub()
    return latencies


def _emulate(sim: Simulator, cloud_rtt: float, lan_rtt: float) -> None:
    """Give the cloud's device calls and every LAN device a round trip (0: none)."""
    sim.cloud.faults.clear()
    if cloud_rtt:
        sim.cloud.faults.append(Fault(latency=cloud_rtt, path="/app/v2/miotspec"))
    assert sim.lan is not None
    for lan in sim.lan.devices.values():
        lan.faults.latency = lan_rtt


async def run(devices: int, writes: int, state: Path, cloud_rtt: float, lan_rtt: float) -> None:
    print(f"== local control, {devices} devices")
    sim = Simulator(home=None, devices=devices, state_dir=state / "sim-lan", lan=True)
    await sim.start()
    config_dir = tempfile.mkdtemp(prefix="miot-bench-lan-")
    try:
        for mode in ("auto", "cloud"):
            async with async_test_home_assistant(config_dir=config_dir) as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
                frame.async_setup(hass)
                entry = base._entry(sim)
                entry.add_to_hass(hass)
                hass.config_entries.async_update_entry(
                    entry,
                    data={**entry.data, "lan_directory": f"{sim.base_url}/_sim/lan"},
                    # No push: the state changes by the write's own answer (the twin's broker is
                    # local and would otherwise report the change sooner than a real cloud).
                    options={**entry.options, "push": False, "local_control": {"lan_mode": mode}},
                )
                assert await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
                coordinator = entry.runtime_data.coordinator
                switches = _switches(hass, entry.entry_id)
                for label, rtts in (
                    ("twins as they are", (0.0, 0.0)),
                    ("real-like RTT", (cloud_rtt, lan_rtt)),
                ):
                    _emulate(sim, *rtts)
                    latencies = await _write_latency(hass, switches, writes)
                    quantiles = (
                        statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0]
                    )
                    print(
                        f"  {mode}, {label}: write→state over {len(latencies)} writes:"
                        f" p50 {statistics.median(latencies):.1f} ms,"
                        f" p99 {quantiles[-1]:.1f} ms"
                    )
                _emulate(sim, 0.0, 0.0)
                sim.cloud.reset_counters()
                cycles = int(3600 / coordinator.poll_interval.total_seconds())
                for _ in range(cycles):
                    await coordinator._async_poll()
                    await hass.async_block_till_done()
                cloud = sum(sim.cloud.counters()["http"].values())
                print(f"  {mode}: cloud requests in one hour of polling: {cloud}")
                print(f"  {mode}: routes {coordinator.local.router.stats.as_dict()}")
                await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await sim.stop()


async def main() -> None:
    base.plain_resolver()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=30)
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--cloud-rtt", type=float, default=0.15, help="seconds per cloud call")
    parser.add_argument("--lan-rtt", type=float, default=0.005, help="seconds per LAN answer")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="miot-bench-lan-") as state:
        await run(args.devices, args.writes, Path(state), args.cloud_rtt, args.lan_rtt)


if __name__ == "__main__":
    asyncio.run(main())
