"""Entities end to end against the cloud simulator: writes reach the device, pushes reach HA."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.coordinator import MiotCoordinator
from simulator import Simulator
from tests.integration.conftest import registry_device


def coordinator_of(entry: MockConfigEntry) -> MiotCoordinator:
    """The entry's coordinator."""
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


def prop_key(entry: MockConfigEntry, did: str, service: str, prop: str) -> tuple[int, int]:
    """(siid, piid) of a property, found by urn names as discovery does."""
    found = coordinator_of(entry).specs[did].find_property(service, prop)
    assert found is not None, (did, service, prop)
    return found.siid, found.iid


def action_key(entry: MockConfigEntry, did: str, service: str, action: str) -> tuple[int, int]:
    """(siid, aiid) of an action."""
    found = coordinator_of(entry).specs[did].find_action(service, action)
    assert found is not None, (did, service, action)
    return found.siid, found.iid


def entity_id(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """Entity id from the registry."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def sim_value(simulator: Simulator, did: str, key: tuple[int, int]) -> Any:
    """A property value as the simulated device holds it."""
    return simulator.cloud.device(did).values[key]


def sim_actions(simulator: Simulator, did: str) -> list[tuple[int, int]]:
    """(siid, aiid) of every action the simulated device received."""
    return [(int(a["siid"]), int(a["aiid"])) for a in simulator.cloud.device(did).actions]


async def wait_for(
    hass: HomeAssistant, eid: str, check: Callable[[State], bool], limit: float = 10
) -> State:
    """Wait until the state of an entity satisfies `check` (pushes arrive over MQTT)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        await hass.async_block_till_done()
        state = hass.states.get(eid)
        if state is not None and check(state):
            return state
        if loop.time() > deadline:
            raise AssertionError(f"{eid} stayed {state}")
        await asyncio.sleep(0.05)


async def call(hass: HomeAssistant, domain: str, service: str, eid: str, **data: Any) -> None:
    """Call an entity service and wait."""
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: eid, **data}, blocking=True)


def main_id(
    hass: HomeAssistant, domain: str, entry: MockConfigEntry, did: str, service: str, prop: str
) -> str:
    """Entity id of a service-level entity keyed by its primary property."""
    siid, piid = prop_key(entry, did, service, prop)
    return entity_id(hass, domain, f"{did}_{siid}_{piid}")


async def test_device_registry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Name, manufacturer, model, firmware, area and parent come from the cloud."""
    speaker = registry_device(hass, "100007")
    assert speaker is not None
    assert speaker.name == "Xiaoai Speaker"
    assert speaker.manufacturer == "Xiaomi"
    assert speaker.model == "xiaomi.wifispeaker.lx06"
    assert speaker.sw_version == "1.88.51"
    lamp = registry_device(hass, "100001")
    assert lamp is not None
    assert lamp.manufacturer == "Yeelight"
    motion = registry_device(hass, "100008.s1")
    gateway = registry_device(hass, "100008")
    assert motion is not None
    assert gateway is not None
    assert motion.via_device_id == gateway.id
    assert motion.suggested_area == "Living Room"


async def test_light(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """On, brightness, colour temperature, colour and effect reach the device."""
    entry, did = init_integration, "100002"
    eid = main_id(hass, "light", entry, did, "light", "on")
    state = hass.states.get(eid)
    assert state is not None
    assert state.attributes["min_color_temp_kelvin"] == 3000
    assert state.attributes["max_color_temp_kelvin"] == 5700
    assert state.name == "Living Room Ceiling"
    await call(hass, "light", "turn_on", eid, brightness=255, color_temp_kelvin=4000)
    assert sim_value(simulator, did, prop_key(entry, did, "light", "on")) is True
    assert sim_value(simulator, did, prop_key(entry, did, "light", "brightness")) == 100
    assert sim_value(simulator, did, prop_key(entry, did, "light", "color-temperature")) == 4000
    state = hass.states.get(eid)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["brightness"] == 255
    assert state.attributes["color_temp_kelvin"] == 4000
    await call(hass, "light", "turn_on", eid, effect="Night")
    assert sim_value(simulator, did, prop_key(entry, did, "light", "mode")) == 2
    assert hass.states.get(eid).attributes["effect"] == "Night"  # type: ignore[union-attr]
    await call(hass, "light", "turn_off", eid)
    assert sim_value(simulator, did, prop_key(entry, did, "light", "on")) is False
    # RGB on the colour lamp.
    did = "100001"
    eid = main_id(hass, "light", entry, did, "light", "on")
    await call(hass, "light", "turn_on", eid, rgb_color=(255, 0, 16))
    assert sim_value(simulator, did, prop_key(entry, did, "light", "color")) == 0xFF0010
    state = hass.states.get(eid)
    assert state is not None
    assert state.attributes["color_mode"] == "rgb"
    assert state.attributes["rgb_color"] == (255, 0, 16)


async def test_push_reaches_home_assistant(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A value the device changes by itself arrives by push; offline makes it unavailable."""
    entry, did = init_integration, "100001"
    eid = main_id(hass, "light", entry, did, "light", "on")
    siid, piid = prop_key(entry, did, "light", "brightness")
    simulator.cloud.set_property(did, siid, piid, 100)
    await wait_for(hass, eid, lambda s: s.attributes.get("brightness") == 255)
    simulator.cloud.set_online(did, False)
    await wait_for(hass, eid, lambda s: s.state == STATE_UNAVAILABLE)


