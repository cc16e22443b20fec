"""Query handlers (DuerOS.ConnectedHome.Query): read states, call no service."""

from __future__ import annotations

from typing import Any

from homeassistant.components.climate import const as climate
from homeassistant.const import ATTR_TEMPERATURE
from homeassistant.core import Context, HomeAssistant

from .const import ERR_UNABLE_TO_GET
from .entities import ClimateEntity, DuerOSEntity, LockEntity, SensorEntity
from .handlers import HANDLERS, state_response
from .messages import Directive, DuerOSError, Response


def _reading(entity: DuerOSEntity, attr: str) -> float:
    """A sensor's state, or an attribute of another entity, as a number."""
    if isinstance(entity, SensorEntity):
        raw: Any = entity.state.state
    else:
        raw = entity.state.attributes.get(attr)
    try:
        return float(raw)
    except TypeError, ValueError:
        raise DuerOSError(ERR_UNABLE_TO_GET, {"errorInfo": {"code": "NOT_CALIBRATED"}}) from None


@HANDLERS.register("GetTemperatureReadingRequest")
async def get_temperature_reading(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    value = _reading(entity, climate.ATTR_CURRENT_TEMPERATURE)
    return Response({"temperatureReading": {"value": value, "scale": entity.temperature_unit()}})


@HANDLERS.register("GetTargetTemperatureRequest")
async def get_target_temperature(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    assert isinstance(entity, ClimateEntity)
    value = _reading(entity, ATTR_TEMPERATURE)
    return Response(
        {
            "targetTemperature": {"value": value, "scale": entity.temperature_unit()},
            "temperatureMode": {"value": entity.mode()},
        }
    )


@HANDLERS.register("GetHumidityRequest")
async def get_humidity(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    value = _reading(entity, climate.ATTR_CURRENT_HUMIDITY)
    return Response({"humidity": {"value": value}})


@HANDLERS.register("GetAirPM25Request")
async def get_air_pm25(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return Response({"PM25": {"value": _reading(entity, "")}})


@HANDLERS.register("GetAirQualityIndexRequest")
async def get_air_quality_index(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return Response({"AQI": {"value": _reading(entity, "")}})


@HANDLERS.register("GetLockStateRequest")
async def get_lock_state(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    assert isinstance(entity, LockEntity)
    return Response({"lockState": {"value": entity.lock_state()}})


@HANDLERS.register("GetStateRequest")
@HANDLERS.register("ReportStateRequest")
async def get_state(
    hass: HomeAssistant, directive: Directive, entity: DuerOSEntity, context: Context
) -> Response:
    return state_response(entity)
