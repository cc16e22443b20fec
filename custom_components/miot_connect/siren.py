"""Sirens: `alarm` services that sound.

Two kinds are told apart from the many `alarm` services that are only a prompt-tone setting
(the beep of an air purifier's buttons, which stays a switch):
- a siren device's (device type `siren` or `alarm`) writable `alarm` switch;
- an `alarm` property whose value list names the sound ("Play", "Ring", …), e.g. a vacuum's
  locate sound: turning the siren on writes that value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.siren import SirenEntity
from homeassistant.components.siren.const import SirenEntityFeature
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import (
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    find_value,
    register_schemas,
)
from .entity import MiotEntity, platform_setup_entry
from .miot.spec import DeviceSpec, SpecProperty, SpecService

if TYPE_CHECKING:
    pass

# Writes go through the coordinator's batched cloud client.
PARALLEL_UPDATES = 0

SIREN_DEVICES = ("siren", "alarm")
SOUND_WORDS = ("play", "ring", "sound", "alarm", "start", "on")
SILENCE_WORDS = ("stop", "off", "silence", "mute")


def sounds(spec: DeviceSpec, _service: SpecService, prop: SpecProperty | None) -> bool:
    """Whether writing the property makes the device sound (see the module docstring)."""
    if prop is None:
        return False
    if prop.format == "bool":
        return spec.name in SIREN_DEVICES
    return bool(prop.value_list) and find_value(prop, *SOUND_WORDS) is not None


SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.SIREN,
        key="siren",
        services=("alarm", "siren"),
        properties=(PropertyNeed("alarm", ("alarm",), required=True, writable=True),),
        main=True,
        use_service_name=True,
        check=sounds,
    ),
]
register_schemas(Platform.SIREN, SCHEMAS)


class MiotSiren(MiotEntity, SirenEntity):
    """Sounds by writing the alarm property; silenced by writing its off value, if it has one."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """On and off values from the format or the value list."""
        super().__init__(coordinator, did, info)
        self._prop = prop = info.props["alarm"]
        self._on: Any = True
        self._off: Any = False
        if prop.format != "bool":
            self._on = find_value(prop, *SOUND_WORDS)
            self._off = find_value(prop, *SILENCE_WORDS)
        features = SirenEntityFeature.TURN_ON
        if self._off is not None:
            features |= SirenEntityFeature.TURN_OFF
        self._attr_supported_features = features

    @property
    def is_on(self) -> bool | None:
        """Sounding."""
        value = self.value_of(self._prop)
        return None if value is None else value == self._on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Sound."""
        await self.async_write(self._prop, self._on)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Silence."""
        await self.async_write(self._prop, self._off)


async_setup_entry = platform_setup_entry(Platform.SIREN, MiotSiren)
