"""Switches: outlets and switch services, and leftover writable booleans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import EntityCategory, Platform

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.SWITCH,
        key="outlet",
        services=("switch", "outlet", "switch-control"),
        properties=(PropertyNeed("on", ("on",), required=True, writable=True, formats=_BOOL),),
        main=True,
        use_service_name=True,
        device_class=SwitchDeviceClass.OUTLET,
        check=lambda spec, _service, _prop: spec.name in ("outlet", "air-condition-outlet"),
    ),
    MiotSchema(
        platform=Platform.SWITCH,
        key="switch",
        services=("switch", "switch-control"),
        properties=(PropertyNeed("on", ("on",), required=True, writable=True, formats=_BOOL),),
        main=True,
        use_service_name=True,
        device_class=SwitchDeviceClass.SWITCH,
    ),
    MiotSchema(
        platform=Platform.SWITCH,
        key="child_lock",
        translation_key="child_lock",
        per_property=True,
        properties=(
            PropertyNeed("on", ("physical-controls-locked",), writable=True, formats=_BOOL),
        ),
        entity_category=EntityCategory.CONFIG,
    ),
    MiotSchema(
        platform=Platform.SWITCH,
        key="leftover_switch",
        per_property=True,
        leftover=True,
        properties=(PropertyNeed("on", (), writable=True, formats=_BOOL),),
        entity_category=EntityCategory.CONFIG,
    ),
]
register_schemas(Platform.SWITCH, SCHEMAS)


class MiotSwitch(MiotEntity, SwitchEntity):
    """A writable boolean property."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Device class from the schema."""
        super().__init__(coordinator, did, info)
        if info.device_class is not None:
            self._attr_device_class = SwitchDeviceClass(info.device_class)

    @property
    def is_on(self) -> bool | None:
        """Current state."""
        value = self.role_value("on")
        return None if value is None else bool(value)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        await self.async_write(self.info.props["on"], True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.async_write(self.info.props["on"], False)


async_setup_entry = platform_setup_entry(Platform.SWITCH, MiotSwitch)
