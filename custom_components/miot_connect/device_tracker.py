"""Device trackers: a location the device reports (read-only `longitude`/`latitude` properties, or
a `longitude-latitude` text).

A location the user writes (an air conditioner told where the home is, for its weather) is a
setting, not a position: only properties the device reports and nobody can write are tracked.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from homeassistant.components.device_tracker.const import SourceType
from homeassistant.components.device_tracker.entity import TrackerEntity
from homeassistant.const import Platform

from .discovery import MiotSchema, PropertyNeed, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

# Writes go through the coordinator's batched cloud client.
PARALLEL_UPDATES = 0

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.DEVICE_TRACKER,
        key="location",
        properties=(
            PropertyNeed("longitude", ("longitude",), required=True, writable=False, numeric=True),
            PropertyNeed("latitude", ("latitude",), required=True, writable=False, numeric=True),
        ),
        main=True,
        use_service_name=True,
    ),
    MiotSchema(
        platform=Platform.DEVICE_TRACKER,
        key="location_text",
        properties=(
            PropertyNeed(
                "pair",
                ("longitude-latitude", "location"),
                required=True,
                writable=False,
                readable=True,
                formats=frozenset({"string"}),
            ),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.DEVICE_TRACKER, SCHEMAS)


def parse_pair(value: object) -> tuple[float, float] | None:
    """(latitude, longitude) of a `longitude,latitude` text, a JSON object with `longitude` and
    `latitude` (or `lng`/`lat`), or a JSON list `[longitude, latitude]`; None when not valid."""
    if not isinstance(value, str):
        return None
    longitude: object = None
    latitude: object = None
    try:
        data = json.loads(value)
    except ValueError:
        numbers = _NUMBER.findall(value)
        if len(numbers) == 2:
            longitude, latitude = float(numbers[0]), float(numbers[1])
    else:
        if isinstance(data, dict):
            longitude = data.get("longitude", data.get("lng"))
            latitude = data.get("latitude", data.get("lat"))
        elif isinstance(data, list) and len(data) == 2:
            longitude, latitude = data
    return _valid(_number(latitude), _number(longitude))


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _valid(lat: float | None, lng: float | None) -> tuple[float, float] | None:
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


class MiotTracker(MiotEntity, TrackerEntity):
    """A GPS position reported by the device."""

    _attr_source_type = SourceType.GPS

    def _position(self) -> tuple[float, float] | None:
        if "pair" in self.info.props:
            return parse_pair(self.role_value("pair"))
        return _valid(_number(self.role_value("latitude")), _number(self.role_value("longitude")))

    @property
    def latitude(self) -> float | None:
        """Reported latitude."""
        position = self._position()
        return None if position is None else position[0]

    @property
    def longitude(self) -> float | None:
        """Reported longitude."""
        position = self._position()
        return None if position is None else position[1]


async_setup_entry = platform_setup_entry(Platform.DEVICE_TRACKER, MiotTracker)
