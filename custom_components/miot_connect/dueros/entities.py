"""Entity adapters: a Home Assistant domain → DuerOS appliance types, actions and attributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from homeassistant.components import sensor
from homeassistant.components.climate import const as climate
from homeassistant.components.cover import const as cover
from homeassistant.components.fan import const as fan
from homeassistant.components.humidifier import const as humidifier
from homeassistant.components.light import const as light
from homeassistant.components.lock import const as lock
from homeassistant.components.media_player import const as media_player
from homeassistant.components.switch import const as switch
from homeassistant.components.vacuum import const as vacuum
from homeassistant.components.water_heater import const as water_heater
from homeassistant.const import (
    ATTR_FRIENDLY_NAME,
    ATTR_SUPPORTED_FEATURES,
    ATTR_TEMPERATURE,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_OFF,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import area_registry as ar, entity_registry as er
from homeassistant.util.decorator import Registry

ENTITY_ADAPTERS: Registry[str, type[DuerOSEntity]] = Registry()

# DuerOS modes ↔ Home Assistant HVAC modes (the DuerOS names are the protocol's).
HVAC_MODES: dict[str, str] = {
    "COOL": climate.HVACMode.COOL,
    "HEAT": climate.HVACMode.HEAT,
    "AUTO": climate.HVACMode.AUTO,
    "FAN": climate.HVACMode.FAN_ONLY,
    "DEHUMIDIFICATION": climate.HVACMode.DRY,
}
DUEROS_MODES: dict[str, str] = {ha: dueros for dueros, ha in HVAC_MODES.items()}
FAN_LEVELS = 10  # DuerOS fan speed levels 1..10


_COLOR_MODES = {"hs", "xy", "rgb", "rgbw", "rgbww"}


def brightness_supported(modes: set[str]) -> bool:
    """Every colour mode but on/off (and unknown) has a brightness."""
    return any(mode not in ("onoff", "unknown") for mode in modes)


def color_supported(modes: set[str]) -> bool:
    return bool(modes & _COLOR_MODES)


def color_temp_supported(modes: set[str]) -> bool:
    return "color_temp" in modes


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except TypeError, ValueError:
        return None


def attribute(name: str, value: Any, scale: str = "", legal: str = "") -> dict[str, Any]:
    """One appliance attribute as discovery, confirmations and GetState carry it."""
    return {
        "name": name,
        "value": value,
        "scale": scale,
        "timestampOfSample": 0,
        "uncertaintyInMilliseconds": 10,
        "legalValue": legal,
    }


class DuerOSEntity:
    """The DuerOS view of one Home Assistant entity."""

    appliance_types: ClassVar[tuple[str, ...]] = ("SWITCH",)
    description: ClassVar[str] = "设备"

    def __init__(self, hass: HomeAssistant, state: State) -> None:
        self.hass = hass
        self.state = state
        self.entity_id = state.entity_id
        self.domain = state.domain

    @property
    def features(self) -> int:
        return int(self.state.attributes.get(ATTR_SUPPORTED_FEATURES, 0))

    @property
    def available(self) -> bool:
        return self.state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN) or self.domain in (
            "scene",
            "script",
        )

    @property
    def is_on(self) -> bool:
        return self.state.state not in (STATE_OFF, STATE_UNAVAILABLE, STATE_UNKNOWN)

    def types(self) -> list[str]:
        return list(self.appliance_types)

    def actions(self) -> list[str]:
        return ["turnOn", "turnOff", "getState"]

    def _on_off(self, on: int, off: int) -> list[str]:
        """getState, plus turnOn/turnOff where the entity has the feature."""
        actions = ["getState"]
        if self.features & on:
            actions.append("turnOn")
        if self.features & off:
            actions.append("turnOff")
        return actions

    def attributes(self) -> list[dict[str, Any]]:
        attrs = [
            attribute(
                "connectivity",
                "REACHABLE" if self.available else "UNREACHABLE",
                "",
                "(REACHABLE, UNREACHABLE)",
            ),
            attribute("name", self.friendly_name()),
        ]
        if "turnOn" in self.actions():
            attrs.append(attribute("turnOnState", "ON" if self.is_on else "OFF", "", "(ON, OFF)"))
        attrs += self.extra_attributes()
        sampled = int(self.state.last_updated.timestamp())
        for item in attrs:
            item["timestampOfSample"] = sampled
        return attrs

    def extra_attributes(self) -> list[dict[str, Any]]:
        return []

    def friendly_name(self) -> str:
        """The name if it is Chinese, else the user's longest Chinese alias, else the name;
        without punctuation (DuerOS matches what the user says against it)."""
        name = str(self.state.attributes.get(ATTR_FRIENDLY_NAME) or self.entity_id)
        entry = er.async_get(self.hass).async_get(self.entity_id)
        if entry is not None and not _is_chinese(name):
            chinese = sorted(
                (a for a in entry.aliases if isinstance(a, str) and _is_chinese(a)),
                key=lambda alias: (-len(alias), alias),
            )
            if chinese:
                name = chinese[0]
        cleaned = "".join(c if c.isalnum() else " " for c in name)
        return " ".join(cleaned.split())[:128] or self.entity_id

    def area_name(self) -> str | None:
        entry = er.async_get(self.hass).async_get(self.entity_id)
        if entry is None:
            return None
        area_id = entry.area_id
        if area_id is None and entry.device_id is not None:
            from homeassistant.helpers import device_registry as dr

            device = dr.async_get(self.hass).async_get(entry.device_id)
            area_id = device.area_id if device else None
        area = ar.async_get(self.hass).async_get_area(area_id) if area_id else None
        return area.name if area else None

    def appliance(self) -> dict[str, Any]:
        """The discoveredAppliance object."""
        area = self.area_name()
        details: dict[str, Any] = {"entityId": self.entity_id}
        if area:
            details["room"] = area
        return {
            "applianceId": self.entity_id,
            "friendlyName": self.friendly_name(),
            "friendlyDescription": f"Home Assistant {self.description}"[:128],
            "applianceTypes": self.types(),
            "actions": self.actions(),
            "attributes": self.attributes(),
            "isReachable": self.available,
            "manufacturerName": "Home Assistant",
            "modelName": self.domain,
            "version": "1",
            "additionalApplianceDetails": details,
        }

    # Ranges used by the handlers (None: not supported).
    def temperature_range(self) -> tuple[float, float] | None:
        return None

    def temperature_unit(self) -> str:
        unit = self.hass.config.units.temperature_unit
        return "FAHRENHEIT" if unit == UnitOfTemperature.FAHRENHEIT else "CELSIUS"


def adapter_for(hass: HomeAssistant, state: State) -> DuerOSEntity | None:
    """The adapter of a state's domain (and device class), or None when DuerOS has no type."""
    cls = ENTITY_ADAPTERS.get(state.domain)
    if cls is None:
        return None
    adapter = cls(hass, state)
    return adapter if adapter.types() else None


