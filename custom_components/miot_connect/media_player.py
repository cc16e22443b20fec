"""Media players for speakers: volume, mute, play/pause/next/previous through spec actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.const import (
    MediaPlayerDeviceClass,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import (
    ActionNeed,
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    register_schemas,
    value_options,
)
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

_BOOL = frozenset({"bool"})
PLAYING_STATES: dict[str, MediaPlayerState] = {
    "playing": MediaPlayerState.PLAYING,
    "play": MediaPlayerState.PLAYING,
    "pause": MediaPlayerState.PAUSED,
    "paused": MediaPlayerState.PAUSED,
    "stop": MediaPlayerState.IDLE,
    "stopped": MediaPlayerState.IDLE,
    "idle": MediaPlayerState.IDLE,
}
_CONTROL = ("play-control",)

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.MEDIA_PLAYER,
        key="speaker",
        device_types=("speaker",),
        services=("speaker",),
        properties=(
            PropertyNeed("volume", ("volume",), required=True, writable=True, numeric=True),
            PropertyNeed("mute", ("mute",), writable=True, formats=_BOOL),
            PropertyNeed(
                "playing", ("playing-state",), writable=False, value_list=True, elsewhere=_CONTROL
            ),
        ),
        actions=(
            ActionNeed("play", ("play",), elsewhere=_CONTROL),
            ActionNeed("pause", ("pause",), elsewhere=_CONTROL),
            ActionNeed("next", ("next",), elsewhere=_CONTROL),
            ActionNeed("previous", ("previous",), elsewhere=_CONTROL),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.MEDIA_PLAYER, SCHEMAS)


class MiotMediaPlayer(MiotEntity, MediaPlayerEntity):
    """A smart speaker."""

    _attr_device_class = MediaPlayerDeviceClass.SPEAKER

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Features from the spec."""
        super().__init__(coordinator, did, info)
        self._volume = info.props["volume"]
        self._mute = info.prop("mute")
        self._playing = info.prop("playing")
        vr = self._volume.value_range
        self._vol_range = (vr.min, vr.max) if vr is not None else (0.0, 100.0)
        features = MediaPlayerEntityFeature.VOLUME_SET | MediaPlayerEntityFeature.VOLUME_STEP
        if self._mute is not None:
            features |= MediaPlayerEntityFeature.VOLUME_MUTE
        for role, feature in (
            ("play", MediaPlayerEntityFeature.PLAY),
            ("pause", MediaPlayerEntityFeature.PAUSE),
            ("next", MediaPlayerEntityFeature.NEXT_TRACK),
            ("previous", MediaPlayerEntityFeature.PREVIOUS_TRACK),
        ):
            if role in info.actions:
                features |= feature
        self._attr_supported_features = features
        self._slugs: dict[Any, str] = (
            dict(value_options(self._playing)) if self._playing is not None else {}
        )

    @property
    def state(self) -> MediaPlayerState | None:
        """Playing state when the spec has one, else on."""
        if self._playing is None:
            return MediaPlayerState.ON
        slug = self._slugs.get(self.value_of(self._playing))
        return PLAYING_STATES.get(slug or "", MediaPlayerState.ON)

    @property
    def volume_level(self) -> float | None:
        """Volume 0..1."""
        value = self.value_of(self._volume)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        low, high = self._vol_range
        return (value - low) / ((high - low) or 1)

    @property
    def is_volume_muted(self) -> bool | None:
        """Muted."""
        value = self.value_of(self._mute)
        return None if value is None else bool(value)

    async def async_set_volume_level(self, volume: float) -> None:
        """Set the volume."""
        low, high = self._vol_range
        await self.async_write(self._volume, round(low + volume * (high - low)))

    async def async_mute_volume(self, mute: bool) -> None:
        """Mute or unmute."""
        assert self._mute is not None
        await self.async_write(self._mute, mute)

    async def async_media_play(self) -> None:
        """Play."""
        await self.async_run(self.info.actions["play"])

    async def async_media_pause(self) -> None:
        """Pause."""
        await self.async_run(self.info.actions["pause"])

    async def async_media_next_track(self) -> None:
        """Next."""
        await self.async_run(self.info.actions["next"])

    async def async_media_previous_track(self) -> None:
        """Previous."""
        await self.async_run(self.info.actions["previous"])


async_setup_entry = platform_setup_entry(Platform.MEDIA_PLAYER, MiotMediaPlayer)
