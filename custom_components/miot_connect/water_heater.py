"""Water heaters: on, target temperature, current temperature, mode as operation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.water_heater import WaterHeaterEntity
from homeassistant.components.water_heater.const import WaterHeaterEntityFeature
from homeassistant.const import ATTR_TEMPERATURE, STATE_OFF, Platform, UnitOfTemperature

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas, value_labels
from .entity import MiotEntity, Writes, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.WATER_HEATER,
        key="water_heater",
        services=("water-heater",),
        properties=(
            PropertyNeed(
                "target", ("target-temperature",), required=True, writable=True, numeric=True
            ),
            PropertyNeed("on", ("on",), writable=True, formats=_BOOL),
            PropertyNeed(
                "current", ("temperature", "water-temperature"), writable=False, numeric=True
            ),
            PropertyNeed("mode", ("mode",), writable=True, value_list=True),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.WATER_HEATER, SCHEMAS)


class MiotWaterHeater(MiotEntity, WaterHeaterEntity):
    """A water heater service."""

    _attr_temperature_unit = UnitOfTemperature.CELSIUS

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Range and operations from the spec."""
        super().__init__(coordinator, did, info)
        self._target = info.props["target"]
        self._on = info.prop("on")
        self._current = info.prop("current")
        self._mode = info.prop("mode")
        if (vr := self._target.value_range) is not None:
            self._attr_min_temp = vr.min
            self._attr_max_temp = vr.max
        features = WaterHeaterEntityFeature.TARGET_TEMPERATURE
        if self._on is not None:
            features |= WaterHeaterEntityFeature.ON_OFF
        self._modes: dict[Any, str] = {}
        if self._mode is not None:
            self._modes = dict(value_labels(self._mode, self.lang))
            self._attr_operation_list = list(self._modes.values())
            if self._on is not None:
                self._attr_operation_list.insert(0, STATE_OFF)
            features |= WaterHeaterEntityFeature.OPERATION_MODE
        self._attr_supported_features = features

    @property
    def current_temperature(self) -> float | None:
        """Water temperature."""
        return self.number_of(self._current)

    @property
    def target_temperature(self) -> float | None:
        """Target temperature."""
        return self.number_of(self._target)

    @property
    def current_operation(self) -> str | None:
        """Off, or the mode label."""
        if self._on is not None and self.value_of(self._on) is False:
            return STATE_OFF
        return self._modes.get(self.value_of(self._mode))

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature."""
        temperature = float(kwargs[ATTR_TEMPERATURE])
        await self.async_write(
            self._target,
            temperature if self._target.format == "float" else round(temperature),
        )

    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Off, or on in a mode."""
        if operation_mode == STATE_OFF and self._on is not None:
            await self.async_write(self._on, False)
            return
        assert self._mode is not None
        for value, label in self._modes.items():
            if label == operation_mode:
                values = Writes()
                values.put(self._mode, value)
                if self._on is not None:
                    values.put(self._on, True)
                await self.async_write_many(values)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        assert self._on is not None
        await self.async_write(self._on, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        assert self._on is not None
        await self.async_write(self._on, False)


async_setup_entry = platform_setup_entry(Platform.WATER_HEATER, MiotWaterHeater)