def _register(domain: str) -> Callable[[type[DuerOSEntity]], type[DuerOSEntity]]:
    return ENTITY_ADAPTERS.register(domain)


@_register(light.DOMAIN)
class LightEntity(DuerOSEntity):
    appliance_types = ("LIGHT",)
    description = "灯"

    def _modes(self) -> set[str]:
        return set(self.state.attributes.get(light.ATTR_SUPPORTED_COLOR_MODES) or [])

    def actions(self) -> list[str]:
        actions = super().actions()
        modes = self._modes()
        if brightness_supported(modes):
            actions += [
                "setBrightnessPercentage",
                "incrementBrightnessPercentage",
                "decrementBrightnessPercentage",
            ]
        if color_supported(modes):
            actions.append("setColor")
        if color_temp_supported(modes):
            actions += [
                "setColorTemperature",
                "incrementColorTemperature",
                "decrementColorTemperature",
            ]
        return actions

    def brightness_pct(self) -> int:
        raw = self.state.attributes.get(light.ATTR_BRIGHTNESS)
        return round(float(raw) * 100 / 255) if self.is_on and raw is not None else 0

    def kelvin_range(self) -> tuple[int, int]:
        attrs = self.state.attributes
        return (
            int(attrs.get(light.ATTR_MIN_COLOR_TEMP_KELVIN) or 2000),
            int(attrs.get(light.ATTR_MAX_COLOR_TEMP_KELVIN) or 6500),
        )

    def extra_attributes(self) -> list[dict[str, Any]]:
        attrs = []
        actions = self.actions()
        if "setBrightnessPercentage" in actions:
            attrs.append(attribute("brightness", self.brightness_pct(), "%", "[0, 100]"))
        kelvin = self.state.attributes.get(light.ATTR_COLOR_TEMP_KELVIN)
        if "setColorTemperature" in actions and kelvin is not None:
            attrs.append(attribute("colorTemperatureInKelvin", int(kelvin), "K"))
        return attrs


@_register(switch.DOMAIN)
@_register("input_boolean")
class SwitchEntity(DuerOSEntity):
    description = "开关"

    def types(self) -> list[str]:
        if self.state.attributes.get("device_class") == switch.SwitchDeviceClass.OUTLET:
            return ["SOCKET"]
        return ["SWITCH"]


