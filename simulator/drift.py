"""Plausible starting values and gentle drift, so that a simulated home looks like a home.

A real device reports room temperatures, not the bottom of its spec's range: a humidifier reads
about 22 °C, a kettle about room temperature, a water heater about 45 °C. `plausible_value` picks
such a value for a property by its name (and its service, where that changes the meaning), snapped
onto the property's range and step. `Drift` nudges readings (temperatures, humidity, PM2.5, CO2,
power, battery) by small random steps within a band, as the device itself would, so they are
pushed like real changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
from typing import Any

from .spec import INT_RANGES, JsonDict, SpecError, urn_name, validate_value

# Property name -> a typical reading (services in HOT_SERVICES use HOT instead).
TYPICAL: dict[str, float] = {
    "temperature": 22.5,
    "indoor-temperature": 22.5,
    "target-temperature": 24,
    "relative-humidity": 45,
    "target-humidity": 50,
    "pm2.5-density": 12,
    "pm10-density": 20,
    "pm1-density": 8,
    "co2-density": 550,
    "tvoc-density": 0.1,
    "illumination": 320,
    "battery-level": 87,
    "brightness": 80,
    "color-temperature": 4000,
    "volume": 40,
    "current-position": 0,
    "target-position": 0,
    "filter-life-level": 85,
    "filter-left-time": 2400,
    "filter-used-time": 600,
    "electric-power": 35,
    "air-quality-index": 35,
    "water-level": 60,
}
# Services whose temperatures are of hot water or food, not of the room.
HOT_SERVICES = frozenset(
    {"water-heater", "kettle", "health-pot", "cooker", "oven", "coffee-machine"}
)
HOT: dict[str, float] = {"temperature": 45, "target-temperature": 50}

# Property name -> (lowest, highest, largest step per drift) of the band a reading wanders in.
DRIFT_BANDS: dict[str, tuple[float, float, float]] = {
    "temperature": (19.0, 27.0, 0.3),
    "indoor-temperature": (19.0, 27.0, 0.3),
    "relative-humidity": (35.0, 60.0, 1.0),
    "pm2.5-density": (4.0, 45.0, 2.0),
    "pm10-density": (8.0, 60.0, 3.0),
    "co2-density": (420.0, 900.0, 25.0),
    "illumination": (80.0, 600.0, 30.0),
    "electric-power": (5.0, 80.0, 4.0),
    "air-quality-index": (10.0, 80.0, 3.0),
}
BATTERY_FLOOR = 20.0


def _bounds(prop: JsonDict) -> tuple[float, float, float] | None:
    """(min, max, step) of a numeric property (step 0: any)."""
    value_range = prop.get("value-range")
    if isinstance(value_range, list) and len(value_range) >= 2:
        step = float(value_range[2]) if len(value_range) > 2 else 0.0
        return float(value_range[0]), float(value_range[1]), step
    fmt = str(prop.get("format"))
    if fmt in INT_RANGES:
        low, high = INT_RANGES[fmt]
        return float(low), float(high), 1.0
    return None


def _snap(prop: JsonDict, value: float) -> Any | None:
    """`value` moved into the property's range and onto its step, in its format (None: no fit)."""
    bounds = _bounds(prop)
    fmt = str(prop.get("format"))
    if bounds is not None:
        low, high, step = bounds
        value = min(max(value, low), high)
        if step:
            value = low + round((value - low) / step) * step
            value = min(value, high)
    result: Any = round(value, 6) if fmt == "float" else round(value)
    try:
        return validate_value(prop, result)
    except SpecError:
        return None


def _is_decivolt(prop: JsonDict) -> bool:
    """An integer voltage without a unit whose range passes mains voltage reports 0.1 V (Gosund
    and other plugs report 2200 for 220.0 V; see docs/protocol.md)."""
    bounds = _bounds(prop)
    unit = str(prop.get("unit") or "none").strip().lower()
    return (
        str(prop.get("format")) != "float"
        and unit in ("", "none")
        and bounds is not None
        and 500 < bounds[1] <= 5000
    )


def plausible_value(service: str, prop: JsonDict) -> Any | None:
    """What such a device would report for the property at the start (None: no opinion)."""
    if prop.get("value-list") or str(prop.get("format")) in ("bool", "string", "hex"):
        return None
    name = urn_name(str(prop.get("type", "")))
    if name == "voltage":
        return _snap(prop, 2200 if _is_decivolt(prop) else 220)
    if name == "electric-current":
        fmt = str(prop.get("format"))
        return _snap(prop, 0.16 if fmt == "float" else 160)
    typical = HOT.get(name) if service in HOT_SERVICES else None
    if typical is None:
        typical = TYPICAL.get(name)
    if typical is None:
        return None
    return _snap(prop, typical)


def starting_values(
    spec_properties: dict[tuple[int, int], JsonDict], services: dict[int, JsonDict]
) -> dict[tuple[int, int], Any]:
    """Plausible starting values of a device's properties (only those with an opinion)."""
    values: dict[tuple[int, int], Any] = {}
    for (siid, piid), prop in spec_properties.items():
        service = urn_name(str(services.get(siid, {}).get("type", "")))
        value = plausible_value(service, prop)
        if value is not None:
            values[(siid, piid)] = value
    return values


class Drift:
    """Every `interval` seconds, nudge the readings of online devices (pushed like real changes).

    `step()` does one round; `start()`/`stop()` run it on the loop and leave nothing behind.
    """

    def __init__(self, cloud: Any, interval: float, seed: int | None = None) -> None:
        self.cloud = cloud
        self.interval = interval
        self.random = random.Random(seed)
        self._task: asyncio.Task[None] | None = None

    def step(self) -> int:
        """Nudge every drifting reading once; returns how many values changed."""
        changed = 0
        for device in list(self.cloud.devices.values()):
            if not device.online:
                continue
            for (siid, piid), prop in device.spec.properties.items():
                service = urn_name(str(device.spec.services.get(siid, {}).get("type", "")))
                if service in HOT_SERVICES:
                    continue  # hot water and food are not room readings
                new = self._next(device.values.get((siid, piid)), prop)
                if new is not None and new != device.values.get((siid, piid)):
                    self.cloud.set_property(device.did, siid, piid, new)
                    changed += 1
        return changed

    def _next(self, current: Any, prop: JsonDict) -> Any | None:
        if not isinstance(current, (int, float)) or isinstance(current, bool):
            return None
        if prop.get("value-list") or "write" in (prop.get("access") or []):
            return None
        name = urn_name(str(prop.get("type", "")))
        if name == "battery-level":
            # Batteries run down slowly and are replaced at the floor.
            if self.random.random() < 0.1:
                return _snap(prop, current - 1 if current > BATTERY_FLOOR else 95)
            return None
        band = DRIFT_BANDS.get(name)
        if band is None:
            return None
        low, high, largest = band
        target = min(max(current, low), high)
        moved = target + self.random.uniform(-largest, largest)
        if not math.isfinite(moved):  # pragma: no cover - bands are finite
            return None
        return _snap(prop, min(max(moved, low), high))

    def start(self) -> None:
        """Drift on the running loop until `stop()`."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sim-drift")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.step()

    async def stop(self) -> None:
        """Stop drifting."""
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
