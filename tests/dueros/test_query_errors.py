"""Query requests, and every error the bridge answers with (never an HTTP 500)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import jwt
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miot_connect.dueros.const import SERVICE_PATH

from .conftest import Send, directive


async def test_queries(hass: HomeAssistant, send: Send) -> None:
    answer = await send("GetTemperatureReadingRequest", "climate.hvac")
    assert answer["header"]["name"] == "GetTemperatureReadingResponse"
    assert answer["header"]["namespace"] == "DuerOS.ConnectedHome.Query"
    assert answer["payload"] == {"temperatureReading": {"value": 22.0, "scale": "CELSIUS"}}
    answer = await send("GetTargetTemperatureRequest", "climate.hvac")
    assert answer["payload"] == {
        "targetTemperature": {"value": 21.0, "scale": "CELSIUS"},
        "temperatureMode": {"value": "COOL"},
    }
    answer = await send("GetHumidityRequest", "climate.hvac")
    assert answer["payload"] == {"humidity": {"value": 54.2}}
    answer = await send("GetTemperatureReadingRequest", "sensor.outside_temperature")
    assert answer["payload"]["temperatureReading"]["value"] == 15.6
    answer = await send("GetHumidityRequest", "sensor.outside_humidity")
    assert answer["payload"] == {"humidity": {"value": 54.0}}
    answer = await send("GetStateRequest", "light.ceiling_lights")
    assert answer["header"]["name"] == "GetStateResponse"
    values = {a["name"]: a["value"] for a in answer["payload"]["attributes"]}
    assert values["turnOnState"] == "ON"
    state = hass.states.get("light.ceiling_lights")
    assert state is not None
    stamps = {a["timestampOfSample"] for a in answer["payload"]["attributes"]}
    assert stamps == {int(state.last_updated.timestamp())}
    assert values["brightness"] == 71
    answer = await send("ReportStateRequest", "switch.ac")
    assert answer["header"]["name"] == "ReportStateResponse"


async def test_air_quality_queries(hass: HomeAssistant, send: Send) -> None:
    """PM2.5 and AQI sensors (set as states, exposed through the include list)."""
    hass.states.async_set(
        "sensor.pm25", "35", {"device_class": "pm25", "unit_of_measurement": "µg/m³"}
    )
    hass.states.async_set("sensor.aqi", "52", {"device_class": "aqi"})
    entry = hass.config_entries.async_entries("miot_connect")[0]
    hass.config_entries.async_update_entry(
        entry, options={"include_entities": ["sensor.pm25", "sensor.aqi"]}
    )
    await hass.async_block_till_done()
    answer = await send("GetAirPM25Request", "sensor.pm25")
    assert answer["payload"] == {"PM25": {"value": 35.0}}
    answer = await send("GetAirQualityIndexRequest", "sensor.aqi")
    assert answer["payload"] == {"AQI": {"value": 52.0}}
    hass.states.async_set("sensor.aqi", "not a number", {"device_class": "aqi"})
    answer = await send("GetAirQualityIndexRequest", "sensor.aqi")
    assert answer["header"]["name"] == "UnableToGetValueError"


@pytest.mark.parametrize(
    ("name", "appliance_id", "payload", "error"),
    [
        ("TurnOnRequest", "light.nowhere", {}, "UnsupportedTargetError"),
        ("TurnOnRequest", "sensor.outside_temperature_battery", {}, "UnsupportedTargetError"),
        ("SetTemperatureRequest", "light.bed_light", {}, "UnsupportedOperationError"),
        ("GetLockStateRequest", "light.bed_light", {}, "UnsupportedOperationError"),
        ("TimingTurnOnRequest", "light.bed_light", {}, "UnsupportedOperationError"),
        ("FlyToTheMoonRequest", "light.bed_light", {}, "UnsupportedOperationError"),
        (
            "SetBrightnessPercentageRequest",
            "light.bed_light",
            {},
            "UnexpectedInformationReceivedError",
        ),
        (
            "SetBrightnessPercentageRequest",
            "light.bed_light",
            {"brightness": {"value": "x"}},
            "UnexpectedInformationReceivedError",
        ),
        (
            "SetBrightnessPercentageRequest",
            "light.bed_light",
            {"brightness": {"value": True}},
            "UnexpectedInformationReceivedError",
        ),
        ("GetTargetTemperatureRequest", "climate.ecobee", {}, "UnsupportedOperationError"),
        ("TurnOnRequest", None, {}, "UnexpectedInformationReceivedError"),
    ],
)
async def test_errors(
    send: Send, name: str, appliance_id: str | None, payload: dict[str, Any], error: str
) -> None:
    answer = await send(name, appliance_id, **payload)
    assert answer["header"]["name"] == error
    if error == "UnexpectedInformationReceivedError":
        assert "faultingParameter" in answer["payload"]


@pytest.mark.parametrize("token", [None, "not-a-token", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
async def test_invalid_token(send: Send, token: str | None) -> None:
    """Missing, garbage or foreign tokens: InvalidAccessTokenError in the request's namespace."""
    for name, appliance in (("DiscoverAppliancesRequest", None), ("TurnOnRequest", "switch.ac")):
        answer = await send(name, appliance, token=token)
        assert answer["header"]["name"] == "InvalidAccessTokenError"
        assert answer["payload"] == {}


