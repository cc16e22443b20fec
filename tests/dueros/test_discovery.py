"""Discovery: what DuerOS sees, names, aliases, groups from areas, exposure choices."""

from __future__ import annotations

from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.dueros import dueros_health
from custom_components.miot_connect.dueros.const import CONF_EXCLUDE, CONF_INCLUDE

from .conftest import Send

EXPECTED_TYPES = {
    "light.kitchen_lights": "LIGHT",
    "switch.decorative_lights": "SWITCH",
    "switch.ac": "SOCKET",
    "fan.living_room_fan": "FAN",
    "climate.hvac": "AIR_CONDITION",
    "cover.kitchen_window": "CURTAIN",
    "humidifier.hygrostat": "HUMIDIFIER",
    "vacuum.demo_vacuum_0_ground_floor": "SWEEPING_ROBOT",
    "media_player.bedroom": "TV_SET",
    "sensor.outside_temperature": "SENSOR",
    "water_heater.demo_water_heater": "WATER_HEATER",
}


def appliances(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["applianceId"]: a for a in answer["payload"]["discoveredAppliances"]}


async def test_discovery_lists_assist_exposed_entities(send: Send) -> None:
    """Every domain with a DuerOS type appears with its type, actions and required fields."""
    answer = await send("DiscoverAppliancesRequest", openUid="baidu-user-1")
    assert answer["header"]["name"] == "DiscoverAppliancesResponse"
    found = appliances(answer)
    for entity_id, appliance_type in EXPECTED_TYPES.items():
        assert found[entity_id]["applianceTypes"] == [appliance_type], entity_id
    for appliance in found.values():
        for key in (
            "applianceId",
            "friendlyName",
            "friendlyDescription",
            "applianceTypes",
            "actions",
            "isReachable",
            "manufacturerName",
            "modelName",
            "version",
            "additionalApplianceDetails",
        ):
            assert key in appliance
        assert len(appliance["friendlyName"]) <= 128
        assert appliance["friendlyName"].replace(" ", "").isalnum()
    # Locks are not exposed to Assist by default; sensors without a queried class never appear.
    assert "lock.front_door" not in found
    assert "sensor.outside_temperature_battery" not in found
    light = found["light.kitchen_lights"]
    assert {"turnOn", "setBrightnessPercentage", "setColor", "setColorTemperature"} <= set(
        light["actions"]
    )
    names = {a["name"]: a["value"] for a in light["attributes"]}
    assert names["turnOnState"] == "ON"
    assert names["connectivity"] == "REACHABLE"
    assert found["sensor.outside_temperature"]["actions"][0] == "getTemperatureReading"


async def test_chinese_alias_area_groups(hass: HomeAssistant, send: Send) -> None:
    """A Chinese alias becomes the friendly name; an area becomes a group."""
    area = ar.async_get(hass).async_create("客厅")
    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    registry.async_update_entity("light.kitchen_lights", aliases={"Kitchen", "客厅的灯"})
    for entity_id in ("light.kitchen_lights", "light.ceiling_lights"):
        device_id = registry.async_get(entity_id).device_id  # type: ignore[union-attr]
        assert device_id is not None
        devices.async_update_device(device_id, area_id=area.id)
    answer = await send("DiscoverAppliancesRequest")
    found = appliances(answer)
    assert found["light.kitchen_lights"]["friendlyName"] == "客厅的灯"
    assert found["light.kitchen_lights"]["additionalApplianceDetails"]["room"] == "客厅"
    assert answer["payload"]["discoveredGroups"] == [
        {
            "groupName": "客厅",
            "applianceIds": ["light.ceiling_lights", "light.kitchen_lights"],
            "groupNotes": "客厅 (Home Assistant)",
            "additionalGroupDetails": {},
        }
    ]


@pytest.mark.parametrize(
    "dueros_options",
    [{CONF_INCLUDE: ["lock.front_door"], CONF_EXCLUDE: ["light.kitchen_lights"]}],
)
async def test_per_entity_override(send: Send) -> None:
    """The entry's include/exclude lists win over Assist's exposure."""
    found = appliances(await send("DiscoverAppliancesRequest"))
    assert found["lock.front_door"]["applianceTypes"] == ["SMARTLOCK"]
    assert "light.kitchen_lights" not in found
    answer = await send("TurnOnRequest", "light.kitchen_lights")
    assert answer["header"]["name"] == "UnsupportedTargetError"


