"""Device triggers: spec events pushed by the simulator (real MQTT broker) run automations."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components import automation
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.miot_connect import device_trigger
from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.miot import parse_spec
from custom_components.miot_connect.services import event_items
from simulator import Simulator

from .test_services import BUTTON, LAMP, VACUUM, device_id

MOTION = "100008.s1"  # lumi.sensor_motion.v2: motion-sensor.motion-detected
HEATER = "100032"  # zhimi.heater.za2: events described only in Chinese


def _trigger(device: str, type_: str, subtype: str) -> dict[str, Any]:
    return {
        "trigger": "device",
        "domain": DOMAIN,
        "device_id": device,
        "type": type_,
        "subtype": subtype,
    }


async def _automation(hass: HomeAssistant, *triggers: dict[str, Any]) -> list[Event]:
    """An automation firing `miot_test` with the trigger variables; returns the captured events."""
    events = async_capture_events(hass, "miot_test")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": f"trigger {index}",
                    "triggers": [trigger],
                    "actions": [
                        {
                            "event": "miot_test",
                            "event_data": {
                                "type": "{{ trigger.type }}",
                                "subtype": "{{ trigger.subtype }}",
                                "did": "{{ trigger.did }}",
                                "arguments": "{{ trigger.arguments }}",
                                "description": "{{ trigger.description }}",
                            },
                        }
                    ],
                }
                for index, trigger in enumerate(triggers)
            ]
        },
    )
    await hass.async_block_till_done()
    return events


async def _wait_events(events: list[Event], count: int, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while len(events) < count:
            await asyncio.sleep(0.02)


async def test_triggers_listed(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The automation editor lists one trigger per spec event."""
    button = device_id(hass, BUTTON)
    found = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [button])
    ours = [
        (trigger["type"], trigger["subtype"])
        for trigger in found[button]
        if trigger["domain"] == DOMAIN
    ]
    assert ours == [
        ("click", "switch-sensor"),
        ("double-click", "switch-sensor"),
        ("long-press", "switch-sensor"),
    ]
    assert all(
        trigger["metadata"] == {} for trigger in found[button] if trigger["domain"] == DOMAIN
    )
    # Devices without events, unknown devices: nothing.
    assert await device_trigger.async_get_triggers(hass, device_id(hass, LAMP)) == []
    assert await device_trigger.async_get_triggers(hass, "nope") == []


