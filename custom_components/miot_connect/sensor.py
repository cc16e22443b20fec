"""Sensors: well-known readings by urn name, then every leftover readable property."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    Platform,
    UnitOfElectricCurrent,
    UnitOfEnergy,
    UnitOfRatio,
    UnitOfTime,
)

from .coordinator import MiotCoordinator
from .discovery import (
    SENSOR_CLASSES,
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    is_numeric,
    register_schemas,
    value_options,
)
from .entity import MiotEntity, platform_setup_entry
from .miot.spec import SpecProperty

if TYPE_CHECKING:
    pass

_TIME_UNITS = frozenset({UnitOfTime.SECONDS, UnitOfTime.MINUTES, UnitOfTime.HOURS, UnitOfTime.DAYS})
_TOTALS = frozenset({"power-consumption"})


def _reading(name: str, device_class: SensorDeviceClass | None, unit: str | None) -> MiotSchema:
    return MiotSchema(
        platform=Platform.SENSOR,
        key=name,
        per_property=True,
        properties=(PropertyNeed("value", (name,), writable=False, readable=True, numeric=True),),
        main=True,
        device_class=device_class,
        state_class=(
            SensorStateClass.TOTAL_INCREASING if name in _TOTALS else SensorStateClass.MEASUREMENT
        ),
        unit=unit,
    )


SCHEMAS: list[MiotSchema] = [
    *(_reading(name, dc, unit) for name, (dc, unit) in SENSOR_CLASSES.items()),
    MiotSchema(
        platform=Platform.SENSOR,
        key="filter_life",
        translation_key="filter_life",
        per_property=True,
        properties=(
            PropertyNeed(
                "value", ("filter-life-level",), writable=False, readable=True, numeric=True
            ),
        ),
        state_class=SensorStateClass.MEASUREMENT,
        unit=PERCENTAGE,
    ),
    MiotSchema(
        platform=Platform.SENSOR,
        key="filter_left_time",
        translation_key="filter_left_time",
        per_property=True,
        properties=(
            PropertyNeed(
                "value", ("filter-left-time",), writable=False, readable=True, numeric=True
            ),
        ),
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        unit=UnitOfTime.HOURS,
    ),
    MiotSchema(
        platform=Platform.SENSOR,
        key="tds",
        translation_key="tds",
        per_property=True,
        properties=(
            PropertyNeed(
                "value", ("tds-out", "tds-in"), writable=False, readable=True, numeric=True
            ),
        ),
        state_class=SensorStateClass.MEASUREMENT,
        unit=UnitOfRatio.PARTS_PER_MILLION,
    ),
    MiotSchema(
        platform=Platform.SENSOR,
        key="leftover_sensor",
        per_property=True,
        leftover=True,
        properties=(PropertyNeed("value", (), writable=False, readable=True),),
        entity_category=EntityCategory.DIAGNOSTIC,
        check=lambda _spec, _service, prop: prop is not None and prop.format != "bool",
    ),
]
register_schemas(Platform.SENSOR, SCHEMAS)


class MiotSensor(MiotEntity, SensorEntity):
    """A readable property: a numeric reading, an enumeration or a text."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Device class, unit and state class from the schema and the spec."""
        super().__init__(coordinator, did, info)
        prop = info.props["value"]
        self._prop = prop
        self._options: dict[Any, str] = {}
        if prop.value_list:
            self._options = dict(value_options(prop))
            self._attr_device_class = SensorDeviceClass.ENUM
            self._attr_options = list(self._options.values())
            return
        unit = info.unit
        self._scale: float | None = None
        if info.device_class is not None:
            self._attr_device_class = SensorDeviceClass(info.device_class)
            unit = _integer_unit(prop.format, prop.unit, prop.name) or unit
            if _reports_decivolts(prop):
                self._scale = 0.1
                self._attr_suggested_display_precision = 1
        elif unit in _TIME_UNITS:
            self._attr_device_class = SensorDeviceClass.DURATION
        self._attr_native_unit_of_measurement = unit
        if info.schema.state_class is not None:
            self._attr_state_class = SensorStateClass(info.schema.state_class)
        elif is_numeric(prop) and unit is not None:
            self._attr_state_class = SensorStateClass.MEASUREMENT

    @property
    def native_value(self) -> Any:
        """Current value: the option slug for enumerations."""
        value = self.value_of(self._prop)
        if value is None:
            return None
        if self._options:
            return self._options.get(value)
        if isinstance(value, (dict, list)):
            return str(value)
        if self._scale is not None and isinstance(value, (int, float)):
            return round(value * self._scale, 3)
        return value


def _integer_unit(fmt: str, spec_unit: str | None, name: str) -> str | None:
    """Integer energy and current readings without a unit are Wh and mA on the devices we know."""
    if spec_unit is not None or fmt == "float":
        return None
    if name == "power-consumption":
        return UnitOfEnergy.WATT_HOUR
    if name == "electric-current":
        return UnitOfElectricCurrent.MILLIAMPERE
    return None


def _reports_decivolts(prop: SpecProperty) -> bool:
    """An integer voltage without a unit whose range goes past mains voltage (0-3000 on Gosund
    and other plugs) is in 0.1 V: those plugs report 2200 for 220.0 V (docs/protocol.md)."""
    return (
        prop.name == "voltage"
        and prop.unit is None
        and prop.format != "float"
        and prop.value_range is not None
        and 500 < prop.value_range.max <= 5000
    )


async_setup_entry = platform_setup_entry(Platform.SENSOR, MiotSensor)