@_register(fan.DOMAIN)
class FanEntity(DuerOSEntity):
    appliance_types = ("FAN",)
    description = "风扇"

    def actions(self) -> list[str]:
        actions = self._on_off(fan.FanEntityFeature.TURN_ON, fan.FanEntityFeature.TURN_OFF)
        if self.features & fan.FanEntityFeature.SET_SPEED:
            actions += ["setFanSpeed", "incrementFanSpeed", "decrementFanSpeed"]
        if self.features & fan.FanEntityFeature.PRESET_MODE:
            actions.append("setMode")
        return actions

    def level(self) -> int:
        pct = _num(self.state.attributes.get(fan.ATTR_PERCENTAGE)) or 0
        return round(pct * FAN_LEVELS / 100) if self.is_on else 0

    def extra_attributes(self) -> list[dict[str, Any]]:
        if "setFanSpeed" in self.actions():
            return [attribute("fanSpeed", self.level(), "", f"[0, {FAN_LEVELS}]")]
        return []


@_register(climate.DOMAIN)
class ClimateEntity(DuerOSEntity):
    appliance_types = ("AIR_CONDITION",)
    description = "空调"

    def actions(self) -> list[str]:
        actions = self._on_off(
            climate.ClimateEntityFeature.TURN_ON, climate.ClimateEntityFeature.TURN_OFF
        )
        if self.features & climate.ClimateEntityFeature.TARGET_TEMPERATURE:
            actions += [
                "setTemperature",
                "incrementTemperature",
                "decrementTemperature",
                "getTargetTemperature",
            ]
        if any(m in DUEROS_MODES for m in self.state.attributes.get(climate.ATTR_HVAC_MODES, [])):
            actions.append("setMode")
        if self.state.attributes.get(climate.ATTR_FAN_MODES):
            actions += ["setFanSpeed", "incrementFanSpeed", "decrementFanSpeed"]
        if self.state.attributes.get(climate.ATTR_CURRENT_TEMPERATURE) is not None:
            actions.append("getTemperatureReading")
        if self.state.attributes.get(climate.ATTR_CURRENT_HUMIDITY) is not None:
            actions.append("getHumidity")
        return actions

    def temperature_range(self) -> tuple[float, float]:
        attrs = self.state.attributes
        return (
            float(attrs.get(climate.ATTR_MIN_TEMP, 7)),
            float(attrs.get(climate.ATTR_MAX_TEMP, 35)),
        )

    def mode(self) -> str:
        return DUEROS_MODES.get(self.state.state, self.state.state.upper())

    def extra_attributes(self) -> list[dict[str, Any]]:
        attrs = [attribute("mode", self.mode())]
        target = self.state.attributes.get(ATTR_TEMPERATURE)
        if target is not None:
            attrs.append(attribute("targetTemperature", target, self.temperature_unit()))
        current = self.state.attributes.get(climate.ATTR_CURRENT_TEMPERATURE)
        if current is not None:
            attrs.append(attribute("temperature", current, self.temperature_unit()))
        return attrs


@_register(water_heater.DOMAIN)
class WaterHeaterEntity(ClimateEntity):
    appliance_types = ("WATER_HEATER",)
    description = "热水器"

    def actions(self) -> list[str]:
        actions = ["getState"]
        if self.features & water_heater.WaterHeaterEntityFeature.ON_OFF:
            actions += ["turnOn", "turnOff"]
        if self.features & water_heater.WaterHeaterEntityFeature.TARGET_TEMPERATURE:
            actions += [
                "setTemperature",
                "incrementTemperature",
                "decrementTemperature",
                "getTargetTemperature",
            ]
        if self.features & water_heater.WaterHeaterEntityFeature.OPERATION_MODE:
            actions.append("setMode")
        if self.state.attributes.get("current_temperature") is not None:
            actions.append("getTemperatureReading")
        return actions

    def mode(self) -> str:
        return self.state.state.upper()


@_register(cover.DOMAIN)
class CoverEntity(DuerOSEntity):
    appliance_types = ("CURTAIN",)
    description = "窗帘"

    @property
    def is_on(self) -> bool:
        return self.state.state in (cover.CoverState.OPEN, cover.CoverState.OPENING)

    def actions(self) -> list[str]:
        features = cover.CoverEntityFeature
        actions = ["getState"]
        if self.features & features.OPEN:
            actions.append("turnOn")
        if self.features & features.CLOSE:
            actions.append("turnOff")
        if self.features & features.STOP:
            actions.append("pause")
        return actions


