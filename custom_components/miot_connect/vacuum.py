"""Vacuums: start/stop/pause/dock through spec actions, status as activity, fan speed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.vacuum import StateVacuumEntity
from homeassistant.components.vacuum.const import VacuumActivity, VacuumEntityFeature
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import (
    ActionNeed,
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    register_schemas,
    value_labels,
    value_options,
)
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

# Status value-list slugs → activity (first word match wins; anything else is idle).
ACTIVITY_WORDS: tuple[tuple[tuple[str, ...], VacuumActivity], ...] = (
    (("error", "fault", "charging_error"), VacuumActivity.ERROR),
    (
        ("go_charging", "returning", "back_to_charge", "findchargerpause", "go_washing"),
        VacuumActivity.RETURNING,
    ),
    (
        (
            "charging",
            "charging_completed",
            "charge_complete",
            "fullcharge",
            "docked",
            "drying",
            "washing",
            "emptying",
            "station_working",
            "wash",
            "backing_clean",
        ),
        VacuumActivity.DOCKED,
    ),
    (("paused", "pause"), VacuumActivity.PAUSED),
    (
        (
            "sweeping",
            "mopping",
            "sweeping_and_mopping",
            "cleaning",
            "partial_sweeping",
            "back_sweeping",
            "target_sweeping",
            "area_sweeping",
            "selected_sweeping",
            "building",
            "remote_control",
            "rfctrl",
            "working",
        ),
        VacuumActivity.CLEANING,
    ),
)

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.VACUUM,
        key="vacuum",
        services=("vacuum",),
        properties=(
            PropertyNeed("status", ("status",), required=True, writable=False),
            PropertyNeed(
                "fan", ("fan-level", "suction-level", "mode"), writable=True, value_list=True
            ),
        ),
        actions=(
            ActionNeed("start", ("start-sweep", "start-clean"), required=True),
            ActionNeed("stop", ("stop-sweeping", "stop-clean")),
            ActionNeed("pause", ("pause-sweeping", "pause"), elsewhere=("custom",)),
            ActionNeed("dock", ("start-charge",), elsewhere=("battery", "go-charging")),
            ActionNeed(
                "locate",
                ("identify", "find-device", "find-robot"),
                elsewhere=("identify", "voice", "custom"),
            ),
        ),
        main=True,
        use_service_name=True,
    ),
]
register_schemas(Platform.VACUUM, SCHEMAS)


def activity_of(slug: str | None) -> VacuumActivity | None:
    """Activity of a status slug (None: unknown)."""
    if slug is None:
        return None
    for words, activity in ACTIVITY_WORDS:
        if slug in words:
            return activity
    return VacuumActivity.IDLE


class MiotVacuum(MiotEntity, StateVacuumEntity):
    """A robot vacuum."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Features from the actions the spec offers."""
        super().__init__(coordinator, did, info)
        self._status = info.props["status"]
        self._fan = info.prop("fan")
        self._status_slugs: dict[Any, str] = dict(value_options(self._status))
        features = VacuumEntityFeature.STATE | VacuumEntityFeature.START
        for role, feature in (
            ("stop", VacuumEntityFeature.STOP),
            ("pause", VacuumEntityFeature.PAUSE),
            ("dock", VacuumEntityFeature.RETURN_HOME),
            ("locate", VacuumEntityFeature.LOCATE),
        ):
            if role in info.actions:
                features |= feature
        self._fan_speeds: dict[Any, str] = {}
        if self._fan is not None:
            self._fan_speeds = dict(value_labels(self._fan, self.lang))
            self._attr_fan_speed_list = list(self._fan_speeds.values())
            features |= VacuumEntityFeature.FAN_SPEED
        self._attr_supported_features = features

    @property
    def activity(self) -> VacuumActivity | None:
        """Activity from the status value-list."""
        return activity_of(self._status_slugs.get(self.value_of(self._status)))

    @property
    def fan_speed(self) -> str | None:
        """Suction level label."""
        return self._fan_speeds.get(self.value_of(self._fan))

    async def _act(self, role: str) -> None:
        await self.async_run(self.info.actions[role])

    async def async_start(self) -> None:
        """Start cleaning."""
        await self._act("start")

    async def async_stop(self, **kwargs: Any) -> None:
        """Stop cleaning."""
        await self._act("stop")

    async def async_pause(self) -> None:
        """Pause cleaning."""
        await self._act("pause")

    async def async_return_to_base(self, **kwargs: Any) -> None:
        """Go to the dock."""
        await self._act("dock")

    async def async_locate(self, **kwargs: Any) -> None:
        """Make the robot say where it is."""
        await self._act("locate")

    async def async_set_fan_speed(self, fan_speed: str, **kwargs: Any) -> None:
        """Set the suction level."""
        assert self._fan is not None
        for value, label in self._fan_speeds.items():
            if label == fan_speed:
                await self.async_write(self._fan, value)


async_setup_entry = platform_setup_entry(Platform.VACUUM, MiotVacuum)
