"""Benchmark: MIoT Connect against generated simulator homes (not a test; prints figures).

Each home size runs in fresh child processes (this script started again with `--child`): a cold
run fills the spec disk cache, then a warm run in a new process measures

- setup returned: from `async_setup` of the config entry until it returns (entities exist);
- complete: from the same start until every value wanted is loaded (the coordinator's
  `async_wait_values`, when it has one) and no enabled entity is unavailable;
- setup HTTP requests by path, against the budget of issue 16:
  pages + uncached urns + ⌈properties needed / 150⌉ (needed: the coordinator's `wanted_keys()`,
  else every readable property), and as a ratio of the official integration's figure;
- MQTT SUBSCRIBE packets sent during setup;
- steady state HTTP requests in one simulated hour (60 poll cycles, 6 device-list reads);
- push → state latency p50/p99 at a steady rate and in a burst, and whether any state was lost;
- RSS over Home Assistant's own baseline (same process, taken before the integration is set up).

`--profile` profiles a warm setup (in one more child) and prints the top functions; the profile is
written to `.bench/`. `--trees A B` (used by `scripts/bench --compare REV_A REV_B`) runs every size
once per `custom_components` tree on the same generated home and prints the ratios B / A.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import deque
from collections.abc import Callable, Sequence
import cProfile
from dataclasses import dataclass
import gc
import json
import logging
import math
import os
from pathlib import Path
import pstats
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from typing import Any
import uuid

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import (
    aiohttp_client,
    entity_registry as er,
    frame,
)
from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

# Imported now, from this checkout, whichever `custom_components` tree is measured (`--tree`).
from simulator import Simulator

DOMAIN = "miot_connect"
BENCH_DIR = ROOT / ".bench"
# Setup HTTP requests of the official Xiaomi integration on the same generated homes (issue 16).
OFFICIAL_SETUP_REQUESTS = {100: 10, 1000: 78}
PROPERTIES_PER_READ = 150
POLL_CYCLES_PER_HOUR = 60
DEVICE_LIST_READS_PER_HOUR = 6
SPEC_DOCUMENT_PATH = "/miot-spec-v2/instance"
TICK = 0.01  # pushed changes are sent in ticks of 10 ms
DASH = "—"


def _entry(sim: Simulator) -> MockConfigEntry:
    """The account entry (also used by bench_lan.py and bench_xiaoai.py)."""
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


def plain_resolver() -> None:
    """No mDNS on a benchmark machine: the plain resolver, as Home Assistant's tests do."""

    def make(_hass: HomeAssistant) -> aiohttp.ThreadedResolver:
        return aiohttp.ThreadedResolver()

    aiohttp_client._async_make_resolver = make  # type: ignore[assignment]


