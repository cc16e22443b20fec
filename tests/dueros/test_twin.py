"""End to end with the DuerOS twin: account linking through Home Assistant's real OAuth, then
discovery, control, query, change reports and device sync over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

from homeassistant.auth.providers import homeassistant as hass_auth
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator.dueros import DuerOSTwin, LinkError

USERNAME = "xiaodu"
PASSWORD = "xiaodu-password-1"


@pytest.fixture
async def twin(
    hass: HomeAssistant,
    demo_home: None,
    socket_enabled: None,
    hass_client_no_auth: ClientSessionGenerator,
    local_auth: hass_auth.HassAuthProvider,
) -> AsyncGenerator[DuerOSTwin]:
    """The twin, pointed at Home Assistant's HTTP server, with a Home Assistant user to link."""
    assert await async_setup_component(hass, "auth", {})
    await local_auth.async_add_auth(USERNAME, PASSWORD)
    credentials = await local_auth.async_get_or_create_credentials({"username": USERNAME})
    user = await hass.auth.async_create_user("Xiaodu", group_ids=["system-users"])
    await hass.auth.async_link_user(user, credentials)
    twin = DuerOSTwin("")
    await twin.start()
    yield twin
    await twin.stop()


@pytest.fixture
def report_url(twin: DuerOSTwin) -> str:
    return twin.base_url


