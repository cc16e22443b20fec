"""Times of day: writable "HH:MM" string properties (a do-not-disturb window's start and end)."""

from __future__ import annotations

from datetime import time
import re
from typing import TYPE_CHECKING

from homeassistant.components.time import TimeEntity
from homeassistant.const import EntityCategory, Platform

from .discovery import MiotSchema, PropertyNeed, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

# Writes go through the coordinator's batched cloud client.
PARALLEL_UPDATES = 0

_STRING = frozenset({"string"})
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*$")
DND_SERVICES = ("do-not-disturb", "annoy")


_TIME_NAMES = ("start-time", "end-time", "stop-time")


def _dnd(key: str, names: tuple[str, ...]) -> MiotSchema:
    return MiotSchema(
        platform=Platform.TIME,
        key=key,
        translation_key=key,
        services=DND_SERVICES,
        per_property=True,
        properties=(PropertyNeed("value", names, writable=True, readable=True, formats=_STRING),),
        entity_category=EntityCategory.CONFIG,
    )


SCHEMAS: list[MiotSchema] = [
    _dnd("dnd_start", ("start-time",)),
    _dnd("dnd_end", ("end-time", "stop-time")),
    # Any other window: `start-time`, `motion-detection-end-time`, … named from the spec.
    MiotSchema(
        platform=Platform.TIME,
        key="time_of_day",
        per_property=True,
        properties=(PropertyNeed("value", (), writable=True, readable=True, formats=_STRING),),
        entity_category=EntityCategory.CONFIG,
        check=lambda _spec, _service, prop: (
            prop is not None
            and (prop.name in _TIME_NAMES or prop.name.endswith(("-start-time", "-end-time")))
        ),
    ),
]
register_schemas(Platform.TIME, SCHEMAS)


def parse_time(value: object) -> time | None:
    """`HH:MM` or `HH:MM:SS` (None: anything else, or out of range)."""
    if not isinstance(value, str) or (match := _CLOCK.match(value)) is None:
        return None
    hour, minute, second = (int(part) if part else 0 for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


class MiotTime(MiotEntity, TimeEntity):
    """A time of day kept by the device as text."""

    @property
    def native_value(self) -> time | None:
        """The parsed value."""
        return parse_time(self.role_value("value"))

    async def async_set_value(self, value: time) -> None:
        """Written as `HH:MM`, or `HH:MM:SS` when the device uses seconds."""
        current = self.role_value("value")
        with_seconds = isinstance(current, str) and current.count(":") == 2
        text = value.strftime("%H:%M:%S" if with_seconds else "%H:%M")
        await self.async_write(self.info.props["value"], text)


async_setup_entry = platform_setup_entry(Platform.TIME, MiotTime)