def _rss_mib() -> float:
    """Current resident set size (VmRSS) of this process."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# --------------------------------------------------------------------------------- child runs
@dataclass(slots=True)
class Target:
    """An on/off entity backed by a notifiable bool property (`inverted`: on is False)."""

    entity_id: str
    did: str
    siid: int
    piid: int
    inverted: bool = False


# Entities whose on/off state is one bool property: switches (on is True), and binary sensors
# (the sense of on/off is taken from the state and value at the start).
TARGET_DOMAINS = ("switch", "binary_sensor")


def _push_targets(hass: HomeAssistant, sim: Simulator, entry_id: str) -> list[Target]:
    targets: list[Target] = []
    registry = er.async_get(hass)
    for ent in er.async_entries_for_config_entry(registry, entry_id):
        parts = ent.unique_id.split("_")
        if ent.domain not in TARGET_DOMAINS or len(parts) != 3 or ent.disabled:
            continue
        state = hass.states.get(ent.entity_id)
        if state is None or state.state not in (STATE_ON, STATE_OFF):
            continue
        did, siid, piid = parts[0], int(parts[1]), int(parts[2])
        device = sim.cloud.device(did)
        prop = device.spec.properties.get((siid, piid))
        if prop and prop.get("format") == "bool" and "notify" in prop.get("access", []):
            inverted = ent.domain != "switch" and (state.state == STATE_ON) != bool(
                device.values[(siid, piid)]
            )
            targets.append(Target(ent.entity_id, did, siid, piid, inverted))
    # Switches first in the rotation.
    targets.sort(key=lambda target: not target.entity_id.startswith("switch."))
    return targets


def _quantile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


async def _push_run(
    hass: HomeAssistant, sim: Simulator, targets: list[Target], rate: int, seconds: float
) -> dict[str, Any]:
    """Flip target properties in the simulator at `rate`/s (in ticks of 10 ms) and time each
    until its entity's state changes; a target is not flipped again while its change is in
    flight. Afterwards every target's state must equal the simulator's value."""
    free: deque[Target] = deque(targets)
    in_flight: dict[str, tuple[float, Target]] = {}
    latencies: list[float] = []
    freed = asyncio.Event()
    names = {target.entity_id for target in targets}
    observed = 0

    @callback
    def on_change(event: Event[EventStateChangedData]) -> None:
        nonlocal observed
        entity_id = event.data["entity_id"]
        if entity_id not in names:
            return
        observed += 1
        if (item := in_flight.pop(entity_id, None)) is not None:
            latencies.append((time.perf_counter() - item[0]) * 1000)
            free.append(item[1])
            freed.set()

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    per_tick = max(1, round(rate * TICK))
    ticks = max(1, round(seconds / TICK))
    sent = waits = 0
    stalled = not targets
    start = time.perf_counter()
    try:
        for tick in range(0 if stalled else ticks):
            for _ in range(per_tick):
                if not free:
                    # More changes in flight than targets: wait for one to land.
                    waits += 1
                    freed.clear()
                    try:
                        await asyncio.wait_for(freed.wait(), 2.0)
                    except TimeoutError:
                        stalled = True
                        break
                target = free.popleft()
                value = not sim.cloud.device(target.did).values[(target.siid, target.piid)]
                in_flight[target.entity_id] = (time.perf_counter(), target)
                sim.cloud.set_property(target.did, target.siid, target.piid, value)
                sent += 1
            if stalled:
                break
            delay = start + (tick + 1) * TICK - time.perf_counter()
            await asyncio.sleep(max(0.0, delay))
        elapsed = time.perf_counter() - start
        deadline = time.perf_counter() + 2.0
        while in_flight and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        await hass.async_block_till_done()
    finally:
        unsub()
    lost = 0
    for target in targets:
        value = sim.cloud.device(target.did).values[(target.siid, target.piid)]
        state = hass.states.get(target.entity_id)
        if state is None or (state.state == STATE_ON) != (bool(value) != target.inverted):
            lost += 1
    return {
        "rate": rate,
        "seconds": seconds,
        "targets": len(targets),
        "switch_targets": sum(1 for target in targets if target.entity_id.startswith("switch.")),
        "sent": sent,
        "observed": observed,
        "unanswered": len(in_flight),
        "waits": waits,
        "stalled": stalled,
        "achieved_rate": sent / elapsed if elapsed else None,
        "lost": lost,
        "p50": _quantile(latencies, 0.50),
        "p99": _quantile(latencies, 0.99),
    }


async def _ensure_publisher(sim: Simulator) -> int:
    """Connect the simulator's publisher again if the broker dropped it (its keepalive can
    lapse while a large setup holds the event loop): 1 when it had to, else 0."""
    if sim.publisher is not None and sim.publisher.connected:
        return 0
    await sim._connect_publisher()
    return 1


def _short_path(path: str, trees: Sequence[Path]) -> str:
    marker = "site-packages/"
    if (index := path.rfind(marker)) >= 0:
        return path[index + len(marker) :]
    for base in (*trees, Path(sysconfig.get_paths()["stdlib"])):
        try:
            return str(Path(path).relative_to(base))
        except ValueError:
            continue
    return path


def _profile_text(profiler: cProfile.Profile, trees: Sequence[Path], top: int = 25) -> str:
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = vars(stats)["stats"]

    def where(func: tuple[str, int, str]) -> str:
        file, line, name = func
        if file == "~":
            return name
        return f"{_short_path(file, trees)}:{line}({name})"

    lines: list[str] = []
    for title, column in (("cumulative", 3), ("total (self)", 2)):
        lines.append(f"top {top} by {title} time:")
        lines.append(f"{'ncalls':>12} {'tottime':>8} {'cumtime':>8}  function")
        ranked = sorted(raw.items(), key=lambda item: item[1][column], reverse=True)
        for func, (primitive, calls, total, cumulative, _callers) in ranked[:top]:
            ncalls = str(calls) if primitive == calls else f"{calls}/{primitive}"
            lines.append(f"{ncalls:>12} {total:8.3f} {cumulative:8.3f}  {where(func)}")
        lines.append("")
    return "\n".join(lines)


async def _setup_until_complete(
    hass: HomeAssistant, entry: MockConfigEntry
) -> tuple[float, float, Any]:
    """Set the entry up: (seconds until setup returned, seconds until complete, coordinator)."""
    start = time.perf_counter()
    assert await hass.config_entries.async_setup(entry.entry_id), "setup failed"
    returned = time.perf_counter() - start
    coordinator = entry.runtime_data.coordinator
    # Newer coordinators return from setup before every value is read.
    wait_values: Callable[[], Any] | None = getattr(coordinator, "async_wait_values", None)
    if wait_values is not None:
        await wait_values()
    await hass.async_block_till_done()
    return returned, time.perf_counter() - start, coordinator


def _entity_counts(hass: HomeAssistant, entry_id: str) -> dict[str, int]:
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    enabled = [e for e in entries if not e.disabled]
    unavailable = sum(
        1
        for e in enabled
        if (state := hass.states.get(e.entity_id)) is None or state.state == STATE_UNAVAILABLE
    )
    return {"entities": len(entries), "enabled": len(enabled), "unavailable": unavailable}


def _setup_requests(counters: dict[str, int], coordinator: Any) -> dict[str, Any]:
    wanted_keys: Callable[[], Any] | None = getattr(coordinator, "wanted_keys", None)
    if wanted_keys is not None:
        needed = len(wanted_keys())
    else:
        needed = sum(
            1 for spec in coordinator.specs.values() for prop in spec.properties() if prop.readable
        )
    pages = sum(n for path, n in counters.items() if "homeroom" in path or "device_list" in path)
    uncached = counters.get(SPEC_DOCUMENT_PATH, 0)
    return {
        "setup_http": counters,
        "setup_requests": sum(counters.values()),
        "needed": needed,
        "needed_from": "wanted_keys()" if wanted_keys is not None else "readable properties",
        "pages": pages,
        "uncached_urns": uncached,
        "budget": pages + uncached + math.ceil(needed / PROPERTIES_PER_READ),
    }


async def _steady_hour(hass: HomeAssistant, sim: Simulator, coordinator: Any) -> dict[str, int]:
    """One simulated hour: the poll timer (60 s) and the device-list timer (10 min) fired."""
    sim.cloud.reset_counters()
    per_refresh = POLL_CYCLES_PER_HOUR // DEVICE_LIST_READS_PER_HOUR
    for cycle in range(POLL_CYCLES_PER_HOUR):
        await coordinator._async_poll()
        if (cycle + 1) % per_refresh == 0:
            await coordinator._async_refresh_device_list()
    await hass.async_block_till_done()
    return dict(sim.cloud.counters()["http"])


async def child(args: argparse.Namespace) -> dict[str, Any]:
    """One run in this (fresh) process: `cold`, `warm` (every figure) or `profile`."""
    mode: str = args.child
    devices: int = args.devices[0]
    tree = Path(args.tree).resolve() if args.tree else ROOT
    result: dict[str, Any] = {"mode": mode, "devices": devices, "tree": str(tree)}
    Path(args.config).mkdir(parents=True, exist_ok=True)
    sim = Simulator(home=None, devices=devices, state_dir=Path(args.sim_state))
    await sim.start()
    try:
        async with async_test_home_assistant(config_dir=args.config) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            frame.async_setup(hass)
            # Home Assistant's own baseline: the simulator's values built, nothing of ours yet.
            for device in sim.cloud.devices.values():
                _ = device.values
            await hass.async_block_till_done()
            await asyncio.sleep(0.5)
            gc.collect()
            baseline = _rss_mib()
            entry = _entry(sim)
            entry.add_to_hass(hass)
            sim.cloud.reset_counters()
            profiler = cProfile.Profile() if mode == "profile" else None
            if profiler is not None:
                profiler.enable()
            returned, complete, coordinator = await _setup_until_complete(hass, entry)
            if profiler is not None:
                profiler.disable()
            counts = _entity_counts(hass, entry.entry_id)
            counters = dict(sim.cloud.counters()["http"])
            push = getattr(coordinator, "push", None)
            module = sys.modules["custom_components.miot_connect"].__file__ or ""
            result.update(
                counts,
                setup_returned=returned,
                complete=complete,
                has_wait_values=hasattr(coordinator, "async_wait_values"),
                subscribe_packets=getattr(push, "subscribe_packets", None),
                module=str(Path(module).parent),
            )
            result.update(_setup_requests(counters, coordinator))
            if profiler is not None:
                BENCH_DIR.mkdir(exist_ok=True)
                prof = BENCH_DIR / f"profile-{devices}{args.tag}.prof"
                profiler.dump_stats(prof)
                result["prof_file"] = str(prof.relative_to(ROOT))
                result["profile"] = _profile_text(profiler, [tree, ROOT])
            if mode == "warm":
                gc.collect()
                after = _rss_mib()
                result.update(rss_baseline=baseline, rss_after=after, rss_over=after - baseline)
                steady = await _steady_hour(hass, sim, coordinator)
                result.update(steady_http=steady, steady_requests=sum(steady.values()))
                result["unavailable_after_steady"] = _entity_counts(hass, entry.entry_id)[
                    "unavailable"
                ]
                targets = _push_targets(hass, sim, entry.entry_id)
                stats = getattr(coordinator, "stats", None)
                result["push_connected"] = getattr(stats, "push_connected", None)
                result["publisher_reconnects"] = 0
                result["push"] = []
                for rate, seconds in (
                    (args.rate, args.seconds),
                    (args.burst_rate, args.burst_seconds),
                ):
                    result["publisher_reconnects"] += await _ensure_publisher(sim)
                    result["push"].append(await _push_run(hass, sim, targets, rate, seconds))
            assert await hass.config_entries.async_unload(entry.entry_id), "unload failed"
            await hass.async_block_till_done()
    finally:
        await sim.stop()
    return result


# -------------------------------------------------------------------------------- the parent
def _run_child(
    args: argparse.Namespace,
    mode: str,
    devices: int,
    tree: Path,
    tag: str,
    config: Path,
    sim: Path,
    label: str,
) -> dict[str, Any]:
    result_file = config.with_suffix(".json")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        "--devices",
        str(devices),
        "--tree",
        str(tree),
        f"--tag={tag}",  # "-a" would read as an option
        "--config",
        str(config),
        "--sim-state",
        str(sim),
        "--result",
        str(result_file),
        "--rate",
        str(args.rate),
        "--seconds",
        str(args.seconds),
        "--burst-rate",
        str(args.burst_rate),
        "--burst-seconds",
        str(args.burst_seconds),
    ]
    where = f" ({label})" if label else ""
    print(f"… {devices} devices{where}: {mode} run", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0 or not result_file.exists():
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        return {"devices": devices, "error": f"{mode} run exited with {done.returncode}:\n{tail}"}
    data: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    return data


def _copy_spec_cache(cold: Path, warm: Path) -> None:
    """The warm run starts from a fresh config dir holding only the cold run's spec cache."""
    source = cold / ".storage" / DOMAIN
    if source.is_dir():
        shutil.copytree(source, warm / ".storage" / DOMAIN)