@pytest.mark.parametrize("dueros_options", [{"expose_assist": False}])
async def test_assist_exposure_off(send: Send) -> None:
    """With Assist's list off, only included entities are seen."""
    assert appliances(await send("DiscoverAppliancesRequest")) == {}


async def test_assist_unexposed_entity_disappears(hass: HomeAssistant, send: Send) -> None:
    """Un-exposing an entity in Home Assistant's Assist settings hides it from DuerOS."""
    async_expose_entity(hass, "conversation", "light.bed_light", False)
    found = appliances(await send("DiscoverAppliancesRequest"))
    assert "light.bed_light" not in found
    assert "light.kitchen_lights" in found


async def test_open_uid_kept(
    hass: HomeAssistant, send: Send, dueros_entry: MockConfigEntry
) -> None:
    """The openUid of a discovering user is stored for change reports (once); the system health
    line counts the linked users."""
    assert dueros_health(hass) == "not linked yet"
    await send("DiscoverAppliancesRequest", openUid="baidu-user-1")
    await send("DiscoverAppliancesRequest", openUid="baidu-user-1")
    assert dueros_entry.data["open_uids"] == ["baidu-user-1"]
    assert dueros_health(hass) == "1 linked"


async def test_unreachable_entity(hass: HomeAssistant, send: Send) -> None:
    """An unavailable entity is listed as not reachable and refuses control as offline."""
    hass.states.async_set("switch.decorative_lights", "unavailable", {"friendly_name": "Deco"})
    found = appliances(await send("DiscoverAppliancesRequest"))
    assert found["switch.decorative_lights"]["isReachable"] is False
    answer = await send("TurnOnRequest", "switch.decorative_lights")
    assert answer["header"]["name"] == "TargetOfflineError"


async def test_features_decide_actions(hass: HomeAssistant, send: Send) -> None:
    """Entities without the on/off features get no turnOn/turnOff (a request then is refused)."""
    hass.states.async_set("fan.plain", "off", {"supported_features": 1})  # set_speed only
    hass.states.async_set("climate.plain", "heat", {"supported_features": 1, "hvac_modes": []})
    hass.states.async_set("cover.tilt", "open", {"supported_features": 16})  # open_tilt only
    hass.states.async_set("vacuum.plain", "docked", {"supported_features": 0})
    entry = hass.config_entries.async_entries("miot_connect")[0]
    ids = ["fan.plain", "climate.plain", "cover.tilt", "vacuum.plain"]
    hass.config_entries.async_update_entry(entry, options={CONF_INCLUDE: ids})
    await hass.async_block_till_done()
    found = appliances(await send("DiscoverAppliancesRequest"))
    for entity_id in ids:
        assert "turnOn" not in found[entity_id]["actions"], entity_id
        assert "turnOff" not in found[entity_id]["actions"], entity_id
    assert "setFanSpeed" in found["fan.plain"]["actions"]
    answer = await send("TurnOnRequest", "fan.plain")
    assert answer["header"]["name"] == "UnsupportedOperationError"


async def test_at_most_300(
    hass: HomeAssistant, send: Send, caplog: pytest.LogCaptureFixture
) -> None:
    """DuerOS takes 300 appliances: the rest are left out, with a warning."""
    ids = [f"switch.many_{i:03}" for i in range(310)]
    for entity_id in ids:
        hass.states.async_set(entity_id, "off")
    entry = hass.config_entries.async_entries("miot_connect")[0]
    hass.config_entries.async_update_entry(
        entry, options={"expose_assist": False, CONF_INCLUDE: ids}
    )
    await hass.async_block_till_done()
    found = appliances(await send("DiscoverAppliancesRequest"))
    assert len(found) == 300
    assert "switch.many_309" not in found
    assert "at most 300 appliances; 310 are exposed" in caplog.text