async def test_trigger_fires_on_pushed_event(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A click fires its trigger only; the description is translated."""
    button = device_id(hass, BUTTON)
    events = await _automation(
        hass,
        _trigger(button, "click", "switch-sensor"),
        _trigger(button, "double-click", "switch-sensor"),
    )
    simulator.cloud.fire_event(BUTTON, 2, 1, [])
    await _wait_events(events, 1)
    await asyncio.sleep(0.1)
    await hass.async_block_till_done()
    assert len(events) == 1
    assert events[0].data == {
        "type": "click",
        "subtype": "switch-sensor",
        "did": BUTTON,
        "arguments": {},
        "description": "Wireless Button: Button pressed",
    }
    simulator.cloud.fire_event(BUTTON, 2, 2, [])
    await _wait_events(events, 2)
    assert events[1].data["type"] == "double-click"
    simulator.cloud.fire_event(BUTTON, 2, 1, [])
    await _wait_events(events, 3)
    assert events[2].data == events[0].data


async def test_trigger_arguments_and_fallback_description(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Named event arguments reach the automation; untranslated events use the spec's text."""
    vacuum, heater, motion = (
        device_id(hass, VACUUM),
        device_id(hass, HEATER),
        device_id(hass, MOTION),
    )
    events = await _automation(
        hass,
        _trigger(vacuum, "error", "roborock-vacuum"),
        _trigger(heater, "thsensor-exce", "private-service"),
        _trigger(motion, "motion-detected", "motion-sensor"),
    )
    simulator.cloud.fire_event(VACUUM, 8, 1, [{"piid": 3, "value": 12}])
    await _wait_events(events, 1)
    assert events[0].data["arguments"] == {"error-code": 12}
    assert events[0].data["description"] == "Robot Vacuum: Vacuum: error reported"
    heater_event = next(
        item.item
        for item in event_items(init_integration.runtime_data.coordinator.specs[HEATER])
        if item.type == "thsensor-exce"
    )
    simulator.cloud.fire_event(HEATER, heater_event.siid, heater_event.iid, [])
    await _wait_events(events, 2)
    assert events[1].data["description"] == "Study Heater: 温湿度传感器异常"
    simulator.cloud.fire_event(MOTION, 2, 1, [])
    await _wait_events(events, 3)
    assert events[2].data["description"] == "Living Room Motion: Motion sensor detected motion"


async def test_trigger_survives_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Triggers listen to the bus: they keep working after the entry is reloaded."""
    button = device_id(hass, BUTTON)
    events = await _automation(hass, _trigger(button, "long-press", "switch-sensor"))
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    # Setup does not wait for the broker: the event needs the new subscription in place.
    push = init_integration.runtime_data.coordinator.push
    await asyncio.wait_for(push.wait_subscribed(), 10)
    simulator.cloud.fire_event(BUTTON, 2, 3, [])
    await _wait_events(events, 1)
    assert events[0].data["type"] == "long-press"


async def test_trigger_ignores_events_of_unloaded_entries(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A bus event for a device whose account is not loaded does not fire."""
    button = device_id(hass, BUTTON)
    events = await _automation(hass, _trigger(button, "click", "switch-sensor"))
    await hass.config_entries.async_unload(init_integration.entry_id)
    hass.bus.async_fire(
        "miot_connect_event", {"did": BUTTON, "siid": 2, "eiid": 1, "arguments": {}}
    )
    hass.bus.async_fire("miot_connect_event", {"did": "other", "siid": 2, "eiid": 1})
    await hass.async_block_till_done()
    assert events == []


async def test_trigger_validation(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Unknown events are refused while the account is loaded, accepted while it is not."""
    button = device_id(hass, BUTTON)
    config = {"platform": "device", **_trigger(button, "triple-click", "switch-sensor")}
    del config["trigger"]
    with pytest.raises(InvalidDeviceAutomationConfig, match="no event 'triple-click'"):
        await device_trigger.async_validate_trigger_config(hass, config)
    good = {**config, "type": "click"}
    assert await device_trigger.async_validate_trigger_config(hass, good) == good
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert await device_trigger.async_validate_trigger_config(hass, config) == config


async def test_trigger_on_a_foreign_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Attaching to a device of another integration fails clearly."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    config = {"platform": "device", "domain": DOMAIN, "device_id": foreign.id, "type": "click"}
    with pytest.raises(InvalidDeviceAutomationConfig, match="not a MIoT Connect device"):
        await device_trigger.async_attach_trigger(
            hass,
            {**config, "subtype": "switch-sensor"},
            lambda *_: None,
            {
                "domain": "automation",
                "name": "x",
                "home_assistant_start": False,
                "variables": None,
                "trigger_data": {"id": "0", "idx": "0", "alias": None},
            },
        )


def test_repeated_services_get_numbered_subtypes() -> None:
    """A device repeating a service (a two-key switch) gets `name-siid` subtypes."""
    spec = parse_spec(
        {
            "type": "urn:miot-spec-v2:device:switch:0000A003:demo-2key:1",
            "description": "Two keys",
            "services": [
                {
                    "iid": siid,
                    "type": "urn:miot-spec-v2:service:switch-sensor:00007828:demo:1",
                    "description": "Key",
                    "events": [{"iid": 1, "type": "urn:miot-spec-v2:event:click:00005007:demo:1"}],
                }
                for siid in (2, 3)
            ],
        }
    )
    assert [(item.type, item.subtype) for item in event_items(spec)] == [
        ("click", "switch-sensor-2"),
        ("click", "switch-sensor-3"),
    ]
