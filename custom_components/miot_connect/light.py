"""Lights: on, brightness, colour temperature (kelvin), RGB colour and modes as effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_EFFECT,
    ATTR_RGB_COLOR,
    ColorMode,
    LightEntityFeature,
)
from homeassistant.const import EntityCategory, Platform
from homeassistant.util.color import brightness_to_value, value_to_brightness

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas, value_labels
from .entity import MiotEntity, Writes, platform_setup_entry
from .miot.spec import SpecProperty

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})
# Colour temperature given without a kelvin range is mapped onto this span.
DEFAULT_KELVIN = (2700, 6500)

_LIGHT_PROPS = (
    PropertyNeed("on", ("on",), required=True, writable=True, formats=_BOOL),
    PropertyNeed("brightness", ("brightness",), writable=True, numeric=True),
    PropertyNeed("color_temp", ("color-temperature",), writable=True, numeric=True),
    PropertyNeed("color", ("color",), writable=True, numeric=True),
    PropertyNeed("mode", ("mode",), writable=True, value_list=True),
)

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.LIGHT,
        key="light",
        services=("light", "ambient-light", "light-control", "yl-light"),
        properties=_LIGHT_PROPS,
        main=True,
        use_service_name=True,
    ),
    MiotSchema(
        platform=Platform.LIGHT,
        key="indicator_light",
        translation_key="indicator_light",
        services=("indicator-light",),
        properties=_LIGHT_PROPS[:2],
        entity_category=EntityCategory.CONFIG,
    ),
]
register_schemas(Platform.LIGHT, SCHEMAS)


def _range(prop: SpecProperty, default: tuple[float, float]) -> tuple[float, float]:
    if prop.value_range is None:
        return default
    return (prop.value_range.min, prop.value_range.max)


class MiotLight(MiotEntity, LightEntity):
    """A light service."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Colour modes, kelvin range and effects from the spec."""
        super().__init__(coordinator, did, info)
        self._on = info.props["on"]
        self._brightness = info.prop("brightness")
        self._ct = info.prop("color_temp")
        self._color = info.prop("color")
        self._mode = info.prop("mode")
        modes: set[ColorMode] = set()
        if self._color is not None:
            modes.add(ColorMode.RGB)
        if self._ct is not None:
            modes.add(ColorMode.COLOR_TEMP)
            self._ct_range = _range(self._ct, DEFAULT_KELVIN)
            self._ct_kelvin = self._ct.unit == "kelvin" or self._ct_range[0] >= 1000
            low, high = self._ct_range if self._ct_kelvin else DEFAULT_KELVIN
            self._attr_min_color_temp_kelvin = int(low)
            self._attr_max_color_temp_kelvin = int(high)
        if not modes:
            modes.add(ColorMode.BRIGHTNESS if self._brightness is not None else ColorMode.ONOFF)
        self._attr_supported_color_modes = modes
        self._color_mode = (
            ColorMode.COLOR_TEMP if ColorMode.COLOR_TEMP in modes else next(iter(modes))
        )
        self._effects: dict[Any, str] = {}
        if self._mode is not None:
            self._effects = dict(value_labels(self._mode, self.lang))
            self._attr_effect_list = list(self._effects.values())
            self._attr_supported_features = LightEntityFeature.EFFECT

    @property
    def is_on(self) -> bool | None:
        """On/off."""
        value = self.value_of(self._on)
        return None if value is None else bool(value)

    @property
    def color_mode(self) -> ColorMode:
        """Last used colour mode (colour temperature first)."""
        return self._color_mode

    @property
    def brightness(self) -> int | None:
        """Brightness 1..255."""
        if self._brightness is None:
            return None
        value = self.value_of(self._brightness)
        if not isinstance(value, (int, float)):
            return None
        low, high = _range(self._brightness, (1, 100))
        return value_to_brightness((max(low, 1), high), value) if value > 0 else 0

    @property
    def color_temp_kelvin(self) -> int | None:
        """Colour temperature in kelvin."""
        if self._ct is None:
            return None
        value = self.value_of(self._ct)
        if not isinstance(value, (int, float)):
            return None
        if self._ct_kelvin:
            return int(value)
        low, high = self._ct_range
        span = (high - low) or 1
        return int(
            DEFAULT_KELVIN[0] + (value - low) / span * (DEFAULT_KELVIN[1] - DEFAULT_KELVIN[0])
        )

    @property
    def rgb_color(self) -> tuple[int, int, int] | None:
        """Colour from the 0xRRGGBB integer."""
        value = self.value_of(self._color)
        if not isinstance(value, int):
            return None
        return ((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF)

    @property
    def effect(self) -> str | None:
        """Current mode label."""
        if self._mode is None:
            return None
        return self._effects.get(self.value_of(self._mode))

    def _ct_value(self, kelvin: int) -> int:
        low, high = self._ct_range
        if self._ct_kelvin:
            return int(min(max(kelvin, low), high))
        frac = (kelvin - DEFAULT_KELVIN[0]) / (DEFAULT_KELVIN[1] - DEFAULT_KELVIN[0])
        return round(low + min(max(frac, 0.0), 1.0) * (high - low))

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on with the requested brightness, colour or effect in one request."""
        values = Writes()
        values.put(self._on, True)
        if ATTR_BRIGHTNESS in kwargs and self._brightness is not None:
            low, high = _range(self._brightness, (1, 100))
            level = brightness_to_value((max(low, 1), high), kwargs[ATTR_BRIGHTNESS])
            values.put(self._brightness, int(min(max(round(level), low), high)))
        if ATTR_COLOR_TEMP_KELVIN in kwargs and self._ct is not None:
            values.put(self._ct, self._ct_value(int(kwargs[ATTR_COLOR_TEMP_KELVIN])))
            self._color_mode = ColorMode.COLOR_TEMP
        if ATTR_RGB_COLOR in kwargs and self._color is not None:
            red, green, blue = kwargs[ATTR_RGB_COLOR]
            values.put(self._color, (int(red) << 16) | (int(green) << 8) | int(blue))
            self._color_mode = ColorMode.RGB
        if ATTR_EFFECT in kwargs and self._mode is not None:
            wanted = kwargs[ATTR_EFFECT]
            for value, label in self._effects.items():
                if label == wanted:
                    values.put(self._mode, value)
        await self.async_write_many(values)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.async_write(self._on, False)


async_setup_entry = platform_setup_entry(Platform.LIGHT, MiotLight)
