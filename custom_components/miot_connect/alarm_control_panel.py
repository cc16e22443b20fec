"""Alarm control panels: a gateway's `arming` service (arming mode, and the alarm it raises)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelEntity
from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas, value_key
from .entity import MiotEntity, platform_setup_entry
from .miot.spec import SpecProperty, SpecValue

if TYPE_CHECKING:
    pass

# Writes go through the coordinator's batched cloud client.
PARALLEL_UPDATES = 0

# Arming-mode value slugs → panel state. The Aqara gateways name them `basic_arming` (the
# always-on guard, i.e. disarmed for the house), `home_arming`, `away_arming`, `sleep_arming`.
MODE_STATES: dict[str, AlarmControlPanelState] = {
    "basic_arming": AlarmControlPanelState.DISARMED,
    "disarmed": AlarmControlPanelState.DISARMED,
    "off": AlarmControlPanelState.DISARMED,
    "home_arming": AlarmControlPanelState.ARMED_HOME,
    "home": AlarmControlPanelState.ARMED_HOME,
    "away_arming": AlarmControlPanelState.ARMED_AWAY,
    "away": AlarmControlPanelState.ARMED_AWAY,
    "sleep_arming": AlarmControlPanelState.ARMED_NIGHT,
    "sleep": AlarmControlPanelState.ARMED_NIGHT,
    "night": AlarmControlPanelState.ARMED_NIGHT,
}
# Chinese descriptions (lumi.aircondition.acn05: 基础警戒模式, 在家警戒模式, …).
_MODE_WORDS: tuple[tuple[str, AlarmControlPanelState], ...] = (
    ("基础", AlarmControlPanelState.DISARMED),
    ("在家", AlarmControlPanelState.ARMED_HOME),
    ("离家", AlarmControlPanelState.ARMED_AWAY),
    ("睡眠", AlarmControlPanelState.ARMED_NIGHT),
)
_FEATURES: dict[AlarmControlPanelState, AlarmControlPanelEntityFeature] = {
    AlarmControlPanelState.ARMED_HOME: AlarmControlPanelEntityFeature.ARM_HOME,
    AlarmControlPanelState.ARMED_AWAY: AlarmControlPanelEntityFeature.ARM_AWAY,
    AlarmControlPanelState.ARMED_NIGHT: AlarmControlPanelEntityFeature.ARM_NIGHT,
}


def mode_state(item: SpecValue) -> AlarmControlPanelState | None:
    """Panel state of one arming-mode value (None: a mode the panel has no state for)."""
    if (state := MODE_STATES.get(value_key(item.description))) is not None:
        return state
    return next((state for word, state in _MODE_WORDS if word in item.description), None)


def _has_disarm(prop: SpecProperty | None) -> bool:
    return prop is not None and any(
        mode_state(item) is AlarmControlPanelState.DISARMED for item in prop.value_list
    )


SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.ALARM_CONTROL_PANEL,
        key="arming",
        translation_key="arming",
        services=("arming",),
        properties=(
            PropertyNeed("mode", ("arming-mode",), required=True, writable=True, value_list=True),
            PropertyNeed("alarm", ("alarm",), readable=True, value_list=True),
        ),
        # A gateway's main entity (its own light is secondary); a device that is something else
        # (an air conditioner partner with a gateway inside) keeps its own main entity.
        main=True,
        check=lambda _spec, _service, prop: _has_disarm(prop),
    ),
]
register_schemas(Platform.ALARM_CONTROL_PANEL, SCHEMAS)


class MiotAlarmPanel(MiotEntity, AlarmControlPanelEntity):
    """Arms and disarms through the arming-mode property; an alarm value other than 0 is
    `triggered`. No code: the Mi Home app arms without one."""

    _attr_code_arm_required = False

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """States and features from the arming-mode value list."""
        super().__init__(coordinator, did, info)
        self._mode = info.props["mode"]
        self._alarm = info.prop("alarm")
        self._states: dict[Any, AlarmControlPanelState] = {}
        self._values: dict[AlarmControlPanelState, Any] = {}
        for item in self._mode.value_list:
            if (state := mode_state(item)) is not None:
                self._states[item.value] = state
                self._values.setdefault(state, item.value)
        features = AlarmControlPanelEntityFeature(0)
        for state, feature in _FEATURES.items():
            if state in self._values:
                features |= feature
        self._trigger_value: Any = None
        if self._alarm is not None and self._alarm.writable:
            self._trigger_value = next(
                (item.value for item in self._alarm.value_list if item.value), None
            )
            if self._trigger_value is not None:
                features |= AlarmControlPanelEntityFeature.TRIGGER
        self._attr_supported_features = features

    @property
    def alarm_state(self) -> AlarmControlPanelState | None:
        """Triggered while the alarm sounds, else the arming mode."""
        alarm = self.value_of(self._alarm)
        if alarm:
            return AlarmControlPanelState.TRIGGERED
        return self._states.get(self.value_of(self._mode))

    async def _arm(self, state: AlarmControlPanelState) -> None:
        await self.async_write(self._mode, self._values[state])

    async def async_alarm_disarm(self, code: str | None = None) -> None:
        """Back to the basic guard; a sounding alarm is silenced."""
        if self._alarm is not None and self._alarm.writable and self.value_of(self._alarm):
            await self.async_write(self._alarm, 0)
        await self._arm(AlarmControlPanelState.DISARMED)

    async def async_alarm_arm_home(self, code: str | None = None) -> None:
        """Home guard."""
        await self._arm(AlarmControlPanelState.ARMED_HOME)

    async def async_alarm_arm_away(self, code: str | None = None) -> None:
        """Away guard."""
        await self._arm(AlarmControlPanelState.ARMED_AWAY)

    async def async_alarm_arm_night(self, code: str | None = None) -> None:
        """Sleep guard."""
        await self._arm(AlarmControlPanelState.ARMED_NIGHT)

    async def async_alarm_trigger(self, code: str | None = None) -> None:
        """Sound the alarm."""
        assert self._alarm is not None
        await self.async_write(self._alarm, self._trigger_value)


async_setup_entry = platform_setup_entry(Platform.ALARM_CONTROL_PANEL, MiotAlarmPanel)
