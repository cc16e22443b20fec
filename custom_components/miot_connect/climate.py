"""Climate: air conditioners, heaters and thermostats (on, hvac mode from the spec's mode list,
target
temperature, fan level, current temperature from the device's environment service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    SWING_OFF,
    SWING_ON,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, Platform, UnitOfTemperature
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .coordinator import MiotCoordinator
from .discovery import (
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    ha_unit,
    is_numeric,
    register_schemas,
    value_labels,
    value_options,
)
from .entity import MiotEntity, Writes, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})

# Value-list slugs of a `mode` property that are Home Assistant hvac modes.
HVAC_SLUGS: dict[str, HVACMode] = {
    "auto": HVACMode.AUTO,
    "smart": HVACMode.AUTO,
    "heat": HVACMode.HEAT,
    "heating": HVACMode.HEAT,
    "cool": HVACMode.COOL,
    "cooling": HVACMode.COOL,
    "dry": HVACMode.DRY,
    "dehumidify": HVACMode.DRY,
    "fan": HVACMode.FAN_ONLY,
    "fan_only": HVACMode.FAN_ONLY,
    "air_supply": HVACMode.FAN_ONLY,
}
# The mode a device type is in when its mode list names no hvac mode.
DEFAULT_HVAC: dict[str, HVACMode] = {
    "air-conditioner": HVACMode.COOL,
    "air-condition-outlet": HVACMode.COOL,
}

# Mode slugs that mean "not heating or cooling" on a device without an on/off switch (a bath
# heater's "Idle").
OFF_SLUGS: frozenset[str] = frozenset({"off", "idle", "close", "closed", "standby", "none", "stop"})
# More slugs that name an hvac mode (bath heaters and heaters spell them their own way).
HVAC_SLUGS.update(
    {
        "warm": HVACMode.HEAT,
        "warming": HVACMode.HEAT,
        "ventilate": HVACMode.FAN_ONLY,
        "ventilation": HVACMode.FAN_ONLY,
        "blow": HVACMode.FAN_ONLY,
        "drying": HVACMode.DRY,
    }
)


def _controls_climate(spec: Any, service: Any, _primary: Any) -> bool:
    """A heating or cooling service is a climate entity when something of it can be set: a
    target temperature, an on/off switch or a mode (a heater with only on, heat level and mode is
    still a heater; a bath heater with only a mode list too)."""
    for prop in service.properties:
        if not prop.writable:
            continue
        if prop.name == "target-temperature" and is_numeric(prop):
            return True
        if prop.name in _ON_NAMES and prop.format == "bool":
            return True
        if prop.name == "mode" and prop.value_list:
            return True
    return False


_ON_NAMES = ("on", "heating")

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.CLIMATE,
        key="climate",
        services=(
            "air-conditioner",
            "heater",
            "thermostat",
            "electric-blanket",
            "air-condition-outlet",
            "ptc-bath-heater",
            "bath-heater",
        ),
        properties=(
            PropertyNeed("target", ("target-temperature",), writable=True, numeric=True),
            PropertyNeed("on", _ON_NAMES, writable=True, formats=_BOOL),
            PropertyNeed("mode", ("mode",), writable=True, value_list=True),
            PropertyNeed(
                "fan", ("fan-level", "heat-level"), writable=True, elsewhere=("fan-control",)
            ),
            PropertyNeed(
                "current",
                ("temperature", "indoor-temperature"),
                writable=False,
                numeric=True,
                elsewhere=("environment",),
            ),
            PropertyNeed(
                "swing",
                ("vertical-swing",),
                writable=True,
                formats=_BOOL,
                elsewhere=("fan-control",),
            ),
        ),
        main=True,
        use_service_name=True,
        check=_controls_climate,
    ),
]
register_schemas(Platform.CLIMATE, SCHEMAS)


class MiotClimate(MiotEntity, ClimateEntity):
    """A climate service."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Modes, ranges and features from the spec."""
        super().__init__(coordinator, did, info)
        self._target = info.prop("target")
        self._on = info.prop("on")
        self._mode = info.prop("mode")
        self._fan = info.prop("fan")
        self._current = info.prop("current")
        self._swing = info.prop("swing")
        unit_source = self._target or self._current
        self._attr_temperature_unit = (
            ha_unit(unit_source) if unit_source is not None else None
        ) or UnitOfTemperature.CELSIUS
        if self._attr_temperature_unit not in (
            UnitOfTemperature.CELSIUS,
            UnitOfTemperature.FAHRENHEIT,
        ):
            self._attr_temperature_unit = UnitOfTemperature.CELSIUS
        features = ClimateEntityFeature(0)
        if self._target is not None:
            features |= ClimateEntityFeature.TARGET_TEMPERATURE
            if (vr := self._target.value_range) is not None:
                self._attr_min_temp = vr.min
                self._attr_max_temp = vr.max
                self._attr_target_temperature_step = vr.step or 1
        self._default_hvac = DEFAULT_HVAC.get(info.spec.name, HVACMode.HEAT)
        self._hvac_values: dict[Any, HVACMode] = {}
        self._presets: dict[Any, str] = {}
        if self._mode is not None:
            labels = dict(value_labels(self._mode, self.lang))
            for value, slug in value_options(self._mode):
                hvac = HVAC_SLUGS.get(slug)
                if hvac is None and self._on is None and slug in OFF_SLUGS:
                    # Without a switch, the mode list's "Idle"/"Off" is how the device is off.
                    hvac = HVACMode.OFF
                if hvac is not None and hvac not in self._hvac_values.values():
                    self._hvac_values[value] = hvac
                else:
                    self._presets[value] = labels[value]
            if self._presets:
                self._attr_preset_modes = list(self._presets.values())
                features |= ClimateEntityFeature.PRESET_MODE
        modes: list[HVACMode] = [
            mode for mode in self._hvac_values.values() if mode != HVACMode.OFF
        ] or [self._default_hvac]
        if self._on is not None or HVACMode.OFF in self._hvac_values.values():
            modes.insert(0, HVACMode.OFF)
            features |= ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
        self._attr_hvac_modes = modes
        self._fan_modes: dict[Any, str] = {}
        if (fan := self._fan) is not None:
            if fan.value_list:
                self._fan_modes = dict(value_labels(fan, self.lang))
            elif fan.value_range is not None:
                vr = fan.value_range
                step = vr.step or 1
                count = min(int((vr.max - vr.min) / step) + 1, 20)
                self._fan_modes = {
                    int(vr.min + i * step): str(int(vr.min + i * step)) for i in range(count)
                }
            if self._fan_modes:
                self._attr_fan_modes = list(self._fan_modes.values())
                features |= ClimateEntityFeature.FAN_MODE
        if self._swing is not None:
            self._attr_swing_modes = [SWING_OFF, SWING_ON]
            features |= ClimateEntityFeature.SWING_MODE
        self._attr_supported_features = features

    @property
    def current_temperature(self) -> float | None:
        """Measured temperature."""
        return self.number_of(self._current)

    @property
    def target_temperature(self) -> float | None:
        """Target temperature (None: the device has none)."""
        return self.number_of(self._target) if self._target is not None else None

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off when switched off, else the mapped mode."""
        if self._on is not None:
            on = self.value_of(self._on)
            if on is None:
                return None
            if not on:
                return HVACMode.OFF
        if self._hvac_values:
            return self._hvac_values.get(self.value_of(self._mode), self._default_hvac_mode())
        return self._default_hvac

    def _default_hvac_mode(self) -> HVACMode | None:
        # A preset (unmapped mode) keeps the device in its one remaining hvac mode.
        modes = [mode for mode in self._attr_hvac_modes if mode != HVACMode.OFF]
        return modes[0] if len(modes) == 1 else None

    @property
    def preset_mode(self) -> str | None:
        """Mode label when the mode is not an hvac mode."""
        if not self._presets:
            return None
        return self._presets.get(self.value_of(self._mode))

    @property
    def fan_mode(self) -> str | None:
        """Fan level label."""
        return self._fan_modes.get(self.value_of(self._fan))

    @property
    def swing_mode(self) -> str | None:
        """Vertical swing."""
        value = self.value_of(self._swing)
        if value is None:
            return None
        return SWING_ON if value else SWING_OFF

    def _hvac_writes(self, hvac_mode: HVACMode) -> Writes:
        if hvac_mode == HVACMode.OFF and self._on is not None:
            return Writes.of(self._on, False)
        values = Writes()
        if self._on is not None:
            values.put(self._on, True)
        if self._mode is not None:
            for value, mode in self._hvac_values.items():
                if mode == hvac_mode:
                    values.put(self._mode, value)
        if not values:
            raise ServiceValidationError(  # pragma: no cover - only offered modes are accepted
                translation_domain=DOMAIN, translation_key="invalid_value"
            )
        return values

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Switch on/off and set the mode."""
        values = self._hvac_writes(hvac_mode)
        if values:
            await self.async_write_many(values)

    async def async_turn_on(self) -> None:
        """Switch on (a device without a switch goes to its first non-off mode)."""
        if self._on is not None:
            await self.async_write(self._on, True)
            return
        await self.async_set_hvac_mode(
            next(mode for mode in self.hvac_modes if mode != HVACMode.OFF)
        )

    async def async_turn_off(self) -> None:
        """Switch off (or the mode that means off)."""
        await self.async_set_hvac_mode(HVACMode.OFF)

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Target temperature, optionally with a mode, in one request."""
        values = Writes()
        if (mode := kwargs.get(ATTR_HVAC_MODE)) is not None:
            values.update(self._hvac_writes(HVACMode(mode)))
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None and self._target is not None:
            step = self._target.value_range.step if self._target.value_range else None
            if step:
                low = self._target.value_range.min if self._target.value_range else 0
                temperature = low + round((float(temperature) - low) / step) * step
            if self._target.format != "float":
                temperature = round(float(temperature))
            values.put(self._target, temperature)
        if values:
            await self.async_write_many(values)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set a mode that is not an hvac mode."""
        assert self._mode is not None
        for value, label in self._presets.items():
            if label == preset_mode:
                await self.async_write(self._mode, value)

    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Set the fan level."""
        assert self._fan is not None
        for value, label in self._fan_modes.items():
            if label == fan_mode:
                await self.async_write(self._fan, value)

    async def async_set_swing_mode(self, swing_mode: str) -> None:
        """Swing on/off."""
        assert self._swing is not None
        await self.async_write(self._swing, swing_mode == SWING_ON)


async_setup_entry = platform_setup_entry(Platform.CLIMATE, MiotClimate)
