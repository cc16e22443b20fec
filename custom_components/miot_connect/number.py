"""Numbers: writable value-range properties no other entity consumes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.number import NumberDeviceClass, NumberEntity, NumberMode
from homeassistant.const import EntityCategory, Platform, UnitOfTemperature

from .coordinator import MiotCoordinator
from .discovery import INT_FORMATS, MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.NUMBER,
        key="leftover_number",
        per_property=True,
        leftover=True,
        properties=(PropertyNeed("value", (), writable=True, numeric=True),),
        entity_category=EntityCategory.CONFIG,
        check=lambda _spec, _service, prop: prop is not None and prop.value_range is not None,
    ),
]
register_schemas(Platform.NUMBER, SCHEMAS)


class MiotNumber(MiotEntity, NumberEntity):
    """A writable number with the spec's range and step."""

    _attr_mode = NumberMode.AUTO

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Range, step and unit from the spec."""
        super().__init__(coordinator, did, info)
        self._prop = prop = info.props["value"]
        assert prop.value_range is not None
        self._attr_native_min_value = prop.value_range.min
        self._attr_native_max_value = prop.value_range.max
        self._attr_native_step = prop.value_range.step or (1 if prop.format in INT_FORMATS else 0.1)
        self._attr_native_unit_of_measurement = info.unit
        if info.unit in (UnitOfTemperature.CELSIUS, UnitOfTemperature.FAHRENHEIT):
            self._attr_device_class = NumberDeviceClass.TEMPERATURE

    @property
    def native_value(self) -> float | None:
        """Current value."""
        return self.number_of(self._prop)

    async def async_set_native_value(self, value: float) -> None:
        """Write the value (integers for integer formats)."""
        await self.async_write(
            self._prop, round(value) if self._prop.format in INT_FORMATS else value
        )


async_setup_entry = platform_setup_entry(Platform.NUMBER, MiotNumber)
