"""Plausible starting values and drift: the demo home looks like a home, on every real spec."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from simulator import Simulator
from simulator.cloud import Cloud
from simulator.drift import Drift, plausible_value
from simulator.homes import load_home_file
from simulator.spec import PROJECT_SPEC_DIR, SpecStore, urn_name

SHARED = PROJECT_SPEC_DIR.parent / "shared_specs"


def _cloud() -> Cloud:
    cloud = Cloud(SpecStore([PROJECT_SPEC_DIR, SHARED]))
    load_home_file(cloud, Path(__file__).parents[2] / "simulator" / "homes" / "demo.yaml")
    return cloud


def _readings(cloud: Cloud, did: str) -> dict[str, Any]:
    device = cloud.device(did)
    return {
        f"{urn_name(device.spec.services[siid]['type'])}.{urn_name(prop['type'])}": device.values[
            (siid, piid)
        ]
        for (siid, piid), prop in device.spec.properties.items()
    }


def test_demo_devices_start_like_devices() -> None:
    """Room temperatures, mains voltage, some dust: not the bottom of each range."""
    cloud = _cloud()
    for device in cloud.devices.values():
        for name, value in _readings(cloud, device.did).items():
            service, _, prop = name.partition(".")
            if prop in ("temperature", "indoor-temperature") and isinstance(value, (int, float)):
                assert 15 <= value <= 60, (device.model, name, value)
            if prop == "relative-humidity":
                assert 30 <= value <= 70, (device.model, name, value)
            if prop == "battery-level":
                assert value >= 50, (device.model, name, value)
            if prop == "voltage" and service != "battery":
                assert value in (220, 2200, 220.0), (device.model, name, value)


def test_plausible_values_fit_every_real_spec() -> None:
    """Whatever the range and step, a starting value is one the spec accepts (or none)."""
    store = SpecStore([SHARED])
    for model in store.models():
        instance = store.by_model(model)
        assert instance is not None
        for (siid, _), prop in instance.properties.items():
            service = urn_name(str(instance.services[siid]["type"]))
            value = plausible_value(service, prop)
            if value is None:
                continue
            low_high = prop.get("value-range")
            if low_high:
                assert low_high[0] <= value <= low_high[1], (instance.urn, prop["type"], value)


def test_hot_water_and_decivolts() -> None:
    """A water heater's water is hot; a plug with a 0-3000 unitless voltage reports 0.1 V."""
    water = {"type": "urn:miot-spec-v2:property:temperature:1:x:1", "format": "float",
             "value-range": [0, 100, 1]}  # fmt: skip
    assert plausible_value("water-heater", water) == 45
    assert plausible_value("environment", water) == 22
    deci = {"type": "urn:miot-spec-v2:property:voltage:1:x:1", "format": "uint16",
            "unit": "none", "value-range": [0, 3000, 1]}  # fmt: skip
    volts = {"type": "urn:miot-spec-v2:property:voltage:1:x:1", "format": "float",
             "unit": "volt", "value-range": [0, 300, 0.1]}  # fmt: skip
    assert plausible_value("switch", deci) == 2200
    assert plausible_value("switch", volts) == 220
    assert plausible_value("switch", {"type": "urn:x:property:on:1", "format": "bool"}) is None


def test_drift_moves_readings_within_bands() -> None:
    """Readings wander a little and stay plausible; settings and offline devices do not move."""
    cloud = _cloud()
    published: list[str] = []
    cloud.publish_hook = lambda topic, *_: published.append(topic)  # type: ignore[assignment]
    offline = next(iter(cloud.devices))
    cloud.device(offline).online = False
    before = {did: dict(device.values) for did, device in cloud.devices.items()}
    drift = Drift(cloud, interval=1, seed=7)
    changed = sum(drift.step() for _ in range(30))
    assert changed > 0
    assert published
    assert cloud.device(offline).values == before[offline]
    for did, device in cloud.devices.items():
        for (siid, piid), prop in device.spec.properties.items():
            if "write" in (prop.get("access") or []):
                assert device.values[(siid, piid)] == before[did][(siid, piid)]
            name = urn_name(str(prop["type"]))
            if name == "temperature" and "write" not in (prop.get("access") or []):
                value = device.values[(siid, piid)]
                assert 15 <= value <= 60, (device.model, value)


async def test_drift_runs_and_stops(tmp_path: Path, socket_enabled: None) -> None:
    """The simulator drifts on its loop when asked and leaves no task behind."""
    sim = Simulator(home="demo", state_dir=tmp_path, broker=False, tls=False, drift=0.01)
    await sim.start()
    try:
        thermometer = "blt.3.1a2b3c4d5e6f"
        start = dict(sim.cloud.device(thermometer).values)
        async with asyncio.timeout(5):
            while sim.cloud.device(thermometer).values == start:
                await asyncio.sleep(0.02)
    finally:
        await sim.stop()
    assert sim.drift is not None
    await sim.drift.stop()  # stopping twice is harmless
