"""Valves: a `valve` service switched by its `on` property (water valves, gas valves)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.valve.const import ValveDeviceClass, ValveEntityFeature
from homeassistant.components.valve.entity import ValveEntity
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas, value_options
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

# Writes go through the coordinator's batched cloud client.
PARALLEL_UPDATES = 0

VALVE_SERVICES = ("valve", "water-valve", "gas-valve")
_BOOL = frozenset({"bool"})

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.VALVE,
        key="valve",
        services=VALVE_SERVICES,
        properties=(
            PropertyNeed("on", ("on",), required=True, writable=True, formats=_BOOL),
            PropertyNeed("status", ("status", "valve-status"), writable=False, value_list=True),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.VALVE, SCHEMAS)


class MiotValve(MiotEntity, ValveEntity):
    """Opens and closes; moving while the status says opening or closing."""

    _attr_reports_position = False
    _attr_supported_features = ValveEntityFeature.OPEN | ValveEntityFeature.CLOSE

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Gas or water from the service or device type."""
        super().__init__(coordinator, did, info)
        words = f"{info.spec.name} {info.service.name}"
        self._attr_device_class = ValveDeviceClass.GAS if "gas" in words else ValveDeviceClass.WATER
        status = info.prop("status")
        self._slugs: dict[Any, str] = dict(value_options(status)) if status else {}

    def _status(self) -> str | None:
        return self._slugs.get(self.role_value("status"))

    @property
    def is_closed(self) -> bool | None:
        """Closed while `on` is false."""
        value = self.role_value("on")
        return None if value is None else not value

    @property
    def is_opening(self) -> bool | None:
        """From the status value list."""
        return self._status() == "opening"

    @property
    def is_closing(self) -> bool | None:
        """From the status value list."""
        return self._status() == "closing"

    async def async_open_valve(self) -> None:
        """Open."""
        await self.async_write(self.info.props["on"], True)

    async def async_close_valve(self) -> None:
        """Close."""
        await self.async_write(self.info.props["on"], False)


async_setup_entry = platform_setup_entry(Platform.VALVE, MiotValve)
