"""Services against the cloud simulator: set_property, get_properties, call_action, refresh."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    icon,
    translation,
)
from homeassistant.helpers.service import async_get_all_descriptions
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.coordinator import MiotCoordinator
from custom_components.miot_connect.miot import DeviceSpec, parse_spec
from custom_components.miot_connect.services import (
    MiotTarget,
    action_name,
    allowed_range,
    named_outputs,
    property_name,
    validate_value,
)
from simulator import Fault, Simulator
from tests.integration.conftest import registry_device

LAMP = "100001"  # yeelink.light.color2: light.on 2.1, light.brightness 2.2, light.mode 2.5
BEDSIDE = "100012"  # yeelink.light.bslamp2
SPEAKER = "100007"  # xiaomi.wifispeaker.lx06: intelligent-speaker.play-text (text-content)
VACUUM = "100051"  # roborock.vacuum.a15: generic-rpc.generic-rpc-call (rpc-in → rpc-out)
BUTTON = "100008.s3"  # lumi.remote.b1acn01: read-only battery
STRIP = "100034"  # qmi.powerstrip.v1, offline in the demo home


def device_id(hass: HomeAssistant, did: str) -> str:
    """Registry id of a demo device."""
    device = registry_device(hass, did)
    assert device is not None, did
    return device.id


def entity_of(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """Entity id from the registry."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def coordinator_of(entry: MockConfigEntry) -> MiotCoordinator:
    """The entry's coordinator."""
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


def sim_value(simulator: Simulator, did: str, siid: int, piid: int) -> Any:
    """A value as the simulated device holds it."""
    return simulator.cloud.device(did).values[(siid, piid)]


def sim_actions(simulator: Simulator, did: str) -> list[dict[str, Any]]:
    """Action calls the simulated device received."""
    return list(simulator.cloud.device(did).actions)


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `condition()` holds (pushes travel through the real broker)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    *,
    target: dict[str, Any] | None = None,
    response: bool = False,
) -> ServiceResponse:
    """Call a service of the integration and wait for it."""
    return await hass.services.async_call(
        DOMAIN, service, dict(data), blocking=True, target=target, return_response=response
    )


async def expect_error(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    key: str,
    *,
    target: dict[str, Any] | None = None,
    response: bool = False,
    kind: type[HomeAssistantError] = ServiceValidationError,
) -> HomeAssistantError:
    """Call and expect a translated error with `key`."""
    with pytest.raises(kind) as info:
        await call(hass, service, data, target=target, response=response)
    assert info.value.translation_domain == DOMAIN
    assert info.value.translation_key == key, str(info.value)
    return info.value