@pytest.fixture
async def linked(
    twin: DuerOSTwin, dueros_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> DuerOSTwin:
    """Linked and discovered."""
    client = await hass_client_no_auth()
    twin.skill_base_url = str(client.make_url("")).rstrip("/")
    await twin.link_account(USERNAME, PASSWORD)
    await twin.discover()
    return twin


def attributes(answer: dict[str, Any]) -> dict[str, Any]:
    return {a["name"]: a["value"] for a in answer["payload"]["attributes"]}


async def test_link_discover_control_query(hass: HomeAssistant, linked: DuerOSTwin) -> None:
    """ "小度小度，打开卧室的灯": the light in Home Assistant turns on."""
    twin = linked
    assert twin.access_token
    assert twin.refresh_token
    assert "light.bed_light" in twin.appliances
    answer = await twin.control("TurnOnRequest", "light.bed_light")
    assert answer["header"]["name"] == "TurnOnConfirmation"
    assert hass.states.get("light.bed_light").state == "on"  # type: ignore[union-attr]
    answer = await twin.control(
        "SetBrightnessPercentageRequest", "light.bed_light", brightness={"value": 30}
    )
    assert answer["payload"]["brightness"] == {"value": 30}
    answer = await twin.query("GetTemperatureReadingRequest", "climate.hvac")
    assert answer["payload"]["temperatureReading"]["value"] == 22.0
    answer = await twin.control(
        "SetTemperatureRequest", "climate.hvac", targetTemperature={"value": 40}
    )
    assert answer["header"]["name"] == "ValueOutOfRangeError"
    # Home Assistant's access tokens are short-lived: DuerOS refreshes and carries on.
    twin.access_token = None
    await twin.refresh()
    assert twin.access_token
    assert (await twin.control("TurnOffRequest", "light.bed_light"))["header"]["name"] == (
        "TurnOffConfirmation"
    )
    await twin.wait_idle()


async def test_link_refused(
    twin: DuerOSTwin, dueros_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    twin.skill_base_url = str((await hass_client_no_auth()).make_url("")).rstrip("/")
    with pytest.raises(LinkError):
        await twin.link_account(USERNAME, "wrong password")
    # A redirect host other than the client id's is refused by Home Assistant's IndieAuth check.
    twin.redirect_uri = "https://evil.example/callback"
    with pytest.raises(LinkError):
        await twin.link_account(USERNAME, PASSWORD)


async def test_unlinked_token(hass: HomeAssistant, linked: DuerOSTwin) -> None:
    """Removing the refresh tokens (unlinking) makes every request InvalidAccessTokenError."""
    for user in await hass.auth.async_get_users():
        for token in list(user.refresh_tokens.values()):
            hass.auth.async_remove_refresh_token(token)
    answer = await linked.control("TurnOnRequest", "light.bed_light")
    assert answer["header"]["name"] == "InvalidAccessTokenError"
    answer = await linked.discover()
    assert answer["header"]["name"] == "InvalidAccessTokenError"


async def test_change_report(hass: HomeAssistant, linked: DuerOSTwin) -> None:
    """A state change outside DuerOS is reported; DuerOS then asks ReportState and gets it."""
    await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.ac"}, blocking=True)
    await asyncio.wait_for(linked.report_event.wait(), 5)
    await hass.async_block_till_done(wait_background_tasks=True)
    await linked.wait_idle()
    report = next(
        r.body
        for r in linked.change_reports
        if r.body["payload"]["appliance"]["applianceId"] == "switch.ac"
    )
    assert report["header"]["namespace"] == "DuerOS.ConnectedHome.Control"
    assert report["header"]["name"] == "ChangeReportRequest"
    assert report["payload"]["botId"] == linked.bot_id
    assert report["payload"]["openUid"] == linked.open_uid
    assert report["payload"]["appliance"]["attributeName"] == "turnOnState"
    state = next(
        s
        for s in linked.report_states
        if any(a["value"] == "ON" for a in s["payload"]["attributes"] if a["name"] == "turnOnState")
    )
    assert state["header"]["name"] == "ReportStateResponse"


async def test_device_sync_on_exposure_change(hass: HomeAssistant, linked: DuerOSTwin) -> None:
    """Exposure changes make the bridge ask DuerOS to sync; the twin discovers again."""
    assert "light.bed_light" in linked.appliances
    async_expose_entity(hass, "conversation", "light.bed_light", False)
    await hass.async_block_till_done(wait_background_tasks=True)
    await linked.wait_idle()
    assert linked.device_syncs
    assert linked.device_syncs[-1].body["payload"]["openUid"] == linked.open_uid
    assert "light.bed_light" not in linked.appliances
    entry = hass.config_entries.async_entries("miot_connect")[0]
    hass.config_entries.async_update_entry(entry, options={"include_entities": ["light.bed_light"]})
    await hass.async_block_till_done(wait_background_tasks=True)
    await linked.wait_idle()
    assert "light.bed_light" in linked.appliances


# One sample payload per action DuerOS may be offered (every advertised action must be served).
SAMPLES: dict[str, dict[str, Any]] = {
    "turnOn": {},
    "turnOff": {},
    "pause": {},
    "continue": {},
    "setBrightnessPercentage": {"brightness": {"value": 50}},
    "incrementBrightnessPercentage": {"deltaPercentage": {"value": 10}},
    "decrementBrightnessPercentage": {"deltaPercentage": {"value": 10}},
    "setColor": {"color": {"hue": 200, "saturation": 0.5, "brightness": 0.5}},
    "incrementColorTemperature": {},
    "decrementColorTemperature": {},
    "incrementTemperature": {"deltaTemperature": {"value": 1}},
    "decrementTemperature": {"deltaTemperature": {"value": 1}},
    "setFanSpeed": {"fanSpeed": {"value": 1}},
    "incrementFanSpeed": {},
    "decrementFanSpeed": {},
    "setVolume": {"volume": {"value": 30}},
    "incrementVolume": {},
    "decrementVolume": {},
    "setLockState": {"lockState": {"value": "LOCKED"}},
    "setSuction": {"suction": {"value": "max"}},
}
# Answers that depend on the entity's current state, not on a missing handler.
STATE_DEPENDENT = {
    "UnwillingToSetValueError",
    "NotSupportedInCurrentModeError",
    "UnsupportedTargetSettingError",
    "ValueOutOfRangeError",
    "TargetOfflineError",
}


@pytest.mark.parametrize(
    "dueros_options", [{"include_entities": ["lock.front_door", "lock.kitchen_door"]}]
)
async def test_every_advertised_action(hass: HomeAssistant, linked: DuerOSTwin) -> None:
    """Every appliance type, every action it advertises, through the twin: each one is served."""
    seen_types: set[str] = set()
    served = 0
    for appliance_id, appliance in sorted(linked.appliances.items()):
        seen_types.update(appliance["applianceTypes"])
        values = {a["name"]: a["value"] for a in appliance.get("attributes", [])}
        for action in appliance["actions"]:
            name = action[:1].upper() + action[1:] + "Request"
            payload = dict(SAMPLES.get(action, {}))
            if action == "setTemperature":
                payload = {"targetTemperature": {"value": values.get("targetTemperature", 22)}}
            elif action == "setColorTemperature":
                kelvin = values.get("colorTemperatureInKelvin", 4000)
                payload = {"colorTemperatureInKelvin": {"value": kelvin}}
            elif action == "setMode":
                payload = {"mode": {"value": values.get("mode", "AUTO")}}
            if action.startswith("get"):
                answer = await linked.query(name, appliance_id)
                assert answer["header"]["name"] == name.removesuffix("Request") + "Response", (
                    appliance_id,
                    answer,
                )
            else:
                answer = await linked.control(name, appliance_id, **payload)
                got = answer["header"]["name"]
                assert got.endswith("Confirmation") or got in STATE_DEPENDENT, (
                    appliance_id,
                    action,
                    answer,
                )
            served += 1
            await hass.async_block_till_done()
    assert seen_types >= {
        "LIGHT",
        "SWITCH",
        "SOCKET",
        "FAN",
        "AIR_CONDITION",
        "CURTAIN",
        "HUMIDIFIER",
        "SWEEPING_ROBOT",
        "TV_SET",
        "SMARTLOCK",
        "SENSOR",
        "WATER_HEATER",
    }
    assert served > 200
    await linked.wait_idle()
    await hass.async_block_till_done(wait_background_tasks=True)
    # Reports flowed for the changes this made, and DuerOS's ReportState questions were answered.
    assert linked.change_reports
    assert all(s["header"]["name"] == "ReportStateResponse" for s in linked.report_states)
    # Demo vacuums dock 30 s after "return to base": let that timer run.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    await linked.wait_idle()
