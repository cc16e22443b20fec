"""Covers: curtains, airers and window openers (motor-control open/close/pause, positions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.cover import (
    ATTR_POSITION,
    CoverDeviceClass,
    CoverEntity,
    CoverEntityFeature,
)
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import (
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    find_value,
    register_schemas,
    value_options,
)
from .entity import MiotEntity, platform_setup_entry
from .miot.spec import SpecProperty

if TYPE_CHECKING:
    pass

DEVICE_CLASSES: dict[str, CoverDeviceClass] = {
    "curtain": CoverDeviceClass.CURTAIN,
    "window-opener": CoverDeviceClass.WINDOW,
    "blind": CoverDeviceClass.BLIND,
    "shutter": CoverDeviceClass.SHUTTER,
}
OPEN_WORDS = ("open", "up", "rise", "raise")
CLOSE_WORDS = ("close", "down", "fall", "lower")
STOP_WORDS = ("pause", "stop", "stopped")
OPENING_WORDS = ("opening", "rising", "up")
CLOSING_WORDS = ("closing", "falling", "down")

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.COVER,
        key="cover",
        services=("curtain", "airer", "window-opener", "motor-controller", "blind", "shutter"),
        properties=(
            PropertyNeed(
                "control",
                ("motor-control",),
                required=True,
                writable=True,
                value_list=True,
                readable=None,
            ),
            PropertyNeed("position", ("current-position",), writable=False, numeric=True),
            PropertyNeed("target", ("target-position",), writable=True, numeric=True),
            PropertyNeed("status", ("status",), writable=False, value_list=True),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.COVER, SCHEMAS)


class MiotCover(MiotEntity, CoverEntity):
    """A motorised curtain, airer or window."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Commands and features from the spec's value-lists."""
        super().__init__(coordinator, did, info)
        self._control = info.props["control"]
        self._position = info.prop("position")
        self._target = info.prop("target")
        self._status = info.prop("status")
        self._attr_device_class = DEVICE_CLASSES.get(
            info.service.name, DEVICE_CLASSES.get(info.spec.name)
        )
        self._open = find_value(self._control, *OPEN_WORDS)
        self._close = find_value(self._control, *CLOSE_WORDS)
        self._stop = find_value(self._control, *STOP_WORDS)
        features = CoverEntityFeature(0)
        if self._open is not None:
            features |= CoverEntityFeature.OPEN
        if self._close is not None:
            features |= CoverEntityFeature.CLOSE
        if self._stop is not None:
            features |= CoverEntityFeature.STOP
        if self._target is not None:
            features |= CoverEntityFeature.SET_POSITION
        self._attr_supported_features = features
        self._status_slugs: dict[Any, str] = (
            dict(value_options(self._status)) if self._status is not None else {}
        )
        self._pos_range = (0.0, 100.0)
        source = self._position or self._target
        if source is not None and source.value_range is not None:
            self._pos_range = (source.value_range.min, source.value_range.max)

    def _to_percent(self, value: Any) -> int | None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        low, high = self._pos_range
        span = (high - low) or 1
        return round((value - low) * 100 / span)

    @property
    def current_cover_position(self) -> int | None:
        """Position 0 (closed) … 100 (open)."""
        return self._to_percent(self.value_of(self._position or self._target))

    @property
    def is_closed(self) -> bool | None:
        """Closed when the position is 0 (unknown without a position)."""
        position = self.current_cover_position
        return None if position is None else position == 0

    def _status_slug(self) -> str | None:
        return self._status_slugs.get(self.value_of(self._status))

    @property
    def is_opening(self) -> bool:
        """From the status value-list."""
        return self._status_slug() in OPENING_WORDS

    @property
    def is_closing(self) -> bool:
        """From the status value-list."""
        return self._status_slug() in CLOSING_WORDS

    async def _command(self, value: Any) -> None:
        await self.async_write(self._control, value)

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open."""
        await self._command(self._open)

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close."""
        await self._command(self._close)

    async def async_stop_cover(self, **kwargs: Any) -> None:
        """Pause the motor."""
        await self._command(self._stop)

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move to a position."""
        target: SpecProperty | None = self._target
        assert target is not None
        low, high = self._pos_range
        value = low + (high - low) * int(kwargs[ATTR_POSITION]) / 100
        await self.async_write(target, round(value))


async_setup_entry = platform_setup_entry(Platform.COVER, MiotCover)
