"""Control: every DuerOS control request against Home Assistant's demo entities."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miot_connect.dueros.const import CONF_INCLUDE

from .conftest import Send

OFF_TARGET = {"entity_id": "switch.decorative_lights"}


def attr(hass: HomeAssistant, entity_id: str, name: str) -> Any:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.attributes.get(name)


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def control(send: Send, name: str, entity_id: str, **payload: Any) -> dict[str, Any]:
    answer = await send(name, entity_id, **payload)
    assert answer["header"]["name"] == name.removesuffix("Request") + "Confirmation", answer
    assert answer["header"]["namespace"] == "DuerOS.ConnectedHome.Control"
    payload_out: dict[str, Any] = answer["payload"]
    return payload_out


@pytest.mark.parametrize(
    ("entity_id", "on", "off"),
    [
        ("light.bed_light", "on", "off"),
        ("switch.ac", "on", "off"),
        ("fan.living_room_fan", "on", "off"),
        ("humidifier.dehumidifier", "on", "off"),
        ("media_player.walkman", "playing", "off"),
        ("water_heater.demo_water_heater", "eco", "off"),
        ("climate.hvac", "heat", "off"),
    ],
)
async def test_turn_on_off(
    hass: HomeAssistant, send: Send, entity_id: str, on: str, off: str
) -> None:
    await control(send, "TurnOffRequest", entity_id)
    assert state_of(hass, entity_id) == off
    result = await control(send, "TurnOnRequest", entity_id)
    assert state_of(hass, entity_id) == on
    values = {a["name"]: a["value"] for a in result["attributes"]}
    assert values["turnOnState"] == "ON"


async def test_cover_open_close_pause(hass: HomeAssistant, send: Send) -> None:
    await control(send, "TurnOnRequest", "cover.kitchen_window")
    assert state_of(hass, "cover.kitchen_window") in ("opening", "open")
    await control(send, "PauseRequest", "cover.kitchen_window")
    assert state_of(hass, "cover.kitchen_window") == "open"
    await control(send, "TurnOffRequest", "cover.kitchen_window")
    assert state_of(hass, "cover.kitchen_window") in ("closing", "closed")
    await control(send, "PauseRequest", "cover.kitchen_window")


async def test_vacuum(hass: HomeAssistant, send: Send) -> None:
    vacuum = "vacuum.demo_vacuum_0_ground_floor"
    await control(send, "TurnOnRequest", vacuum)
    assert state_of(hass, vacuum) == "cleaning"
    await control(send, "PauseRequest", vacuum)
    assert state_of(hass, vacuum) == "paused"
    await control(send, "ContinueRequest", vacuum)
    assert state_of(hass, vacuum) == "cleaning"
    speeds = attr(hass, vacuum, "fan_speed_list")
    await control(send, "SetSuctionRequest", vacuum, suction={"value": speeds[-1]})
    assert attr(hass, vacuum, "fan_speed") == speeds[-1]
    answer = await send("SetSuctionRequest", vacuum, suction={"value": "WARP"})
    assert answer["header"]["name"] == "UnsupportedTargetSettingError"
    await control(send, "TurnOffRequest", vacuum)
    assert state_of(hass, vacuum) == "returning"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done()
    assert state_of(hass, vacuum) == "docked"


async def test_brightness(hass: HomeAssistant, send: Send) -> None:
    light = "light.ceiling_lights"
    result = await control(send, "SetBrightnessPercentageRequest", light, brightness={"value": 40})
    assert result["brightness"] == {"value": 40}
    assert result["previousState"] == {"brightness": {"value": 71}}
    assert attr(hass, light, "brightness") == 102
    result = await control(
        send, "IncrementBrightnessPercentageRequest", light, deltaPercentage={"value": 30}
    )
    assert result["brightness"] == {"value": 70}
    await control(
        send, "DecrementBrightnessPercentageRequest", light, deltaPercentage={"value": 90}
    )
    assert attr(hass, light, "brightness") == 3  # 1 %: decrement never turns the light off
    await control(send, "SetBrightnessPercentageRequest", light, brightness={"value": 0})
    assert state_of(hass, light) == "off"
    answer = await send("SetBrightnessPercentageRequest", light, brightness={"value": 120})
    assert answer["header"]["name"] == "ValueOutOfRangeError"
    assert answer["payload"] == {"minimumValue": 0, "maximumValue": 100}


async def test_color_and_color_temperature(hass: HomeAssistant, send: Send) -> None:
    light = "light.kitchen_lights"
    color = {"hue": 120, "saturation": 0.5, "brightness": 0.6}
    result = await control(send, "SetColorRequest", light, color=color)
    assert result["achievedState"] == {"color": color}
    assert attr(hass, light, "hs_color") == (120, 50)
    assert attr(hass, light, "brightness") == 153
    result = await control(
        send, "SetColorTemperatureRequest", light, colorTemperatureInKelvin={"value": 4000}
    )
    assert attr(hass, light, "color_temp_kelvin") == 4000
    assert result["colorTemperatureInKelvin"] == {"value": 4000}
    await control(send, "IncrementColorTemperatureRequest", light, deltaPercentage={"value": 10})
    warmer = attr(hass, light, "color_temp_kelvin")
    assert warmer > 4000
    await control(send, "DecrementColorTemperatureRequest", light)
    assert attr(hass, light, "color_temp_kelvin") < warmer
    low = attr(hass, light, "min_color_temp_kelvin")
    answer = await send(
        "SetColorTemperatureRequest", light, colorTemperatureInKelvin={"value": low - 100}
    )
    assert answer["header"]["name"] == "ValueOutOfRangeError"
    answer = await send("SetColorRequest", light, color={"hue": 400, "saturation": 1})
    assert answer["payload"] == {"minimumValue": 0, "maximumValue": 360}


async def test_temperature(hass: HomeAssistant, send: Send) -> None:
    hvac = "climate.hvac"
    result = await control(send, "SetTemperatureRequest", hvac, targetTemperature={"value": 24})
    assert attr(hass, hvac, "temperature") == 24
    assert result == {
        "temperature": {"value": 24},
        "mode": {"value": "COOL"},
        "previousState": {"temperature": {"value": 21}, "mode": {"value": "COOL"}},
    }
    await control(send, "IncrementTemperatureRequest", hvac, deltaTemperature={"value": 2})
    assert attr(hass, hvac, "temperature") == 26
    await control(send, "DecrementTemperatureRequest", hvac)
    assert attr(hass, hvac, "temperature") == 25
    answer = await send("SetTemperatureRequest", hvac, targetTemperature={"value": 99})
    assert answer["header"]["name"] == "ValueOutOfRangeError"
    assert answer["payload"] == {"minimumValue": 7.0, "maximumValue": 35.0}
    await control(send, "TurnOffRequest", hvac)
    answer = await send("SetTemperatureRequest", hvac, targetTemperature={"value": 20})
    assert answer["header"]["name"] == "UnwillingToSetValueError"
    answer = await send("SetFanSpeedRequest", hvac, fanSpeed={"value": 1})
    assert answer["header"]["name"] == "NotSupportedInCurrentModeError"


async def test_water_heater(hass: HomeAssistant, send: Send) -> None:
    heater = "water_heater.demo_water_heater_celsius"
    await control(send, "SetTemperatureRequest", heater, targetTemperature={"value": 50})
    assert attr(hass, heater, "temperature") == 50
    await control(send, "IncrementTemperatureRequest", heater, deltaValue={"value": 3})
    assert attr(hass, heater, "temperature") == 53
    await control(send, "SetModeRequest", heater, mode={"value": "GAS"})
    assert attr(hass, heater, "operation_mode") == "gas"


async def test_modes(hass: HomeAssistant, send: Send) -> None:
    result = await control(send, "SetModeRequest", "climate.hvac", mode={"value": "HEAT"})
    assert result == {"mode": {"value": "HEAT"}, "previousState": {"mode": {"value": "COOL"}}}
    assert state_of(hass, "climate.hvac") == "heat"
    await control(send, "SetModeRequest", "climate.hvac", mode={"value": "DEHUMIDIFICATION"})
    assert state_of(hass, "climate.hvac") == "dry"
    answer = await send("SetModeRequest", "climate.hvac", mode={"value": "SLEEP"})
    assert answer["header"]["name"] == "UnsupportedTargetSettingError"
    await control(send, "SetModeRequest", "humidifier.hygrostat", mode={"value": "ECO"})
    assert attr(hass, "humidifier.hygrostat", "mode") == "eco"
    await control(send, "SetModeRequest", "fan.preset_only_limited_fan", mode={"value": "SMART"})
    assert attr(hass, "fan.preset_only_limited_fan", "preset_mode") == "smart"
    answer = await send("SetModeRequest", "fan.preset_only_limited_fan", mode={"value": "X"})
    assert answer["header"]["name"] == "UnsupportedTargetSettingError"


async def test_fan_speed(hass: HomeAssistant, send: Send) -> None:
    fan = "fan.percentage_full_fan"
    result = await control(send, "SetFanSpeedRequest", fan, fanSpeed={"value": 5})
    assert attr(hass, fan, "percentage") == 50
    assert result["fanSpeed"] == {"value": 5}
    await control(send, "IncrementFanSpeedRequest", fan, deltaValue={"value": 2})
    assert attr(hass, fan, "percentage") == 70
    await control(send, "DecrementFanSpeedRequest", fan)
    assert attr(hass, fan, "percentage") == 60
    answer = await send("SetFanSpeedRequest", fan, fanSpeed={"value": 11})
    assert answer["payload"] == {"minimumValue": 1, "maximumValue": 10}
    hvac = "climate.hvac"
    modes = attr(hass, hvac, "fan_modes")
    await control(send, "SetFanSpeedRequest", hvac, fanSpeed={"value": 1})
    assert attr(hass, hvac, "fan_mode") == modes[0]
    await control(send, "IncrementFanSpeedRequest", hvac)
    assert attr(hass, hvac, "fan_mode") == modes[1]
    await control(send, "DecrementFanSpeedRequest", hvac)
    assert attr(hass, hvac, "fan_mode") == modes[0]


async def test_volume_and_playback(hass: HomeAssistant, send: Send) -> None:
    player = "media_player.walkman"
    result = await control(send, "SetVolumeRequest", player, volume={"value": 40})
    assert attr(hass, player, "volume_level") == 0.4
    assert result["previousState"] == {"volume": {"value": 100}}
    await control(send, "IncrementVolumeRequest", player, deltaVolume={"value": 20})
    assert attr(hass, player, "volume_level") == 0.6
    await control(send, "DecrementVolumeRequest", player)
    assert attr(hass, player, "volume_level") == 0.5
    await control(send, "PauseRequest", player)
    assert state_of(hass, player) == "paused"
    await control(send, "ContinueRequest", player)
    assert state_of(hass, player) == "playing"


@pytest.mark.parametrize("dueros_options", [{CONF_INCLUDE: ["script.night"]}])
async def test_scene_and_script(hass: HomeAssistant, send: Send) -> None:
    """Scenes and scripts are triggers; turning one on runs it."""
    assert await async_setup_component(
        hass,
        "scene",
        {"scene": [{"name": "回家模式", "entities": {"switch.ac": "on"}}]},
    )
    assert await async_setup_component(
        hass,
        "script",
        {"script": {"night": {"sequence": [{"action": "switch.turn_off", "target": OFF_TARGET}]}}},
    )
    await hass.async_block_till_done()
    answer = await send("DiscoverAppliancesRequest")
    found = {a["applianceId"]: a for a in answer["payload"]["discoveredAppliances"]}
    assert found["scene.hui_jia_mo_shi"]["applianceTypes"] == ["SCENE_TRIGGER"]
    assert "场景" in found["scene.hui_jia_mo_shi"]["friendlyDescription"]
    assert found["script.night"]["applianceTypes"] == ["ACTIVITY_TRIGGER"]
    await control(send, "TurnOnRequest", "scene.hui_jia_mo_shi")
    assert state_of(hass, "switch.ac") == "on"
    await control(send, "TurnOnRequest", "script.night")
    await hass.async_block_till_done()
    assert state_of(hass, "switch.decorative_lights") == "off"


@pytest.mark.parametrize("dueros_options", [{CONF_INCLUDE: ["lock.front_door"]}])
async def test_lock(hass: HomeAssistant, send: Send) -> None:
    result = await control(
        send, "SetLockStateRequest", "lock.front_door", lockState={"value": "UNLOCKED"}
    )
    assert state_of(hass, "lock.front_door") == "unlocked"
    assert result == {"lockState": {"value": "UNLOCKED"}}
    await control(send, "SetLockStateRequest", "lock.front_door", lockState={"value": "LOCKED"})
    assert state_of(hass, "lock.front_door") == "locked"
    answer = await send("SetLockStateRequest", "lock.front_door", lockState={"value": "AJAR"})
    assert answer["header"]["name"] == "UnsupportedTargetSettingError"
    answer = await send("GetLockStateRequest", "lock.front_door")
    assert answer["header"]["name"] == "GetLockStateResponse"
    assert answer["payload"] == {"lockState": {"value": "LOCKED"}}
