"""Handlers: one per DuerOS request name, each calling Home Assistant services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components.climate import const as climate
from homeassistant.components.cover import const as cover
from homeassistant.components.fan import const as fan
from homeassistant.components.humidifier import const as humidifier
from homeassistant.components.light import const as light
from homeassistant.components.lock import const as lock
from homeassistant.components.media_player import const as media_player
from homeassistant.components.vacuum import const as vacuum
from homeassistant.components.water_heater import const as water_heater
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TEMPERATURE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceNotFound
from homeassistant.util.decorator import Registry

from .const import (
    ERR_NOT_SUPPORTED_IN_MODE,
    ERR_UNABLE_TO_GET,
    ERR_UNABLE_TO_SET,
    ERR_UNSUPPORTED_OPERATION,
    ERR_UNSUPPORTED_SETTING,
    NAMESPACE_QUERY,
)
from .entities import (
    DUEROS_MODES,
    FAN_LEVELS,
    HVAC_MODES,
    ClimateEntity,
    DuerOSEntity,
    FanEntity,
    LightEntity,
    LockEntity,
)
from .messages import Directive, DuerOSError, Response, value_out_of_range

type Handler = Callable[[HomeAssistant, Directive, DuerOSEntity, Context], Awaitable[Response]]

HANDLERS: Registry[str, Handler] = Registry()

# The action an appliance must list for a request to be accepted (GetState/ReportState: any).
REQUEST_ACTIONS: dict[str, str | None] = {
    "GetStateRequest": None,
    "ReportStateRequest": None,
    "ContinueRequest": "continue",
    "SetSuctionRequest": "setSuction",
}


def required_action(name: str) -> str | None:
    """`SetBrightnessPercentageRequest` needs the `setBrightnessPercentage` action."""
    if name in REQUEST_ACTIONS:
        return REQUEST_ACTIONS[name]
    base = name.removesuffix("Request")
    return base[:1].lower() + base[1:]


async def call(
    hass: HomeAssistant,
    domain: str,
    service: str,
    entity: DuerOSEntity,
    context: Context,
    **data: Any,
) -> None:
    """Call a service on the entity, turning Home Assistant's errors into DuerOS's."""
    try:
        await hass.services.async_call(
            domain,
            service,
            {ATTR_ENTITY_ID: entity.entity_id, **data},
            blocking=True,
            context=context,
        )
    except ServiceNotFound as err:
        raise DuerOSError(ERR_UNSUPPORTED_OPERATION) from err
    except HomeAssistantError as err:
        raise DuerOSError(
            ERR_UNABLE_TO_SET, {"errorInfo": {"code": "DEVICE_BUSY", "description": str(err)[:256]}}
        ) from err


def _fresh(hass: HomeAssistant, entity: DuerOSEntity) -> DuerOSEntity:
    state = hass.states.get(entity.entity_id)
    return type(entity)(hass, state) if state is not None else entity


def _check(value: float, low: float, high: float) -> float:
    if not low <= value <= high:
        raise value_out_of_range(low, high)
    return value


def _delta(directive: Directive, *keys: str, default: float = 1) -> float:
    for key in keys:
        if key in directive.payload:
            return directive.number(key)
    return default


def state_response(entity: DuerOSEntity, turned: str | None = None) -> Response:
    """The appliance's attributes; after TurnOn/TurnOff its on/off state is the one asked for
    (some entities write their new state a moment after the service call returns)."""
    attributes = entity.attributes()
    if turned is not None:
        for item in attributes:
            if item["name"] == "turnOnState":
                item["value"] = turned
    return Response({"attributes": attributes})


# --- on/off -------------------------------------------------------------------------------

_ON_SERVICES: dict[str, tuple[str, str]] = {
    cover.DOMAIN: ("open_cover", "close_cover"),
    vacuum.DOMAIN: (vacuum.SERVICE_START, vacuum.SERVICE_RETURN_TO_BASE),
}


@HANDLERS.register("TurnOnRequest")
async def turn_on(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    service = _ON_SERVICES.get(entity.domain, ("turn_on", "turn_off"))[0]
    await call(hass, entity.domain, service, entity, context)
    return state_response(_fresh(hass, entity), "ON")


@HANDLERS.register("TurnOffRequest")
async def turn_off(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    service = _ON_SERVICES.get(entity.domain, ("turn_on", "turn_off"))[1]
    await call(hass, entity.domain, service, entity, context)
    return state_response(_fresh(hass, entity), "OFF")


@HANDLERS.register("PauseRequest")
async def pause(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    services = {
        cover.DOMAIN: "stop_cover",
        vacuum.DOMAIN: vacuum.SERVICE_PAUSE,
        media_player.DOMAIN: "media_pause",
    }
    await call(hass, entity.domain, services[entity.domain], entity, context)
    return Response()


@HANDLERS.register("ContinueRequest")
async def continue_(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    services = {vacuum.DOMAIN: vacuum.SERVICE_START, media_player.DOMAIN: "media_play"}
    await call(hass, entity.domain, services[entity.domain], entity, context)
    return Response()


# --- light --------------------------------------------------------------------------------


async def _set_brightness(
    hass: HomeAssistant, entity: DuerOSEntity, context: Context, pct: float
) -> Response:
    assert isinstance(entity, LightEntity)
    previous = entity.brightness_pct()
    _check(pct, 0, 100)
    if pct == 0:
        await call(hass, light.DOMAIN, "turn_off", entity, context)
    else:
        await call(hass, light.DOMAIN, "turn_on", entity, context, brightness_pct=round(pct))
    now = _fresh(hass, entity)
    assert isinstance(now, LightEntity)
    return Response(
        {
            "brightness": {"value": now.brightness_pct()},
            "previousState": {"brightness": {"value": previous}},
            "attributes": now.attributes(),
        }
    )


@HANDLERS.register("SetBrightnessPercentageRequest")
async def set_brightness(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_brightness(hass, entity, context, directive.number("brightness"))


@HANDLERS.register("IncrementBrightnessPercentageRequest")
async def increment_brightness(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    assert isinstance(entity, LightEntity)
    delta = directive.number("deltaPercentage")
    return await _set_brightness(hass, entity, context, min(100, entity.brightness_pct() + delta))


@HANDLERS.register("DecrementBrightnessPercentageRequest")
async def decrement_brightness(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    assert isinstance(entity, LightEntity)
    delta = directive.number("deltaPercentage")
    return await _set_brightness(hass, entity, context, max(1, entity.brightness_pct() - delta))


@HANDLERS.register("SetColorRequest")
async def set_color(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    hue = _check(directive.number("color", "hue"), 0, 360)
    saturation = _check(directive.number("color", "saturation"), 0, 1)
    data: dict[str, Any] = {light.ATTR_HS_COLOR: (hue, saturation * 100)}
    if "brightness" in directive.payload.get("color", {}):
        data[light.ATTR_BRIGHTNESS_PCT] = round(
            _check(directive.number("color", "brightness"), 0, 1) * 100
        )
    await call(hass, light.DOMAIN, "turn_on", entity, context, **data)
    return Response({"achievedState": {"color": directive.payload["color"]}})


async def _set_kelvin(
    hass: HomeAssistant, entity: DuerOSEntity, context: Context, kelvin: float
) -> Response:
    assert isinstance(entity, LightEntity)
    low, high = entity.kelvin_range()
    _check(kelvin, low, high)
    previous = entity.state.attributes.get(light.ATTR_COLOR_TEMP_KELVIN)
    await call(hass, light.DOMAIN, "turn_on", entity, context, color_temp_kelvin=round(kelvin))
    now = _fresh(hass, entity).state.attributes.get(light.ATTR_COLOR_TEMP_KELVIN)
    return Response(
        {
            "colorTemperatureInKelvin": {"value": now},
            "previousState": {"colorTemperatureInKelvin": {"value": previous}},
        }
    )


@HANDLERS.register("SetColorTemperatureRequest")
async def set_color_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_kelvin(hass, entity, context, directive.number("colorTemperatureInKelvin"))


def _kelvin_step(entity: DuerOSEntity, directive: Directive, sign: int) -> float:
    assert isinstance(entity, LightEntity)
    low, high = entity.kelvin_range()
    current = float(entity.state.attributes.get(light.ATTR_COLOR_TEMP_KELVIN) or (low + high) / 2)
    pct = _delta(directive, "deltaPercentage", default=10)
    return min(high, max(low, current + sign * (high - low) * pct / 100))


@HANDLERS.register("IncrementColorTemperatureRequest")
async def increment_color_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_kelvin(hass, entity, context, _kelvin_step(entity, directive, 1))


@HANDLERS.register("DecrementColorTemperatureRequest")
async def decrement_color_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_kelvin(hass, entity, context, _kelvin_step(entity, directive, -1))


# --- temperature (climate, water heater) --------------------------------------------------


def _target(entity: DuerOSEntity) -> float | None:
    value = entity.state.attributes.get(ATTR_TEMPERATURE)
    return float(value) if value is not None else None


async def _set_temperature(
    hass: HomeAssistant, entity: DuerOSEntity, context: Context, value: float
) -> Response:
    assert isinstance(entity, ClimateEntity)
    if entity.domain == climate.DOMAIN and entity.state.state == climate.HVACMode.OFF:
        raise DuerOSError("UnwillingToSetValueError", {"errorInfo": {"code": "ThermostatIsOff"}})
    low, high = entity.temperature_range()
    _check(value, low, high)
    previous = {"temperature": {"value": _target(entity)}, "mode": {"value": entity.mode()}}
    await call(hass, entity.domain, "set_temperature", entity, context, temperature=value)
    now = _fresh(hass, entity)
    assert isinstance(now, ClimateEntity)
    return Response(
        {
            "temperature": {"value": _target(now)},
            "mode": {"value": now.mode()},
            "previousState": previous,
        }
    )


@HANDLERS.register("SetTemperatureRequest")
async def set_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_temperature(hass, entity, context, directive.number("targetTemperature"))


async def _step_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context, sign: int
) -> Response:
    current = _target(entity)
    if current is None:
        raise DuerOSError(ERR_UNABLE_TO_GET, {"errorInfo": {"code": "NOT_CALIBRATED"}})
    delta = _delta(directive, "deltaTemperature", "deltaValue")
    return await _set_temperature(hass, entity, context, current + sign * delta)


@HANDLERS.register("IncrementTemperatureRequest")
async def increment_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _step_temperature(hass, directive, entity, context, 1)


@HANDLERS.register("DecrementTemperatureRequest")
async def decrement_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _step_temperature(hass, directive, entity, context, -1)


# --- mode ---------------------------------------------------------------------------------


@HANDLERS.register("SetModeRequest")
async def set_mode(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    wanted = str(directive.value("mode")).upper()
    attrs = entity.state.attributes
    previous = entity.state.state
    if entity.domain == climate.DOMAIN:
        hvac = HVAC_MODES.get(wanted)
        if hvac is None or hvac not in attrs.get(climate.ATTR_HVAC_MODES, []):
            raise DuerOSError(ERR_UNSUPPORTED_SETTING)
        previous = DUEROS_MODES.get(previous, previous.upper())
        await call(hass, climate.DOMAIN, "set_hvac_mode", entity, context, hvac_mode=hvac)
        return Response({"mode": {"value": wanted}, "previousState": {"mode": {"value": previous}}})
    services = {
        fan.DOMAIN: ("set_preset_mode", fan.ATTR_PRESET_MODES, fan.ATTR_PRESET_MODE),
        humidifier.DOMAIN: ("set_mode", humidifier.ATTR_AVAILABLE_MODES, "mode"),
        water_heater.DOMAIN: (
            "set_operation_mode",
            "operation_list",
            "operation_mode",
        ),
    }
    service, list_attr, data_attr = services[entity.domain]
    modes = {str(m).upper(): m for m in attrs.get(list_attr) or []}
    if wanted not in modes:
        raise DuerOSError(ERR_UNSUPPORTED_SETTING)
    before = attrs.get(data_attr) or previous
    await call(hass, entity.domain, service, entity, context, **{data_attr: modes[wanted]})
    return Response(
        {"mode": {"value": wanted}, "previousState": {"mode": {"value": str(before).upper()}}}
    )


# --- fan speed ----------------------------------------------------------------------------


def _fan_level(entity: DuerOSEntity) -> int:
    if isinstance(entity, FanEntity):
        return entity.level()
    modes = list(entity.state.attributes.get(climate.ATTR_FAN_MODES) or [])
    current = entity.state.attributes.get(climate.ATTR_FAN_MODE)
    return modes.index(current) + 1 if current in modes else 1


async def _set_fan_level(
    hass: HomeAssistant, entity: DuerOSEntity, context: Context, level: float
) -> Response:
    previous = _fan_level(entity)
    if isinstance(entity, FanEntity):
        _check(level, 1, FAN_LEVELS)
        await call(
            hass,
            fan.DOMAIN,
            "set_percentage",
            entity,
            context,
            percentage=round(level * 100 / FAN_LEVELS),
        )
    else:
        modes = list(entity.state.attributes.get(climate.ATTR_FAN_MODES) or [])
        _check(level, 1, len(modes))
        await call(
            hass, climate.DOMAIN, "set_fan_mode", entity, context, fan_mode=modes[int(level) - 1]
        )
    now = _fresh(hass, entity)
    return Response(
        {"fanSpeed": {"value": _fan_level(now)}, "previousState": {"fanSpeed": {"value": previous}}}
    )


@HANDLERS.register("SetFanSpeedRequest")
async def set_fan_speed(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_fan_level(hass, entity, context, directive.number("fanSpeed"))


@HANDLERS.register("IncrementFanSpeedRequest")
async def increment_fan_speed(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    top = (
        FAN_LEVELS
        if isinstance(entity, FanEntity)
        else len(entity.state.attributes.get(climate.ATTR_FAN_MODES) or [])
    )
    step = _delta(directive, "deltaValue")
    return await _set_fan_level(hass, entity, context, min(top, _fan_level(entity) + step))


@HANDLERS.register("DecrementFanSpeedRequest")
async def decrement_fan_speed(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    step = _delta(directive, "deltaValue")
    return await _set_fan_level(hass, entity, context, max(1, _fan_level(entity) - step))


@HANDLERS.register("SetSuctionRequest")
async def set_suction(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    speeds = list(entity.state.attributes.get("fan_speed_list") or [])
    wanted = str(directive.value("suction"))
    match = next((s for s in speeds if s.upper() == wanted.upper()), None)
    if match is None:
        raise DuerOSError(ERR_UNSUPPORTED_SETTING)
    await call(hass, vacuum.DOMAIN, "set_fan_speed", entity, context, fan_speed=match)
    return Response({"suction": {"value": wanted}})


# --- volume -------------------------------------------------------------------------------


def _volume(entity: DuerOSEntity) -> int:
    return round(
        float(entity.state.attributes.get(media_player.ATTR_MEDIA_VOLUME_LEVEL) or 0) * 100
    )


async def _set_volume(
    hass: HomeAssistant, entity: DuerOSEntity, context: Context, value: float
) -> Response:
    _check(value, 0, 100)
    previous = _volume(entity)
    await call(hass, media_player.DOMAIN, "volume_set", entity, context, volume_level=value / 100)
    return Response(
        {
            "volume": {"value": _volume(_fresh(hass, entity))},
            "previousState": {"volume": {"value": previous}},
        }
    )


@HANDLERS.register("SetVolumeRequest")
async def set_volume(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return await _set_volume(hass, entity, context, directive.number("volume"))


@HANDLERS.register("IncrementVolumeRequest")
async def increment_volume(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    step = _delta(directive, "deltaVolume", default=10)
    return await _set_volume(hass, entity, context, min(100, _volume(entity) + step))


@HANDLERS.register("DecrementVolumeRequest")
async def decrement_volume(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    step = _delta(directive, "deltaVolume", default=10)
    return await _set_volume(hass, entity, context, max(0, _volume(entity) - step))


# --- lock ---------------------------------------------------------------------------------


@HANDLERS.register("SetLockStateRequest")
async def set_lock_state(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    assert isinstance(entity, LockEntity)
    wanted = str(directive.value("lockState")).upper()
    services = {"LOCKED": "lock", "UNLOCKED": "unlock"}
    if wanted not in services:
        raise DuerOSError(ERR_UNSUPPORTED_SETTING)
    await call(hass, lock.DOMAIN, services[wanted], entity, context)
    now = _fresh(hass, entity)
    assert isinstance(now, LockEntity)
    return Response({"lockState": {"value": now.lock_state()}})


def check_mode(entity: DuerOSEntity, directive: Directive) -> None:
    """A fan speed change a climate entity that is off cannot take."""
    if (
        directive.namespace != NAMESPACE_QUERY
        and entity.domain == climate.DOMAIN
        and directive.name.endswith("FanSpeedRequest")
        and entity.state.state == climate.HVACMode.OFF
    ):
        raise DuerOSError(ERR_NOT_SUPPORTED_IN_MODE, {"currentDeviceMode": "OTHER"})