# ---------------------------------------------------------------------------- set_property
async def test_set_property_by_name_and_numbers(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device target with `service.property`, an entity target with siid/piid."""
    lamp = device_id(hass, LAMP)
    await call(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 30},
        target={"device_id": lamp},
    )
    assert sim_value(simulator, LAMP, 2, 2) == 30
    assert coordinator_of(init_integration).value(LAMP, 2, 2) == 30
    light = entity_of(hass, "light", f"{LAMP}_2_1")
    await call(
        hass, "set_property", {"siid": 2, "piid": 2, "value": "45"}, target={"entity_id": light}
    )
    assert sim_value(simulator, LAMP, 2, 2) == 45
    # siid.piid as a name, a bare property name when only one service has it.
    await call(hass, "set_property", {"property": "2.2", "value": 50}, target={"device_id": lamp})
    assert sim_value(simulator, LAMP, 2, 2) == 50
    await call(hass, "set_property", {"property": "on", "value": "off"}, target={"device_id": lamp})
    assert sim_value(simulator, LAMP, 2, 1) is False
    await hass.async_block_till_done()
    assert hass.states.get(light).state == "off"  # type: ignore[union-attr]


async def test_set_property_value_list_by_label(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A value-list entry can be given by its description."""
    await call(
        hass,
        "set_property",
        {"property": "light.mode", "value": "Day"},
        target={"device_id": device_id(hass, LAMP)},
    )
    assert sim_value(simulator, LAMP, 2, 5) == 2


async def test_set_property_several_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Every targeted device gets the value; an area contributes its MIoT devices."""
    await call(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 12},
        target={"device_id": [device_id(hass, LAMP), device_id(hass, BEDSIDE)]},
    )
    assert sim_value(simulator, LAMP, 2, 2) == 12
    assert sim_value(simulator, BEDSIDE, 2, 2) == 12
    area = ar.async_get(hass).async_create("Reading corner")
    dr.async_get(hass).async_update_device(device_id(hass, BEDSIDE), area_id=area.id)
    await call(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 77},
        target={"area_id": area.id},
    )
    assert sim_value(simulator, BEDSIDE, 2, 2) == 77
    assert sim_value(simulator, LAMP, 2, 2) == 12


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        ({"value": 1}, "missing_property", {}),
        ({"siid": 2, "value": 1}, "missing_property", {}),
        (
            {"property": "light.sparkle", "value": 1},
            "unknown_property",
            {"property": "light.sparkle"},
        ),
        ({"siid": 9, "piid": 9, "value": 1}, "unknown_property", {"property": "9.9"}),
        ({"property": "9.9", "value": 1}, "unknown_property", {"property": "9.9"}),
        (
            {"property": "light.brightness", "value": 150},
            "out_of_range",
            {"range": "1..100 step 1", "value": "150"},
        ),
        ({"property": "light.brightness", "value": 50.5}, "out_of_range", {}),
        ({"property": "light.brightness", "value": "0"}, "out_of_range", {"value": "'0'"}),
        ({"property": "light.brightness", "value": True}, "wrong_type", {}),
        (
            {"property": "light.brightness", "value": "bright"},
            "wrong_type",
            {"expected": "uint8 in 1..100 step 1"},
        ),
        ({"property": "light.on", "value": "maybe"}, "wrong_type", {}),
        ({"property": "light.on", "value": [1]}, "wrong_type", {}),
        (
            {"property": "light.mode", "value": 7},
            "not_in_list",
            {"options": "1 (Color), 2 (Day)", "value": "7"},
        ),
        ({"property": "light.mode", "value": "Disco"}, "not_in_list", {}),
        ({"property": "light.mode", "value": True}, "wrong_type", {}),
    ],
)
async def test_set_property_invalid(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Bad input is refused with a translated reason; nothing reaches the cloud."""
    simulator.cloud.reset_counters()
    err = await expect_error(
        hass, "set_property", data, key, target={"device_id": device_id(hass, LAMP)}
    )
    assert placeholders.items() <= (err.translation_placeholders or {}).items()
    assert "/app/v2/miotspec/prop/set" not in simulator.cloud.counters()["http"]


async def test_set_property_messages_are_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The message names the device, the property and the allowed range."""
    err = await expect_error(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 150},
        "out_of_range",
        target={"device_id": device_id(hass, LAMP)},
    )
    assert str(err) == (
        "150 is out of range for light.brightness of Living Room Lamp. Allowed: 1..100 step 1"
    )


async def test_set_property_read_only(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A read-only property cannot be written."""
    err = await expect_error(
        hass,
        "set_property",
        {"property": "battery.battery-level", "value": 50},
        "read_only",
        target={"device_id": device_id(hass, BUTTON)},
    )
    assert err.translation_placeholders == {
        "device": "Wireless Button",
        "property": "battery.battery-level",
    }
    # A bare property name must be unique: the speaker has speaker.mute and microphone.mute.
    await expect_error(
        hass,
        "set_property",
        {"property": "mute", "value": True},
        "unknown_property",
        target={"device_id": device_id(hass, SPEAKER)},
    )


async def test_targets_that_are_not_ours(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Unknown devices and entities, empty areas and missing targets are refused."""
    data = {"property": "light.on", "value": True}
    await expect_error(hass, "set_property", data, "no_target")
    await expect_error(
        hass, "set_property", data, "unknown_device", target={"device_id": "not-a-device"}
    )
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    err = await expect_error(
        hass, "set_property", data, "unknown_device", target={"device_id": foreign.id}
    )
    assert err.translation_placeholders == {"target": foreign.id}
    hass.states.async_set("sensor.outside", "3")
    await expect_error(
        hass, "set_property", data, "unknown_device", target={"entity_id": "sensor.outside"}
    )
    area = ar.async_get(hass).async_create("Garage")
    await expect_error(hass, "set_property", data, "no_devices", target={"area_id": area.id})
    # Areas mix devices and entities of other integrations: those are left out.
    registry = dr.async_get(hass)
    registry.async_update_device(foreign.id, area_id=area.id)
    er.async_get(hass).async_get_or_create(
        "sensor", "other", "y", config_entry=other, device_id=foreign.id
    )
    loose = er.async_get(hass).async_get_or_create("sensor", "other", "z", config_entry=other)
    er.async_get(hass).async_update_entity(loose.entity_id, area_id=area.id)
    registry.async_update_device(device_id(hass, LAMP), area_id=area.id)
    await call(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 64},
        target={"area_id": area.id},
    )
    assert coordinator_of(init_integration).value(LAMP, 2, 2) == 64
    # A device that names a did its account does not have.
    stray = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "999999")}
    )
    await expect_error(hass, "set_property", data, "unknown_device", target={"device_id": stray.id})


async def test_set_property_cloud_failures(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Offline devices and cloud errors raise with the reason."""
    data = {"property": "switch.on", "value": True}
    err = await expect_error(
        hass,
        "set_property",
        data,
        "device_offline",
        target={"device_id": device_id(hass, STRIP)},
        kind=HomeAssistantError,
    )
    assert str(err) == "Power Strip is offline"
    simulator.cloud.faults.append(Fault(status=503, path="/app/v2/miotspec/prop/set"))
    err = await expect_error(
        hass,
        "set_property",
        {"property": "light.on", "value": True},
        "write_failed",
        target={"device_id": device_id(hass, LAMP)},
        kind=HomeAssistantError,
    )
    assert "503" in str(err)


async def test_set_property_partly_applied(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """When one of several devices fails, the error says which ones were changed."""
    simulator.cloud.set_online(BEDSIDE, False)
    coordinator = coordinator_of(init_integration)
    await wait_until(lambda: not coordinator.is_available(BEDSIDE))
    err = await expect_error(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 20},
        "partly_applied",
        target={"device_id": [device_id(hass, LAMP), device_id(hass, BEDSIDE)]},
        kind=HomeAssistantError,
    )
    assert err.translation_placeholders is not None
    assert err.translation_placeholders["done"] == "Living Room Lamp"
    assert err.translation_placeholders["failed"] == "Bedside Lamp"
    assert "Bedside Lamp is offline" in err.translation_placeholders["error"]
    assert sim_value(simulator, LAMP, 2, 2) == 20
    simulator.cloud.set_online(LAMP, False)
    err = await expect_error(
        hass,
        "set_property",
        {"property": "light.brightness", "value": 21},
        "all_failed",
        target={"device_id": [device_id(hass, LAMP), device_id(hass, BEDSIDE)]},
        kind=HomeAssistantError,
    )
    assert err.translation_placeholders is not None
    assert err.translation_placeholders["devices"] == "Living Room Lamp, Bedside Lamp"


# ------------------------------------------------------------------------- get_properties
async def test_get_properties(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Fresh values from the cloud, by name; all readable ones without a list."""
    lamp = device_id(hass, LAMP)
    # Changed on the device without a push: only a fresh read sees it.
    simulator.cloud.device(LAMP).values[(2, 2)] = 33
    result = await call(
        hass,
        "get_properties",
        {"properties": ["light.brightness", "light.on"]},
        target={"device_id": lamp},
        response=True,
    )
    assert result == {
        lamp: {
            "did": LAMP,
            "name": "Living Room Lamp",
            "properties": {"light.brightness": 33, "light.on": True},
        }
    }
    # The fresh value also reached the coordinator, and so the entities.
    assert init_integration.runtime_data.coordinator.value(LAMP, 2, 2) == 33
    result = await call(
        hass,
        "get_properties",
        {},
        target={"entity_id": entity_of(hass, "light", f"{LAMP}_2_1")},
        response=True,
    )
    assert result is not None
    values = result[lamp]["properties"]  # type: ignore[index]
    assert set(values) == {
        "light.on",
        "light.brightness",
        "light.color-temperature",
        "light.color",
        "light.mode",
    }


async def test_get_properties_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Unknown and write-only properties, offline devices and cloud failures."""
    lamp = device_id(hass, LAMP)
    await expect_error(
        hass,
        "get_properties",
        {"properties": ["light.sparkle"]},
        "unknown_property",
        target={"device_id": lamp},
        response=True,
    )
    await expect_error(
        hass,
        "get_properties",
        {"properties": ["light-extension.brightness-delta"]},
        "not_readable",
        target={"device_id": lamp},
        response=True,
    )
    strip = device_id(hass, STRIP)
    await expect_error(
        hass,
        "get_properties",
        {"properties": ["switch.on"]},
        "device_offline",
        target={"device_id": strip},
        response=True,
        kind=HomeAssistantError,
    )
    # One device offline among several: values of the others, errors for it.
    result = await call(
        hass,
        "get_properties",
        {"properties": ["2.1"]},
        target={"device_id": [lamp, strip]},
        response=True,
    )
    assert result is not None
    assert result[lamp]["properties"] == {"light.on": True}  # type: ignore[index]
    assert result[strip] == {  # type: ignore[index]
        "did": STRIP,
        "name": "Power Strip",
        "properties": {},
        "errors": {"switch.on": "device offline"},
    }
    simulator.cloud.set_online(BEDSIDE, False)
    err = await expect_error(
        hass,
        "get_properties",
        {"properties": ["2.1"]},
        "read_failed",
        target={"device_id": [device_id(hass, BEDSIDE), strip]},
        response=True,
        kind=HomeAssistantError,
    )
    assert str(err) == "No property of Bedside Lamp, Power Strip could be read: device offline"
    simulator.cloud.faults.append(Fault(status=503, path="/app/v2/miotspec/prop/get"))
    err = await expect_error(
        hass,
        "get_properties",
        {},
        "request_failed",
        target={"device_id": lamp},
        response=True,
        kind=HomeAssistantError,
    )
    assert "503" in str(err)


async def test_get_properties_auth_failure_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A refused sign-in asks the user to sign in again."""
    simulator.cloud.revoke_tokens()
    await expect_error(
        hass,
        "get_properties",
        {},
        "auth_failed",
        target={"device_id": device_id(hass, LAMP)},
        response=True,
        kind=HomeAssistantError,
    )
    await hass.async_block_till_done()
    assert any(init_integration.async_get_active_flows(hass, {"reauth"}))


# ---------------------------------------------------------------------------- call_action
async def test_call_action(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Actions by name or numbers, with named inputs; the response names the outputs."""
    lamp = device_id(hass, LAMP)
    assert sim_value(simulator, LAMP, 2, 1) is True
    result = await call(
        hass, "call_action", {"action": "light.toggle"}, target={"device_id": lamp}, response=True
    )
    assert result == {
        lamp: {"did": LAMP, "name": "Living Room Lamp", "action": "light.toggle", "out": {}}
    }
    assert sim_value(simulator, LAMP, 2, 1) is False
    assert (
        await call(hass, "call_action", {"siid": 2, "aiid": 1}, target={"device_id": lamp}) is None
    )
    assert sim_value(simulator, LAMP, 2, 1) is True

    speaker = device_id(hass, SPEAKER)
    await call(
        hass,
        "call_action",
        {"action": "intelligent-speaker.play-text", "arguments": {"text-content": "Hello"}},
        target={"device_id": speaker},
    )
    assert sim_actions(simulator, SPEAKER)[-1]["in"] == ["Hello"]
    # Numbers are sent as text to text inputs (templates render "42" as a number).
    await call(
        hass,
        "call_action",
        {"action": "play-text", "arguments": {"text-content": 42}},
        target={"device_id": speaker},
    )
    assert sim_actions(simulator, SPEAKER)[-1]["in"] == ["42"]

    vacuum = device_id(hass, VACUUM)
    result = await call(
        hass,
        "call_action",
        {"action": "generic-rpc.generic-rpc-call", "arguments": {"rpc-in": '{"method": "x"}'}},
        target={"device_id": vacuum},
        response=True,
    )
    assert result is not None
    assert result[vacuum]["out"] == {"rpc-out": ""}  # type: ignore[index]


@pytest.mark.parametrize(
    ("did", "data", "key", "placeholders"),
    [
        (LAMP, {}, "missing_action", {}),
        (LAMP, {"siid": 2}, "missing_action", {}),
        (LAMP, {"action": "light.dance"}, "unknown_action", {"action": "light.dance"}),
        (LAMP, {"siid": 2, "aiid": 9}, "unknown_action", {"action": "2.9"}),
        (
            SPEAKER,
            {"action": "intelligent-speaker.play-text"},
            "missing_argument",
            {"argument": "text-content", "expected": "string"},
        ),
        (
            SPEAKER,
            {
                "action": "intelligent-speaker.play-text",
                "arguments": {"text-content": "Hi", "volume": 3},
            },
            "unknown_argument",
            {"argument": "volume", "arguments": "text-content"},
        ),
        (
            LAMP,
            {"action": "light.toggle", "arguments": {"fast": True}},
            "unknown_argument",
            {"arguments": "none"},
        ),
        (
            SPEAKER,
            {
                "action": "execute-text-directive",
                "arguments": {"text-content": "Hi", "silent-execution": "maybe"},
            },
            "wrong_type",
            {"property": "intelligent-speaker.execute-text-directive silent-execution"},
        ),
        (
            SPEAKER,
            {"action": "play-text", "arguments": {"text-content": ["Hi"]}},
            "wrong_type",
            {"expected": "string"},
        ),
    ],
)
async def test_call_action_invalid(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    did: str,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Bad actions and arguments are refused before anything is sent."""
    simulator.cloud.reset_counters()
    err = await expect_error(
        hass, "call_action", data, key, target={"device_id": device_id(hass, did)}
    )
    assert placeholders.items() <= (err.translation_placeholders or {}).items()
    assert "/app/v2/miotspec/action" not in simulator.cloud.counters()["http"]


async def test_call_action_cloud_failures(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Offline devices and cloud errors raise with the reason."""
    simulator.cloud.set_online(LAMP, False)
    lamp = device_id(hass, LAMP)
    await expect_error(
        hass,
        "call_action",
        {"action": "light.toggle"},
        "device_offline",
        target={"device_id": lamp},
        kind=HomeAssistantError,
    )
    simulator.cloud.set_online(LAMP, True)
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/miotspec/action"))
    err = await expect_error(
        hass,
        "call_action",
        {"action": "light.toggle"},
        "action_failed",
        target={"device_id": lamp},
        kind=HomeAssistantError,
    )
    assert "500" in str(err)


# -------------------------------------------------------------------------------- refresh
async def test_refresh_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A targeted refresh re-reads the devices now."""
    simulator.cloud.device(LAMP).values[(2, 2)] = 9  # no push
    coordinator = coordinator_of(init_integration)
    assert coordinator.value(LAMP, 2, 2) != 9
    await call(hass, "refresh", {}, target={"device_id": device_id(hass, LAMP)})
    assert coordinator.value(LAMP, 2, 2) == 9
    simulator.cloud.faults.append(Fault(status=503, path="/app/v2/miotspec/prop/get"))
    err = await expect_error(
        hass,
        "refresh",
        {},
        "refresh_failed",
        target={"device_id": device_id(hass, LAMP)},
        kind=HomeAssistantError,
    )
    assert "503" in str(err)


async def test_refresh_device_list(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Without a target the account is listed again: new devices appear."""
    simulator.cloud.add_device("100099", "New Lamp", "yeelink.light.mono4", room_id="20004")
    await call(hass, "refresh", {})
    await hass.async_block_till_done()
    assert registry_device(hass, "100099") is not None
    simulator.cloud.faults.append(Fault(status=503, path="/app/v2/homeroom"))
    await expect_error(hass, "refresh", {}, "refresh_failed", kind=HomeAssistantError)
    await hass.config_entries.async_unload(init_integration.entry_id)
    await expect_error(hass, "refresh", {}, "not_loaded")


# ----------------------------------------------------------------------- descriptions
async def test_service_descriptions_and_icons(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """services.yaml, the translated names and the icons are found by Home Assistant."""
    descriptions = await async_get_all_descriptions(hass)
    ours = descriptions[DOMAIN]
    assert set(ours) == {
        "set_property",
        "get_properties",
        "call_action",
        "refresh",
        "play_text",
        "execute_text",
    }
    assert set(ours["set_property"]["fields"]) == {"property", "siid", "piid", "value"}
    assert ours["get_properties"]["response"] == {"optional": False}
    assert ours["call_action"]["response"] == {"optional": True}
    # Names and descriptions come from the translations (no longer part of the descriptions).
    names = await translation.async_get_translations(hass, "en", "services", [DOMAIN])
    assert names[f"component.{DOMAIN}.services.set_property.name"] == "Set property"
    assert names[f"component.{DOMAIN}.services.call_action.fields.arguments.name"] == "Arguments"
    icons = await icon.async_get_icons(hass, "services", [DOMAIN])
    assert icons[DOMAIN]["refresh"] == {"service": "mdi:refresh"}


# ------------------------------------------------------------------------- name helpers
def _two_switches() -> DeviceSpec:
    """A device repeating a service (as multi-key switches do)."""
    return parse_spec(
        {
            "type": "urn:miot-spec-v2:device:switch:0000A003:demo-2key:1",
            "description": "Two keys",
            "services": [
                {
                    "iid": siid,
                    "type": "urn:miot-spec-v2:service:switch:0000780C:demo:1",
                    "description": "Switch",
                    "properties": [
                        {
                            "iid": 1,
                            "type": "urn:miot-spec-v2:property:on:00000006:demo:1",
                            "description": "On",
                            "format": "bool",
                            "access": ["read", "write"],
                        },
                        {
                            "iid": 2,
                            "type": "urn:miot-spec-v2:property:level:00000007:demo:1",
                            "description": "Level",
                            "format": "uint8",
                            "access": ["read", "write"],
                        },
                    ],
                    "actions": [
                        {
                            "iid": 1,
                            "type": "urn:miot-spec-v2:action:toggle:00002811:demo:1",
                            "out": [1],
                        }
                    ],
                }
                for siid in (2, 3)
            ],
        }
    )


def test_names_of_repeated_services() -> None:
    """The first of repeated services is found by name, the others by numbers."""
    spec = _two_switches()
    first, second = spec.services
    assert property_name(spec, first.properties[0]) == "switch.on"
    assert property_name(spec, second.properties[0]) == "3.1"
    assert action_name(spec, first.actions[0]) == "switch.toggle"
    assert action_name(spec, second.actions[0]) == "3.1"
    assert named_outputs(second, second.actions[0], [True, 5, "x"]) == {
        "on": True,
        "out1": 5,
        "out2": "x",
    }


async def test_range_of_numbers_without_value_range(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Integers without a value-range are limited by their format."""
    target = MiotTarget(coordinator_of(init_integration), LAMP, device_id(hass, LAMP))
    level = _two_switches().services[0].properties[1]
    with pytest.raises(ServiceValidationError) as err:
        validate_value(target, level, 300, label="switch.level")
    assert err.value.translation_placeholders == {
        "device": "Living Room Lamp",
        "property": "switch.level",
        "value": "300",
        "range": "0..255",
    }
    assert allowed_range(replace(level, format="float")) == "any number"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"siid": ".inf", "piid": 1, "value": True}, "whole number"),
        ({"siid": float("inf"), "piid": 1, "value": True}, "whole number"),
        ({"siid": 2.9, "piid": 1, "value": True}, "whole number"),
        ({"siid": True, "piid": 1, "value": True}, "boolean"),
        ({"siid": 0, "piid": 1, "value": True}, "1..65535"),
        ({"siid": 2, "piid": 1, "value": None}, "null"),
        ({"siid": 2, "piid": 1, "value": ("x",)}, "expected a number"),
    ],
)
async def test_set_property_schema_refuses_odd_numbers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    data: dict[str, Any],
    message: str,
) -> None:
    """siid `.inf` / 2.9 / true and a null value are refused clearly; nothing is written."""
    simulator.cloud.reset_counters()
    with pytest.raises(Exception, match=message):
        await call(hass, "set_property", data, target={"device_id": device_id(hass, LAMP)})
    assert "/app/v2/miotspec/prop/set" not in simulator.cloud.counters()["http"]


async def test_whole_number_iids_and_short_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """`"2"` and 2.0 are iid 2; an error does not repeat a 10 KB input; a step is kept to."""
    target = {"device_id": device_id(hass, LAMP)}
    await call(hass, "set_property", {"siid": "2", "piid": 2.0, "value": 40}, target=target)
    assert simulator.cloud.device(LAMP).values[(2, 2)] == 40
    err = await expect_error(
        hass,
        "set_property",
        {"siid": 2, "piid": 2, "value": "9" * 10_000},
        "out_of_range",
        target=target,
    )
    assert all(len(text) <= 200 for text in (err.translation_placeholders or {}).values())
    assert len(str(err)) < 500