@_register(humidifier.DOMAIN)
class HumidifierEntity(DuerOSEntity):
    appliance_types = ("HUMIDIFIER",)
    description = "加湿器"

    def actions(self) -> list[str]:
        actions = super().actions()
        if self.features & humidifier.HumidifierEntityFeature.MODES:
            actions.append("setMode")
        if self.state.attributes.get(humidifier.ATTR_CURRENT_HUMIDITY) is not None:
            actions.append("getHumidity")
        return actions


@_register(vacuum.DOMAIN)
class VacuumEntity(DuerOSEntity):
    appliance_types = ("SWEEPING_ROBOT",)
    description = "扫地机器人"

    @property
    def is_on(self) -> bool:
        return self.state.state == vacuum.VacuumActivity.CLEANING

    def actions(self) -> list[str]:
        features = vacuum.VacuumEntityFeature
        actions = ["getState"]
        if self.features & features.START:
            actions.append("turnOn")
        if self.features & features.RETURN_HOME:
            actions.append("turnOff")
        if self.features & features.PAUSE:
            actions.append("pause")
        if self.features & features.PAUSE and self.features & features.START:
            actions.append("continue")
        if self.features & features.FAN_SPEED:
            actions.append("setSuction")
        return actions


@_register(media_player.DOMAIN)
class MediaPlayerEntity(DuerOSEntity):
    appliance_types = ("TV_SET",)
    description = "播放器"

    def actions(self) -> list[str]:
        features = media_player.MediaPlayerEntityFeature
        actions = ["getState"]
        if self.features & features.TURN_ON:
            actions.append("turnOn")
        if self.features & features.TURN_OFF:
            actions.append("turnOff")
        if self.features & features.VOLUME_SET:
            actions += ["setVolume", "incrementVolume", "decrementVolume"]
        if self.features & features.PAUSE:
            actions.append("pause")
        if self.features & features.PLAY:
            actions.append("continue")
        return actions

    def extra_attributes(self) -> list[dict[str, Any]]:
        volume = self.state.attributes.get(media_player.ATTR_MEDIA_VOLUME_LEVEL)
        if volume is None:
            return []
        return [attribute("volume", round(float(volume) * 100), "%", "[0, 100]")]


@_register(lock.DOMAIN)
class LockEntity(DuerOSEntity):
    appliance_types = ("SMARTLOCK",)
    description = "门锁"

    def actions(self) -> list[str]:
        return ["setLockState", "getLockState", "getState"]

    def lock_state(self) -> str:
        return "LOCKED" if self.state.state == lock.LockState.LOCKED else "UNLOCKED"

    def extra_attributes(self) -> list[dict[str, Any]]:
        return [attribute("lockState", self.lock_state(), "", "(LOCKED, UNLOCKED)")]


@_register("scene")
class SceneEntity(DuerOSEntity):
    appliance_types = ("SCENE_TRIGGER",)
    description = "场景"

    def actions(self) -> list[str]:
        return ["turnOn"]


@_register("script")
class ScriptEntity(DuerOSEntity):
    appliance_types = ("ACTIVITY_TRIGGER",)
    description = "场景"

    def actions(self) -> list[str]:
        return ["turnOn", "turnOff"]


# Sensor device classes DuerOS can ask about: device class → (query action, attribute name).
SENSOR_QUERIES: dict[str, tuple[str, str]] = {
    sensor.SensorDeviceClass.TEMPERATURE: ("getTemperatureReading", "temperature"),
    sensor.SensorDeviceClass.HUMIDITY: ("getHumidity", "humidity"),
    sensor.SensorDeviceClass.PM25: ("getAirPM25", "pm2.5"),
    sensor.SensorDeviceClass.AQI: ("getAirQualityIndex", "airQuality"),
}


@_register(sensor.DOMAIN)
class SensorEntity(DuerOSEntity):
    appliance_types = ("SENSOR",)
    description = "传感器"

    def _query(self) -> tuple[str, str] | None:
        return SENSOR_QUERIES.get(str(self.state.attributes.get("device_class")))

    def types(self) -> list[str]:
        return ["SENSOR"] if self._query() else []

    def actions(self) -> list[str]:
        query = self._query()
        return [query[0], "getState"] if query else []

    def extra_attributes(self) -> list[dict[str, Any]]:
        query = self._query()
        value = _num(self.state.state)
        if query is None or value is None:
            return []
        unit = str(self.state.attributes.get(ATTR_UNIT_OF_MEASUREMENT) or "")
        return [attribute(query[1], value, unit)]
