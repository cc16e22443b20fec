"""Humidifiers and dehumidifiers: on, target humidity, mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.humidifier import HumidifierEntity
from homeassistant.components.humidifier.const import (
    HumidifierAction,
    HumidifierDeviceClass,
    HumidifierEntityFeature,
)
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas, value_labels
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.HUMIDIFIER,
        key="humidifier",
        services=("humidifier", "dehumidifier"),
        properties=(
            PropertyNeed("on", ("on",), required=True, writable=True, formats=_BOOL),
            PropertyNeed("target", ("target-humidity",), writable=True, numeric=True),
            PropertyNeed("mode", ("mode",), writable=True, value_list=True),
            PropertyNeed(
                "current",
                ("relative-humidity",),
                writable=False,
                numeric=True,
                elsewhere=("environment",),
                claim=False,
            ),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.HUMIDIFIER, SCHEMAS)


class MiotHumidifier(MiotEntity, HumidifierEntity):
    """A humidifier or dehumidifier service."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Range and modes from the spec."""
        super().__init__(coordinator, did, info)
        self._on = info.props["on"]
        self._target = info.prop("target")
        self._mode = info.prop("mode")
        self._current = info.prop("current")
        dehumidifier = info.service.name == "dehumidifier"
        self._attr_device_class = (
            HumidifierDeviceClass.DEHUMIDIFIER if dehumidifier else HumidifierDeviceClass.HUMIDIFIER
        )
        self._working = HumidifierAction.DRYING if dehumidifier else HumidifierAction.HUMIDIFYING
        if self._target is not None and (vr := self._target.value_range) is not None:
            self._attr_min_humidity = vr.min
            self._attr_max_humidity = vr.max
        self._modes: dict[Any, str] = {}
        if self._mode is not None:
            self._modes = dict(value_labels(self._mode, self.lang))
            self._attr_available_modes = list(self._modes.values())
            self._attr_supported_features = HumidifierEntityFeature.MODES

    @property
    def is_on(self) -> bool | None:
        """On/off."""
        value = self.value_of(self._on)
        return None if value is None else bool(value)

    @property
    def action(self) -> HumidifierAction | None:
        """Off or working."""
        on = self.is_on
        if on is None:
            return None
        return self._working if on else HumidifierAction.OFF

    @property
    def target_humidity(self) -> float | None:
        """Target humidity."""
        return self.number_of(self._target)

    @property
    def current_humidity(self) -> float | None:
        """Measured humidity."""
        return self.number_of(self._current)

    @property
    def mode(self) -> str | None:
        """Mode label."""
        return self._modes.get(self.value_of(self._mode))

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        await self.async_write(self._on, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.async_write(self._on, False)

    async def async_set_humidity(self, humidity: int) -> None:
        """Set the target humidity (snapped to the spec step)."""
        assert self._target is not None
        vr = self._target.value_range
        value: float = humidity
        if vr is not None and vr.step:
            value = vr.min + round((humidity - vr.min) / vr.step) * vr.step
            value = min(max(value, vr.min), vr.max)
        await self.async_write(
            self._target, int(value) if self._target.format != "float" else value
        )

    async def async_set_mode(self, mode: str) -> None:
        """Set the mode."""
        assert self._mode is not None
        for value, label in self._modes.items():
            if label == mode:
                await self.async_write(self._mode, value)


async_setup_entry = platform_setup_entry(Platform.HUMIDIFIER, MiotHumidifier)
