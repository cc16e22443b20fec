"""Fans and air purifiers: on, speed as percentage, mode as presets, swing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.fan import FanEntity
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.const import Platform
from homeassistant.util.percentage import (
    ordered_list_item_to_percentage,
    percentage_to_ordered_list_item,
    percentage_to_ranged_value,
    ranged_value_to_percentage,
)

from .coordinator import MiotCoordinator
from .discovery import (
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    register_schemas,
    value_labels,
    value_options,
)
from .entity import MiotEntity, Writes, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})
# Value-list entries of a speed property that are not a speed step.
NOT_A_SPEED = ("auto", "humidity", "consthumidity", "const_humidity", "none", "level0", "off")

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.FAN,
        key="fan",
        services=("fan", "air-purifier", "air-fresh", "ceiling-fan", "yl-fan"),
        properties=(
            PropertyNeed("on", ("on",), required=True, writable=True, formats=_BOOL),
            PropertyNeed(
                "speed", ("fan-level", "speed-level"), writable=True, elsewhere=("fan-control",)
            ),
            PropertyNeed("mode", ("mode",), writable=True, value_list=True),
            PropertyNeed(
                "swing",
                ("horizontal-swing",),
                writable=True,
                formats=_BOOL,
                elsewhere=("fan-control",),
            ),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.FAN, SCHEMAS)


class MiotFan(MiotEntity, FanEntity):
    """A fan-like service."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Speeds, presets and swing from the spec."""
        super().__init__(coordinator, did, info)
        self._on = info.props["on"]
        self._speed = info.prop("speed")
        self._mode = info.prop("mode")
        self._swing = info.prop("swing")
        features = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
        self._speed_values: list[Any] = []
        self._speed_range: tuple[float, float] | None = None
        if (speed := self._speed) is not None:
            if speed.value_list:
                self._speed_values = [
                    value for value, slug in value_options(speed) if slug not in NOT_A_SPEED
                ]
            elif speed.value_range is not None:
                vr = speed.value_range
                self._speed_range = (vr.min, vr.max)
                step = vr.step or 1
                self._attr_speed_count = max(1, min(100, int((vr.max - vr.min) / step) + 1))
            if self._speed_values:
                self._attr_speed_count = len(self._speed_values)
            if self._speed_values or self._speed_range:
                features |= FanEntityFeature.SET_SPEED
        self._presets: dict[Any, str] = {}
        if self._mode is not None:
            self._presets = dict(value_labels(self._mode, self.lang))
            self._attr_preset_modes = list(self._presets.values())
            features |= FanEntityFeature.PRESET_MODE
        if self._swing is not None:
            features |= FanEntityFeature.OSCILLATE
        self._attr_supported_features = features

    @property
    def is_on(self) -> bool | None:
        """On/off."""
        value = self.value_of(self._on)
        return None if value is None else bool(value)

    @property
    def percentage(self) -> int | None:
        """Speed as a percentage."""
        value = self.value_of(self._speed)
        if value is None:
            return None
        if self._speed_values:
            if value not in self._speed_values:
                return None
            return ordered_list_item_to_percentage(self._speed_values, value)
        if self._speed_range is not None and isinstance(value, (int, float)):
            return ranged_value_to_percentage(self._speed_range, value)
        return None

    @property
    def preset_mode(self) -> str | None:
        """Current mode label."""
        if self._mode is None:
            return None
        return self._presets.get(self.value_of(self._mode))

    @property
    def oscillating(self) -> bool | None:
        """Horizontal swing."""
        value = self.value_of(self._swing)
        return None if value is None else bool(value)

    def _speed_value(self, percentage: int) -> Any:
        if self._speed_values:
            return percentage_to_ordered_list_item(self._speed_values, percentage)
        assert self._speed_range is not None
        return round(percentage_to_ranged_value(self._speed_range, percentage))

    def _preset_value(self, preset_mode: str) -> Any:
        for value, label in self._presets.items():
            if label == preset_mode:
                return value
        raise ValueError(preset_mode)  # pragma: no cover - Home Assistant validates presets

    async def async_turn_on(
        self, percentage: int | None = None, preset_mode: str | None = None, **kwargs: Any
    ) -> None:
        """Switch on, optionally at a speed or in a mode."""
        values = Writes()
        values.put(self._on, True)
        if percentage is not None and self._speed is not None and percentage > 0:
            values.put(self._speed, self._speed_value(percentage))
        if preset_mode is not None and self._mode is not None:
            values.put(self._mode, self._preset_value(preset_mode))
        await self.async_write_many(values)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.async_write(self._on, False)

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the speed (0 switches off)."""
        if percentage == 0:
            await self.async_turn_off()
            return
        assert self._speed is not None
        await self.async_write(self._speed, self._speed_value(percentage))

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the mode."""
        assert self._mode is not None
        await self.async_write(self._mode, self._preset_value(preset_mode))

    async def async_oscillate(self, oscillating: bool) -> None:
        """Swing on/off."""
        assert self._swing is not None
        await self.async_write(self._swing, oscillating)


async_setup_entry = platform_setup_entry(Platform.FAN, MiotFan)
