"""Binary sensors: motion, contact, occupancy, leak, smoke … and leftover readable booleans."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory, Platform

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})

# urn short name → (device class, whether the spec value is the inverse of "on").
# `contact-state` is true while the contact is closed; Home Assistant's door/opening is on while
# open.
KNOWN: dict[str, tuple[BinarySensorDeviceClass, bool]] = {
    "motion-state": (BinarySensorDeviceClass.MOTION, False),
    "contact-state": (BinarySensorDeviceClass.DOOR, True),
    "occupancy-status": (BinarySensorDeviceClass.OCCUPANCY, False),
    "submersion-state": (BinarySensorDeviceClass.MOISTURE, False),
    "smoke-status": (BinarySensorDeviceClass.SMOKE, False),
    "gas-status": (BinarySensorDeviceClass.GAS, False),
    "no-one-determine-time": (BinarySensorDeviceClass.OCCUPANCY, True),
}

SCHEMAS: list[MiotSchema] = [
    *(
        MiotSchema(
            platform=Platform.BINARY_SENSOR,
            key=name,
            per_property=True,
            properties=(
                PropertyNeed("state", (name,), writable=False, readable=True, formats=_BOOL),
            ),
            main=True,
            device_class=device_class,
            extra={"invert": invert},
        )
        for name, (device_class, invert) in KNOWN.items()
    ),
    MiotSchema(
        platform=Platform.BINARY_SENSOR,
        key="leftover_binary_sensor",
        per_property=True,
        leftover=True,
        properties=(PropertyNeed("state", (), writable=False, readable=True, formats=_BOOL),),
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
]
register_schemas(Platform.BINARY_SENSOR, SCHEMAS)


class MiotBinarySensor(MiotEntity, BinarySensorEntity):
    """A readable boolean property."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Device class and polarity from the schema."""
        super().__init__(coordinator, did, info)
        if info.device_class is not None:
            self._attr_device_class = BinarySensorDeviceClass(info.device_class)
        self._invert = bool(info.schema.extra.get("invert"))

    @property
    def is_on(self) -> bool | None:
        """Current state."""
        value = self.role_value("state")
        if value is None:
            return None
        return not bool(value) if self._invert else bool(value)


async_setup_entry = platform_setup_entry(Platform.BINARY_SENSOR, MiotBinarySensor)