async def test_revoked_token(hass: HomeAssistant, send: Send, hass_access_token: str) -> None:
    """A token whose refresh token was removed (unlinked) stops working at once."""
    assert (await send("TurnOnRequest", "switch.ac"))["header"]["name"] == "TurnOnConfirmation"
    refresh_token = hass.auth.async_validate_access_token(hass_access_token)
    assert refresh_token is not None
    hass.auth.async_remove_refresh_token(refresh_token)
    answer = await send("TurnOffRequest", "switch.ac")
    assert answer["header"]["name"] == "InvalidAccessTokenError"


async def test_expired_token(
    hass: HomeAssistant, send: Send, hass_access_token: str, freezer: FrozenDateTimeFactory
) -> None:
    """Past its 30 minutes a token is expired (DuerOS refreshes); once revoked it is invalid."""
    freezer.tick(timedelta(minutes=31))
    answer = await send("TurnOnRequest", "switch.ac")
    assert answer["header"]["name"] == "ExpiredAccessTokenError"
    refresh_token = hass.auth.async_get_refresh_token(
        jwt.decode(hass_access_token, options={"verify_signature": False})["iss"]
    )
    assert refresh_token is not None
    hass.auth.async_remove_refresh_token(refresh_token)
    answer = await send("TurnOnRequest", "switch.ac")
    assert answer["header"]["name"] == "InvalidAccessTokenError"


async def test_malformed_bodies(
    hass: HomeAssistant,
    dueros_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_access_token: str,
) -> None:
    client = await hass_client_no_auth()
    for body in (
        b"not json",
        b"[]",
        b'{"header": 1}',
        b'{"header": {"name": "X", "namespace": "Y"}}',
    ):
        resp = await client.post(SERVICE_PATH, data=body)
        assert resp.status == 200
        answer = await resp.json()
        assert answer["header"]["name"] == "UnexpectedInformationReceivedError"
    body = directive("DiscoverAppliancesRequest", hass_access_token)
    body["header"]["namespace"] = "DuerOS.ConnectedHome.Query"
    body["header"]["name"] = "DiscoverAppliancesRequest"
    resp = await client.post(SERVICE_PATH, json=body)
    assert (await resp.json())["header"]["name"] == "UnsupportedOperationError"
    body = directive("DiscoverSomethingRequest", hass_access_token)
    body["header"]["namespace"] = "DuerOS.ConnectedHome.Discovery"
    resp = await client.post(SERVICE_PATH, json=body)
    assert (await resp.json())["header"]["name"] == "UnsupportedOperationError"


async def test_service_failures(hass: HomeAssistant, send: Send) -> None:
    """A service that fails answers UnableToSetValueError; a crash answers DriverInternalError."""

    async def fail(call: Any) -> None:
        raise HomeAssistantError("device busy")

    hass.services.async_register("switch", "turn_on", fail)
    answer = await send("TurnOnRequest", "switch.ac")
    assert answer["header"]["name"] == "UnableToSetValueError"
    assert answer["payload"]["errorInfo"]["description"] == "device busy"

    async def crash(call: Any) -> None:
        raise RuntimeError("boom")

    hass.services.async_register("switch", "turn_on", crash)
    answer = await send("TurnOnRequest", "switch.ac")
    assert answer["header"]["name"] == "DriverInternalError"
    hass.services.async_remove("switch", "turn_on")
    answer = await send("TurnOnRequest", "switch.ac")
    assert answer["header"]["name"] == "UnsupportedOperationError"
    calls = async_mock_service(hass, "switch", "turn_on")
    assert (await send("TurnOnRequest", "switch.ac"))["header"]["name"] == "TurnOnConfirmation"
    assert calls[0].context.user_id is not None


async def test_not_configured(
    hass: HomeAssistant,
    dueros_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_access_token: str,
) -> None:
    """After the bridge entry is unloaded the endpoint answers 404."""
    assert await hass.config_entries.async_unload(dueros_entry.entry_id)
    client = await hass_client_no_auth()
    resp = await client.post(
        SERVICE_PATH, json=directive("DiscoverAppliancesRequest", hass_access_token)
    )
    assert resp.status == 404