async def test_climate(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Target temperature and mode reach the air conditioner."""
    entry, did = init_integration, "100011"
    eid = main_id(hass, "climate", entry, did, "air-conditioner", "target-temperature")
    await call(hass, "climate", "set_temperature", eid, temperature=26, hvac_mode="cool")
    assert sim_value(simulator, did, prop_key(entry, did, "air-conditioner", "on")) is True
    assert (
        sim_value(simulator, did, prop_key(entry, did, "air-conditioner", "target-temperature"))
        == 26
    )
    state = hass.states.get(eid)
    assert state is not None
    assert state.state == "cool"
    assert state.attributes["temperature"] == 26
    await call(hass, "climate", "set_hvac_mode", eid, hvac_mode="heat")
    assert hass.states.get(eid).state == "heat"  # type: ignore[union-attr]
    await call(hass, "climate", "set_fan_mode", eid, fan_mode="High")
    assert hass.states.get(eid).attributes["fan_mode"] == "High"  # type: ignore[union-attr]
    await call(hass, "climate", "set_swing_mode", eid, swing_mode="on")
    assert hass.states.get(eid).attributes["swing_mode"] == "on"  # type: ignore[union-attr]
    await call(hass, "climate", "turn_off", eid)
    assert hass.states.get(eid).state == "off"  # type: ignore[union-attr]
    await call(hass, "climate", "turn_on", eid)
    await call(hass, "climate", "set_hvac_mode", eid, hvac_mode="off")
    assert hass.states.get(eid).state == "off"  # type: ignore[union-attr]
    # A heater: one hvac mode, current temperature from its environment service.
    did = "100032"
    eid = main_id(hass, "climate", entry, did, "heater", "target-temperature")
    await call(hass, "climate", "set_hvac_mode", eid, hvac_mode="heat")
    state = hass.states.get(eid)
    assert state is not None
    assert state.state == "heat"
    assert isinstance(state.attributes["current_temperature"], float)


async def test_cover(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Position and motor commands reach the curtain."""
    entry, did = init_integration, "100006"
    eid = main_id(hass, "cover", entry, did, "curtain", "motor-control")
    await call(hass, "cover", "set_cover_position", eid, position=50)
    assert sim_value(simulator, did, prop_key(entry, did, "curtain", "target-position")) == 50
    control = prop_key(entry, did, "curtain", "motor-control")
    spec = coordinator_of(entry).specs[did].property(*control)
    for service, word in (
        ("open_cover", "open"),
        ("close_cover", "close"),
        ("stop_cover", "pause"),
    ):
        await call(hass, "cover", service, eid)
        assert spec.value_label(sim_value(simulator, did, control)).lower() == word  # type: ignore[union-attr]
    siid, piid = prop_key(entry, did, "curtain", "current-position")
    simulator.cloud.set_property(did, siid, piid, 30)
    await wait_for(hass, eid, lambda s: s.attributes.get("current_position") == 30)


async def test_vacuum(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Start and dock run the spec actions; the status follows."""
    entry, did = init_integration, "100051"
    eid = main_id(hass, "vacuum", entry, did, "vacuum", "status")
    await call(hass, "vacuum", "start", eid)
    assert action_key(entry, did, "vacuum", "start-sweep") in sim_actions(simulator, did)
    await wait_for(hass, eid, lambda s: s.state == "cleaning")
    await call(hass, "vacuum", "return_to_base", eid)
    assert action_key(entry, did, "battery", "start-charge") in sim_actions(simulator, did)
    await wait_for(hass, eid, lambda s: s.state in ("returning", "docked"))
    await call(hass, "vacuum", "stop", eid)
    assert action_key(entry, did, "vacuum", "stop-sweeping") in sim_actions(simulator, did)
    await call(hass, "vacuum", "locate", eid)
    await call(hass, "vacuum", "set_fan_speed", eid, fan_speed="Strong")
    assert hass.states.get(eid).attributes["fan_speed"] == "Strong"  # type: ignore[union-attr]


async def test_fan(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Speed, preset and oscillation reach the fan."""
    entry, did = init_integration, "100013"
    eid = main_id(hass, "fan", entry, did, "fan", "on")
    level = prop_key(entry, did, "fan", "fan-level")
    await call(hass, "fan", "turn_on", eid, percentage=100)
    assert sim_value(simulator, did, prop_key(entry, did, "fan", "on")) is True
    assert hass.states.get(eid).attributes["percentage"] == 100  # type: ignore[union-attr]
    await call(hass, "fan", "set_percentage", eid, percentage=50)
    assert hass.states.get(eid).attributes["percentage"] == 50  # type: ignore[union-attr]
    assert sim_value(simulator, did, level) == 2
    await call(hass, "fan", "set_preset_mode", eid, preset_mode="Natural Wind")
    assert hass.states.get(eid).attributes["preset_mode"] == "Natural Wind"  # type: ignore[union-attr]
    await call(hass, "fan", "oscillate", eid, oscillating=True)
    assert hass.states.get(eid).attributes["oscillating"] is True  # type: ignore[union-attr]
    await call(hass, "fan", "turn_on", eid, preset_mode="Sleep")
    await call(hass, "fan", "set_percentage", eid, percentage=0)
    assert hass.states.get(eid).state == "off"  # type: ignore[union-attr]


async def test_select_number_switch(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Leftover writable properties: select, number and switch writes reach the device."""
    entry, did = init_integration, "100013"
    angle = prop_key(entry, did, "fan", "horizontal-angle")
    select_id = entity_id(hass, "select", f"{did}_{angle[0]}_{angle[1]}")
    options = hass.states.get(select_id).attributes["options"]  # type: ignore[union-attr]
    await call(hass, "select", "select_option", select_id, option=options[-1])
    assert hass.states.get(select_id).state == options[-1]  # type: ignore[union-attr]
    spec = coordinator_of(entry).specs[did].property(*angle)
    assert spec.value_label(sim_value(simulator, did, angle)) == options[-1]
    delay = prop_key(entry, did, "fan", "off-delay-time")
    number_id = entity_id(hass, "number", f"{did}_{delay[0]}_{delay[1]}")
    await call(hass, "number", "set_value", number_id, value=30)
    assert sim_value(simulator, did, delay) == 30
    assert float(hass.states.get(number_id).state) == 30  # type: ignore[union-attr]
    alarm = prop_key(entry, did, "physical-controls-locked", "physical-controls-locked")
    switch_id = entity_id(hass, "switch", f"{did}_{alarm[0]}_{alarm[1]}")
    await call(hass, "switch", "turn_on", switch_id)
    assert sim_value(simulator, did, alarm) is True
    await call(hass, "switch", "turn_off", switch_id)
    assert sim_value(simulator, did, alarm) is False
    # The outlet is the plug's main entity.
    plug = main_id(hass, "switch", entry, "100003", "switch", "on")
    assert hass.states.get(plug).name == "TV Plug"  # type: ignore[union-attr]
    await call(hass, "switch", "turn_off", plug)
    assert sim_value(simulator, "100003", prop_key(entry, "100003", "switch", "on")) is False


async def test_humidifier_and_water_heater(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Target humidity, mode, water temperature and operation reach the devices."""
    entry, did = init_integration, "100035"
    eid = main_id(hass, "humidifier", entry, did, "dehumidifier", "on")
    await call(hass, "humidifier", "turn_on", eid)
    await call(hass, "humidifier", "set_humidity", eid, humidity=55)
    assert sim_value(simulator, did, prop_key(entry, did, "dehumidifier", "target-humidity")) == 55
    await call(hass, "humidifier", "set_mode", eid, mode="Sleep")
    state = hass.states.get(eid)
    assert state is not None
    assert state.attributes["mode"] == "Sleep"
    assert state.attributes["action"] == "drying"
    await call(hass, "humidifier", "turn_off", eid)
    assert hass.states.get(eid).state == "off"  # type: ignore[union-attr]
    did = "100041"
    eid = main_id(hass, "water_heater", entry, did, "water-heater", "target-temperature")
    await call(hass, "water_heater", "set_temperature", eid, temperature=50)
    assert (
        sim_value(simulator, did, prop_key(entry, did, "water-heater", "target-temperature")) == 50
    )
    await call(hass, "water_heater", "set_operation_mode", eid, operation_mode="Heat")
    assert hass.states.get(eid).state == "Heat"  # type: ignore[union-attr]
    await call(hass, "water_heater", "set_operation_mode", eid, operation_mode="off")
    assert hass.states.get(eid).state == "off"  # type: ignore[union-attr]
    await call(hass, "water_heater", "turn_on", eid)
    await call(hass, "water_heater", "turn_off", eid)
    assert sim_value(simulator, did, prop_key(entry, did, "water-heater", "on")) is False


async def test_media_player_and_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Volume, mute, transport actions and a button reach the speaker."""
    entry, did = init_integration, "100007"
    eid = main_id(hass, "media_player", entry, did, "speaker", "volume")
    await call(hass, "media_player", "volume_set", eid, volume_level=0.5)
    assert hass.states.get(eid).attributes["volume_level"] == pytest.approx(0.5, abs=0.02)  # type: ignore[union-attr]
    await call(hass, "media_player", "volume_mute", eid, is_volume_muted=True)
    assert sim_value(simulator, did, prop_key(entry, did, "speaker", "mute")) is True
    for service, action in (
        ("media_play", "play"),
        ("media_pause", "pause"),
        ("media_next_track", "next"),
        ("media_previous_track", "previous"),
    ):
        await call(hass, "media_player", service, eid)
        assert action_key(entry, did, "play-control", action) in sim_actions(simulator, did)
    siid, aiid = action_key(entry, did, "intelligent-speaker", "wake-up")
    button = entity_id(hass, "button", f"{did}_a_{siid}_{aiid}")
    await call(hass, "button", "press", button)
    assert (siid, aiid) in sim_actions(simulator, did)


async def test_event_and_binary_sensor(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A spec event fires the event entity; a contact change flips the door sensor."""
    entry, did = init_integration, "100008.s2"
    coordinator = coordinator_of(entry)
    event = coordinator.specs[did].find_event("magnet-sensor", "open")
    assert event is not None
    eid = entity_id(hass, "event", f"{did}_e_{event.siid}_{event.iid}")
    door = main_id(hass, "binary_sensor", entry, did, "magnet-sensor", "contact-state")
    siid, piid = prop_key(entry, did, "magnet-sensor", "contact-state")
    simulator.cloud.set_property(did, siid, piid, True)
    await wait_for(hass, door, lambda s: s.state == "off")
    simulator.cloud.set_property(did, siid, piid, False)
    await wait_for(hass, door, lambda s: s.state == "on")
    simulator.cloud.fire_event(did, event.siid, event.iid, [])
    state = await wait_for(hass, eid, lambda s: s.state != "unknown")
    assert state.attributes["event_type"] == "open"


async def test_new_device_gets_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device added to the account later gets its entities without a reload."""
    simulator.cloud.add_device("100099", "New Lamp", "yeelink.light.mono4", room_id="20004")
    await coordinator_of(init_integration).async_refresh_device_list()
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    entities = [e for e in registry.entities.values() if e.unique_id.startswith("100099_")]
    assert any(e.domain == "light" for e in entities)