def _measure(
    args: argparse.Namespace, devices: int, tree: Path, tag: str, label: str, run_dir: Path
) -> dict[str, Any]:
    """Cold run, warm run (and the profile run) of one size and one tree, each in a child."""
    sim = run_dir / f"sim-{devices}"
    cold_config = run_dir / f"config-{devices}{tag}-cold"
    cold = _run_child(args, "cold", devices, tree, tag, cold_config, sim, label)
    if "error" in cold:
        return cold
    modes = ["warm", "profile"] if args.profile else ["warm"]
    found: dict[str, dict[str, Any]] = {}
    for mode in modes:
        config = run_dir / f"config-{devices}{tag}-{mode}"
        _copy_spec_cache(cold_config, config)
        found[mode] = _run_child(args, mode, devices, tree, tag, config, sim, label)
        if "error" in found[mode]:
            return found[mode]
    row = dict(found["warm"])
    row["cold"] = cold["complete"]
    if args.profile:
        for key in ("profile", "prof_file", "complete"):
            row[f"profile_{key}"] = found["profile"][key]
    return row


def _ms(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def _push_cell(run: dict[str, Any]) -> str:
    cell = f"{_ms(run['p50'])} / {_ms(run['p99'])} ms"
    achieved = run["achieved_rate"]
    if run["stalled"]:
        cell += f" (stalled: {run['sent']:,} sent, {run['targets']:,} targets)"
    elif achieved is not None and achieved < 0.95 * run["rate"]:
        cell += f" (at {achieved:,.0f}/s)"
    return cell


def _official(row: dict[str, Any]) -> float | None:
    official = OFFICIAL_SETUP_REQUESTS.get(row["devices"])
    return row["setup_requests"] / official if official else None


def _figures(row: dict[str, Any]) -> dict[str, float | None]:
    """Every numeric figure of a row (for the ratio table)."""
    push, burst = row["push"]
    return {
        "entities": row["entities"],
        "enabled": row["enabled"],
        "cold": row["cold"],
        "returned": row["setup_returned"],
        "complete": row["complete"],
        "requests": row["setup_requests"],
        "budget": row["budget"],
        "official": _official(row),
        "subscribe": row["subscribe_packets"],
        "steady": row["steady_requests"],
        "push_p50": push["p50"],
        "push_p99": push["p99"],
        "burst_p50": burst["p50"],
        "burst_p99": burst["p99"],
        "lost": push["lost"],
        "burst_lost": burst["lost"],
        "rss": row["rss_over"],
        "rss_entity": row["rss_over"] * 1024 / row["entities"] if row["entities"] else None,
        "rss_enabled": row["rss_over"] * 1024 / row["enabled"] if row["enabled"] else None,
    }


@dataclass(slots=True)
class Column:
    """A table column: its figures, and how a row shows them."""

    header: str
    keys: tuple[str, ...]
    show: Callable[[dict[str, Any]], str]


def _columns(args: argparse.Namespace) -> list[Column]:
    def entities(row: dict[str, Any]) -> str:
        cell = f"{row['entities']:,} ({row['enabled']:,})"
        if row["enabled"] >= MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY:
            cell += ", capped"
        if row["unavailable"]:
            cell += f", {row['unavailable']:,} unavailable"
        return cell

    def requests(row: dict[str, Any]) -> str:
        official = _official(row)
        times = DASH if official is None else f"{official:.2f}"
        return f"{row['setup_requests']:,} ({row['budget']:,}, × {times})"

    def subscribe(row: dict[str, Any]) -> str:
        packets = row["subscribe_packets"]
        return DASH if packets is None else f"{packets:,}"

    def lost(row: dict[str, Any]) -> str:
        return " · ".join(
            f"{run['lost']} ({run['sent']:,} → {run['observed']:,})" for run in row["push"]
        )

    def rss(row: dict[str, Any]) -> str:
        figures = _figures(row)
        return (
            f"{row['rss_over']:.1f} MiB ({figures['rss_entity'] or 0:.1f} KiB,"
            f" {figures['rss_enabled'] or 0:.1f} KiB enabled)"
        )

    return [
        Column("entities (enabled)", ("entities", "enabled"), entities),
        Column("cold setup", ("cold",), lambda row: f"{row['cold']:.2f} s"),
        Column("setup returned", ("returned",), lambda row: f"{row['setup_returned']:.2f} s"),
        Column("complete", ("complete",), lambda row: f"{row['complete']:.2f} s"),
        Column("setup requests (budget, × official)", ("requests", "budget", "official"), requests),
        Column("SUBSCRIBE packets", ("subscribe",), subscribe),
        Column("requests/hour steady", ("steady",), lambda row: f"{row['steady_requests']:,}"),
        Column(
            f"push p50/p99 at {args.rate:,}/s",
            ("push_p50", "push_p99"),
            lambda row: _push_cell(row["push"][0]),
        ),
        Column(
            f"push p50/p99 at {args.burst_rate:,}/s burst",
            ("burst_p50", "burst_p99"),
            lambda row: _push_cell(row["push"][1]),
        ),
        Column("lost states (sent → seen)", ("lost", "burst_lost"), lost),
        Column(
            "RSS over baseline (per entity, per enabled)",
            ("rss", "rss_entity", "rss_enabled"),
            rss,
        ),
    ]


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return DASH
    if a == 0:
        return "=" if b == 0 else DASH
    return f"×{b / a:.2f}"


def _table(
    rows: list[tuple[str, dict[str, Any]]], columns: list[Column], compare: bool
) -> list[str]:
    headers = [*(["revision"] if compare else []), "devices", *(c.header for c in columns)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for label, row in rows:
        lead = [label] if compare else []
        if "error" in row:
            cells = ["error", *[DASH] * (len(columns) - 1)]
        else:
            cells = [column.show(row) for column in columns]
        lines.append("| " + " | ".join([*lead, f"{row['devices']:,}", *cells]) + " |")
    return lines


def _details(label: str, row: dict[str, Any]) -> list[str]:
    lines = [f"== {row['devices']:,} devices{f' ({label})' if label else ''}"]
    if "error" in row:
        return [*lines, f"  {row['error']}"]
    lines.append(f"  integration from {row['module']}")
    if not row["has_wait_values"]:
        lines.append("  no async_wait_values: values are complete when setup returns")
    if row["unavailable"]:
        lines.append(f"  {row['unavailable']} enabled entities unavailable when complete")
    if row["enabled"] >= MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY:
        lines.append(
            f"  capped: Home Assistant adds at most {MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY:,}"
            " enabled entities per config entry; the others are registered disabled (or, before"
            " MIoT Connect planned for the cap, not added at all)"
        )
    lines.append(
        f"  setup requests: {row['setup_requests']}; budget {row['budget']} = pages {row['pages']}"
        f" + uncached urns {row['uncached_urns']}"
        f" + ⌈{row['needed']} needed ({row['needed_from']}) / {PROPERTIES_PER_READ}⌉"
    )
    lines.extend(f"    {path}: {count}" for path, count in sorted(row["setup_http"].items()))
    lines.append(
        f"  steady state, one simulated hour ({POLL_CYCLES_PER_HOUR} polls,"
        f" {DEVICE_LIST_READS_PER_HOUR} device-list reads): {row['steady_requests']} requests"
    )
    lines.extend(f"    {path}: {count}" for path, count in sorted(row["steady_http"].items()))
    if row["push_connected"] is False:
        lines.append("  the integration's push was down before the push runs")
    if row["publisher_reconnects"]:
        lines.append(
            f"  the simulator's publisher was reconnected {row['publisher_reconnects']} times"
            " before a push run (the broker had dropped it)"
        )
    if row["unavailable_after_steady"]:
        lines.append(f"  {row['unavailable_after_steady']} enabled entities unavailable after it")
    for run in row["push"]:
        achieved = run["achieved_rate"] or 0.0
        lines.append(
            f"  push at {run['rate']:,}/s for {run['seconds']:g} s over {run['targets']:,} targets"
            f" ({run['switch_targets']:,} switches, the rest binary sensors):"
            f" sent {run['sent']:,} (achieved {achieved:,.0f}/s,"
            f" {run['waits']} waits for a free target), state changes seen {run['observed']:,},"
            f" unanswered {run['unanswered']}, lost {run['lost']};"
            f"{' stalled (no target freed in 2 s);' if run['stalled'] else ''}"
            f" p50 {_ms(run['p50'])} ms, p99 {_ms(run['p99'])} ms"
        )
    lines.append(
        f"  RSS: baseline {row['rss_baseline']:.1f} MiB (Home Assistant and the simulator),"
        f" after setup {row['rss_after']:.1f} MiB, over baseline {row['rss_over']:.1f} MiB"
    )
    if "profile_profile" in row:
        lines.append(
            f"  profile of a warm setup until complete ({row['profile_complete']:.2f} s"
            f" under the profiler), written to {row['profile_prof_file']}:"
        )
        lines.extend(f"    {line}" for line in row["profile_profile"].splitlines())
    return lines


def parent(args: argparse.Namespace) -> int:
    trees = [Path(tree).resolve() for tree in args.trees] if args.trees else [ROOT]
    labels = list(args.labels or []) + [str(tree) for tree in trees[len(args.labels or []) :]]
    compare = len(trees) > 1
    run_dir = BENCH_DIR / f"run-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    rows: list[tuple[str, dict[str, Any]]] = []
    try:
        for devices in args.devices:
            for index, tree in enumerate(trees):
                # Revision A and B (scratch directories and profile names).
                tag = f"-{'ab'[index]}" if compare else ""
                label = labels[index] if compare else ""
                rows.append((label, _measure(args, devices, tree, tag, label, run_dir)))
    finally:
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    for label, row in rows:
        print("\n".join(_details(label, row)))
        print()
    columns = _columns(args)
    print("\n".join(_table(rows, columns, compare)))
    if compare:
        print()
        print(f"Ratios {labels[1]} / {labels[0]}:")
        print()
        headers = ["devices", *(c.header for c in columns)]
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        for devices in args.devices:
            a, b = (row for _label, row in rows if row["devices"] == devices)
            if "error" in a or "error" in b:
                cells = [DASH] * len(columns)
            else:
                fa, fb = _figures(a), _figures(b)
                cells = [" / ".join(_ratio(fa[k], fb[k]) for k in c.keys) for c in columns]
            lines.append("| " + " | ".join([f"{devices:,}", *cells]) + " |")
        print("\n".join(lines))
    return 1 if any("error" in row for _label, row in rows) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rate", type=int, default=200, help="pushed changes per second")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--burst-rate", type=int, default=2000, help="pushed changes per second")
    parser.add_argument("--burst-seconds", type=float, default=1.0)
    parser.add_argument("--profile", action="store_true", help="profile a warm setup")
    parser.add_argument(
        "--trees", nargs=2, metavar="DIR", help="two trees holding custom_components (compare)"
    )
    parser.add_argument("--labels", nargs=2, metavar="NAME", help="names of the two trees")
    parser.add_argument("--keep", action="store_true", help="keep the run's scratch in .bench/")
    # Internal: one run in a child process.
    parser.add_argument("--child", choices=["cold", "warm", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--sim-state", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:
        return parent(args)
    if args.tree:
        # The measured `custom_components` comes from the tree, first on the path before Home
        # Assistant's loader imports it; the simulator was imported from this checkout above.
        tree = str(Path(args.tree).resolve())
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
        sys.path.insert(0, tree)
    assert "custom_components" not in sys.modules
    logging.basicConfig(level=logging.WARNING)
    plain_resolver()
    result = asyncio.run(child(args))
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
