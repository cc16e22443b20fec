"""Alarm control panel, time, text, siren, valve and device tracker: real spec documents (and
constructed ones where no shared spec has the item) on the simulator, through Home Assistant
services, plus the entity logic on constructed specs."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect import (
    alarm_control_panel,
    device_tracker,
    siren,
    text,
    time as miot_time,
    valve,
)
from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.discovery import discover_entities
from custom_components.miot_connect.miot.spec import DeviceSpec, parse_spec
from simulator import Simulator
from tests.integration.test_entities import (
    call,
    coordinator_of,
    entity_id,
    prop_key,
    sim_value,
    wait_for,
)
from tests.integration.test_entities_logic import (
    entity_for,
    make_spec,
    prop,
    service,
    vlist,
)
from tests.unit.test_discovery import SPEC_DIR

GATEWAY = "100008"  # lumi.gateway.mgl03 of the demo home
AC_PARTNER = "200001"  # lumi.aircondition.acn05 (arming service with Chinese mode names)
VACUUM = "200002"  # dreame.vacuum.p2009: do-not-disturb start/end "HH:MM" strings
CAMERA = "200003"  # isa.camera.hlc7: motion-detection start/end times
MAP_VACUUM = "200004"  # viomi.vacuum.v19: map-name
FRYER = "200005"  # careli.fryer.maf01: recipe-name
VALVE = "200006"  # constructed document (tests/data/specs): a water valve
LOCATE_VACUUM = "200007"  # ijai.vacuum.v2: alarm service whose alarm value list is "Play"
SIREN = "200008"  # constructed document: a siren device's alarm switch
TRACKER = "200009"  # constructed document: a tracker reporting longitude and latitude
EXTRA_DEVICES: dict[str, str] = {
    AC_PARTNER: "lumi.aircondition.acn05",
    VACUUM: "dreame.vacuum.p2009",
    CAMERA: "isa.camera.hlc7",
    MAP_VACUUM: "viomi.vacuum.v19",
    FRYER: "careli.fryer.maf01",
    VALVE: "constructed.valve.v1",
    LOCATE_VACUUM: "ijai.vacuum.v2",
    SIREN: "constructed.siren.v1",
    TRACKER: "constructed.tracker.v1",
}


@pytest.fixture
async def simulator(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Simulator]:
    """The demo home plus one device of each extra model (shared specs loaded too)."""
    sim = Simulator(
        home="demo",
        state_dir=tmp_path / "simulator",
        cert_dir=simulator_cert_dir,
        spec_dirs=[SPEC_DIR],
    )
    for did, model in EXTRA_DEVICES.items():
        sim.cloud.add_device(did, model, model, room_id="20004")
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def shared(model: str) -> DeviceSpec:
    """A parsed shared spec document."""
    import json

    return parse_spec(json.loads((SPEC_DIR / f"{model}.json").read_text(encoding="utf-8")))


def platform_keys(spec: DeviceSpec, platform: Platform, model: str = "test.dev.v1") -> list[str]:
    """Discovery keys of one platform."""
    return [i.key for i in discover_entities(spec, model) if i.platform == platform]


# ------------------------------------------------------------------ alarm control panel
async def test_alarm_panel_gateway(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The gateway's arming mode arms and disarms; a sounding alarm is `triggered`."""
    entry = init_integration
    mode = prop_key(entry, GATEWAY, "arming", "arming-mode")
    alarm = prop_key(entry, GATEWAY, "arming", "alarm")
    eid = entity_id(hass, "alarm_control_panel", f"{GATEWAY}_{mode[0]}_{mode[1]}")
    state = hass.states.get(eid)
    assert state is not None
    assert state.attributes["supported_features"] == 15  # home, away, night, trigger
    assert state.name == "Gateway"  # the gateway's main entity
    await call(hass, "alarm_control_panel", "alarm_arm_away", eid)
    assert sim_value(simulator, GATEWAY, mode) == 2
    assert hass.states.get(eid).state == "armed_away"  # type: ignore[union-attr]
    await call(hass, "alarm_control_panel", "alarm_arm_home", eid)
    assert sim_value(simulator, GATEWAY, mode) == 1
    await call(hass, "alarm_control_panel", "alarm_arm_night", eid)
    assert sim_value(simulator, GATEWAY, mode) == 3
    assert hass.states.get(eid).state == "armed_night"  # type: ignore[union-attr]
    # The device raises the alarm: pushed to Home Assistant.
    simulator.cloud.set_property(GATEWAY, alarm[0], alarm[1], 1)
    await wait_for(hass, eid, lambda s: s.state == "triggered")
    await call(hass, "alarm_control_panel", "alarm_disarm", eid)
    assert sim_value(simulator, GATEWAY, alarm) == 0
    assert sim_value(simulator, GATEWAY, mode) == 0
    assert hass.states.get(eid).state == "disarmed"  # type: ignore[union-attr]
    await call(hass, "alarm_control_panel", "alarm_trigger", eid)
    assert sim_value(simulator, GATEWAY, alarm) == 1
    # The Chinese-named modes of the AC partner map the same way.
    mode = prop_key(entry, AC_PARTNER, "arming", "arming-mode")
    eid = entity_id(hass, "alarm_control_panel", f"{AC_PARTNER}_{mode[0]}_{mode[1]}")
    await call(hass, "alarm_control_panel", "alarm_arm_away", eid)
    assert sim_value(simulator, AC_PARTNER, mode) == 2
    assert coordinator_of(entry).value(AC_PARTNER, *mode) == 2


async def test_alarm_panel_logic(hass: HomeAssistant) -> None:
    """Only the modes the value list has are offered; no alarm property: no trigger; a mode list
    without a disarmed mode is no panel."""
    spec = make_spec(
        "gateway",
        service(
            2,
            "arming",
            prop(1, "arming-mode", "uint8", **{"value-list": vlist("Disarmed", "Away", "Party")}),
        ),
    )
    entity, coord = entity_for(
        hass, spec, Platform.ALARM_CONTROL_PANEL, alarm_control_panel.MiotAlarmPanel
    )
    assert entity.supported_features == alarm_control_panel.AlarmControlPanelEntityFeature.ARM_AWAY
    assert entity.alarm_state is None
    coord.values[(2, 1)] = 2  # Party: no panel state
    assert entity.alarm_state is None
    coord.values[(2, 1)] = 1
    assert entity.alarm_state == "armed_away"
    await entity.async_alarm_disarm()
    assert coord.values[(2, 1)] == 0
    spec = make_spec(
        "gateway",
        service(2, "arming", prop(1, "arming-mode", "uint8", **{"value-list": vlist("Away")})),
    )
    assert platform_keys(spec, Platform.ALARM_CONTROL_PANEL) == []
    # A read-only alarm: triggered is shown, but there is no trigger.
    spec = make_spec(
        "gateway",
        service(
            2,
            "arming",
            prop(1, "arming-mode", "uint8", **{"value-list": vlist("basic_arming", "home_arming")}),
            prop(2, "alarm", "uint8", ("read", "notify"), **{"value-list": vlist("No", "Yes")}),
        ),
    )
    entity, coord = entity_for(
        hass, spec, Platform.ALARM_CONTROL_PANEL, alarm_control_panel.MiotAlarmPanel
    )
    assert entity.supported_features == alarm_control_panel.AlarmControlPanelEntityFeature.ARM_HOME
    coord.values.update({(2, 1): 1, (2, 2): 1})
    assert entity.alarm_state == "triggered"
    await entity.async_alarm_disarm()  # the alarm is read-only: only the mode is written
    assert coord.values == {(2, 1): 0, (2, 2): 1}


# ------------------------------------------------------------------ time
async def test_time_do_not_disturb(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A vacuum's do-not-disturb window: pushed "HH:MM" shows as a time, set_value writes one."""
    entry = init_integration
    start = prop_key(entry, VACUUM, "do-not-disturb", "start-time")
    end = prop_key(entry, VACUUM, "do-not-disturb", "end-time")
    start_id = entity_id(hass, "time", f"{VACUUM}_{start[0]}_{start[1]}")
    end_id = entity_id(hass, "time", f"{VACUUM}_{end[0]}_{end[1]}")
    assert start_id.endswith("do_not_disturb_start")
    simulator.cloud.set_property(VACUUM, start[0], start[1], "22:00")
    await wait_for(hass, start_id, lambda s: s.state == "22:00:00")
    await call(hass, "time", "set_value", end_id, time="07:30:00")
    assert sim_value(simulator, VACUUM, end) == "07:30"
    assert hass.states.get(end_id).state == "07:30:00"  # type: ignore[union-attr]
    # A camera's motion detection window, named from its spec.
    start = prop_key(entry, CAMERA, "motion-detection", "motion-detection-start-time")
    cam_id = entity_id(hass, "time", f"{CAMERA}_{start[0]}_{start[1]}")
    await call(hass, "time", "set_value", cam_id, time="08:15:00")
    assert sim_value(simulator, CAMERA, start) == "08:15"


async def test_time_logic(hass: HomeAssistant) -> None:
    """Seconds are kept when the device uses them; anything not a time of day is unknown; a
    read-only or non-string start time is no time entity."""
    spec = make_spec(
        "vacuum",
        service(
            3, "do-not-disturb", prop(1, "start-time", "string"), prop(2, "end-time", "string")
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.TIME, miot_time.MiotTime)
    assert entity.native_value is None
    for bad in ("", "25:00", "7:61", "12:00:75", "noon", 1200):
        coord.values[(3, 1)] = bad
        assert entity.native_value is None, bad
    coord.values[(3, 1)] = "7:05"
    assert entity.native_value == miot_time.time(7, 5)
    coord.values[(3, 1)] = "23:00:00"
    await entity.async_set_value(miot_time.time(6, 45, 10))
    assert coord.values[(3, 1)] == "06:45:10"
    spec = make_spec(
        "vacuum",
        service(
            3,
            "clean",
            prop(1, "start-time", "string", ("read", "notify")),
            prop(2, "end-time", "uint32", **{"value-range": [0, 1440, 1]}),
            prop(3, "other-time", "string"),
        ),
    )
    assert platform_keys(spec, Platform.TIME) == []


# ------------------------------------------------------------------ text
async def test_text_names(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A vacuum's map name and a fryer's recipe name are texts: set_value writes them."""
    entry = init_integration
    key = prop_key(entry, MAP_VACUUM, "map", "map-name")
    eid = entity_id(hass, "text", f"{MAP_VACUUM}_{key[0]}_{key[1]}")
    assert eid.endswith("map_name")
    await call(hass, "text", "set_value", eid, value="Ground floor")
    assert sim_value(simulator, MAP_VACUUM, key) == "Ground floor"
    assert hass.states.get(eid).state == "Ground floor"  # type: ignore[union-attr]
    simulator.cloud.set_property(MAP_VACUUM, key[0], key[1], "Attic")
    await wait_for(hass, eid, lambda s: s.state == "Attic")
    key = prop_key(entry, FRYER, "custom", "recipe-name")
    eid = entity_id(hass, "text", f"{FRYER}_{key[0]}_{key[1]}")
    await call(hass, "text", "set_value", eid, value="Fries")
    assert sim_value(simulator, FRYER, key) == "Fries"


async def test_text_logic(hass: HomeAssistant) -> None:
    """Unknown stays unknown; a write-only or read-only name and other strings are no text."""
    spec = make_spec("vacuum", service(4, "map", prop(1, "map-name", "string")))
    entity, coord = entity_for(hass, spec, Platform.TEXT, text.MiotText)
    assert entity.native_value is None
    coord.values[(4, 1)] = 7
    assert entity.native_value == "7"
    spec = make_spec(
        "vacuum",
        service(
            4,
            "map",
            prop(1, "map-name", "string", ("write",)),
            prop(2, "recipe-name", "string", ("read",)),
            prop(3, "timer-clean", "string"),
        ),
    )
    assert platform_keys(spec, Platform.TEXT) == []


# ------------------------------------------------------------------ valve
async def test_valve(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The water valve (constructed document) is the device's main entity: open and close write
    `on`; the status shows it moving."""
    entry = init_integration
    on = prop_key(entry, VALVE, "valve", "on")
    status = prop_key(entry, VALVE, "valve", "status")
    eid = entity_id(hass, "valve", f"{VALVE}_{on[0]}_{on[1]}")
    state = hass.states.get(eid)
    assert state is not None
    assert state.attributes["device_class"] == "water"
    assert state.name == "constructed.valve.v1"  # the main entity carries the device name
    await call(hass, "valve", "open_valve", eid)
    assert sim_value(simulator, VALVE, on) is True
    assert hass.states.get(eid).state == "open"  # type: ignore[union-attr]
    simulator.cloud.set_property(VALVE, status[0], status[1], 3)
    await wait_for(hass, eid, lambda s: s.state == "closing")
    simulator.cloud.set_property(VALVE, status[0], status[1], 0)
    await wait_for(hass, eid, lambda s: s.state == "open")
    await call(hass, "valve", "close_valve", eid)
    assert sim_value(simulator, VALVE, on) is False
    assert hass.states.get(eid).state == "closed"  # type: ignore[union-attr]


async def test_valve_logic(hass: HomeAssistant) -> None:
    """A gas valve without status; unknown `on` is an unknown state; no writable `on`: no valve."""
    spec = make_spec("gas-valve", service(2, "valve", prop(1, "on")))
    entity, coord = entity_for(hass, spec, Platform.VALVE, valve.MiotValve)
    assert entity.device_class == "gas"
    assert entity.is_closed is None
    assert entity.is_opening is False
    coord.values[(2, 1)] = True
    assert entity.is_closed is False
    spec = make_spec("valve", service(2, "valve", prop(1, "on", access=("read", "notify"))))
    assert platform_keys(spec, Platform.VALVE) == []


# ------------------------------------------------------------------ siren
async def test_siren(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A siren device sounds and stops; a vacuum's locate sound only starts; the purifier's
    prompt tone stays a switch."""
    entry = init_integration
    key = prop_key(entry, SIREN, "alarm", "alarm")
    eid = entity_id(hass, "siren", f"{SIREN}_{key[0]}_{key[1]}")
    assert hass.states.get(eid).attributes["supported_features"] == 3  # type: ignore[union-attr]
    await call(hass, "siren", "turn_on", eid)
    assert sim_value(simulator, SIREN, key) is True
    assert hass.states.get(eid).state == "on"  # type: ignore[union-attr]
    await call(hass, "siren", "turn_off", eid)
    assert sim_value(simulator, SIREN, key) is False
    key = prop_key(entry, LOCATE_VACUUM, "alarm", "alarm")
    eid = entity_id(hass, "siren", f"{LOCATE_VACUUM}_{key[0]}_{key[1]}")
    assert hass.states.get(eid).attributes["supported_features"] == 1  # type: ignore[union-attr]
    await call(hass, "siren", "turn_on", eid)
    assert sim_value(simulator, LOCATE_VACUUM, key) == 1
    purifier = prop_key(entry, "100005", "alarm", "alarm")
    entity_id(hass, "switch", f"100005_{purifier[0]}_{purifier[1]}")


async def test_siren_logic(hass: HomeAssistant) -> None:
    """A value list with a stop value turns off; no sound value or a plain appliance's bool is no
    siren."""
    spec = make_spec(
        "speaker",
        service(5, "alarm", prop(1, "alarm", "uint8", **{"value-list": vlist("Stop", "Ring")})),
    )
    entity, coord = entity_for(hass, spec, Platform.SIREN, siren.MiotSiren)
    assert entity.supported_features == 3
    assert entity.is_on is None
    await entity.async_turn_on()
    assert coord.values[(5, 1)] == 1
    assert entity.is_on is True
    await entity.async_turn_off()
    assert coord.values[(5, 1)] == 0
    assert entity.is_on is False
    spec = make_spec(
        "speaker",
        service(5, "alarm", prop(1, "alarm", "uint8", **{"value-list": vlist("Low", "High")})),
    )
    assert platform_keys(spec, Platform.SIREN) == []
    spec = make_spec("air-purifier", service(5, "alarm", prop(1, "alarm")))
    assert platform_keys(spec, Platform.SIREN) == []
    assert platform_keys(spec, Platform.SWITCH) == ["5_1"]


# ------------------------------------------------------------------ device tracker
async def test_device_tracker(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A reported position is the tracker's GPS position, at home or not; the air conditioner's
    writable longitude-latitude (a setting) is no tracker."""
    entry = init_integration
    lng = prop_key(entry, TRACKER, "location", "longitude")
    lat = prop_key(entry, TRACKER, "location", "latitude")
    eid = entity_id(hass, "device_tracker", f"{TRACKER}_{lng[0]}_{lng[1]}")
    simulator.cloud.set_property(TRACKER, lng[0], lng[1], hass.config.longitude)
    simulator.cloud.set_property(TRACKER, lat[0], lat[1], hass.config.latitude)
    state = await wait_for(hass, eid, lambda s: s.state == "home")
    assert state.attributes["source_type"] == "gps"
    simulator.cloud.set_property(TRACKER, lat[0], lat[1], -33.5)
    state = await wait_for(hass, eid, lambda s: s.state == "not_home")
    assert state.attributes["latitude"] == -33.5
    registry = er.async_get(hass)
    assert not [
        e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.domain == "device_tracker" and e.unique_id.startswith("100004_")
    ]


def test_parse_pair() -> None:
    """Text forms of a longitude-latitude property."""
    assert device_tracker.parse_pair("116.39,39.9") == (39.9, 116.39)
    assert device_tracker.parse_pair("116.39 -39.9") == (-39.9, 116.39)
    assert device_tracker.parse_pair('{"longitude": 2.35, "latitude": 48.85}') == (48.85, 2.35)
    assert device_tracker.parse_pair('{"lng": 2, "lat": 48}') == (48.0, 2.0)
    assert device_tracker.parse_pair("[2.35, 48.85]") == (48.85, 2.35)
    for bad in (None, 5, "", "1,2,3", '{"lat": 1}', "[true, 1]", "200,10", '"x"', "[1]"):
        assert device_tracker.parse_pair(bad) is None, bad


async def test_device_tracker_logic(hass: HomeAssistant) -> None:
    """A longitude-latitude text reported by the device; out-of-range numbers are no position."""
    spec = make_spec(
        "tracker",
        service(2, "location", prop(1, "longitude-latitude", "string", ("read", "notify"))),
    )
    entity, coord = entity_for(hass, spec, Platform.DEVICE_TRACKER, device_tracker.MiotTracker)
    assert entity.latitude is None
    coord.values[(2, 1)] = "116.39,39.9"
    assert (entity.latitude, entity.longitude) == (39.9, 116.39)
    spec = make_spec(
        "tracker",
        service(
            2,
            "location",
            prop(1, "longitude", "float", ("read",)),
            prop(2, "latitude", "float", ("read",)),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.DEVICE_TRACKER, device_tracker.MiotTracker)
    coord.values.update({(2, 1): 10.0, (2, 2): 95.0})
    assert entity.latitude is None
    assert entity.longitude is None
    coord.values[(2, 2)] = 45
    assert (entity.latitude, entity.longitude) == (45.0, 10.0)
    spec = make_spec(
        "air-conditioner", service(2, "machine-state", prop(1, "longitude-latitude", "string"))
    )
    assert platform_keys(spec, Platform.DEVICE_TRACKER) == []


async def test_moved_entity_is_removed(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """An entity of a spec item now exposed by another platform (the gateway's arming-mode
    select, now its alarm panel) or folded into another entity leaves the registry; other
    entries stay."""
    registry = er.async_get(hass)
    moved = registry.async_get_or_create(
        "select", DOMAIN, f"{GATEWAY}_3_1", config_entry=config_entry
    )
    folded = registry.async_get_or_create(
        "select", DOMAIN, f"{GATEWAY}_3_22", config_entry=config_entry
    )
    kept = registry.async_get_or_create(
        "select", DOMAIN, f"{GATEWAY}_99_1", config_entry=config_entry
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(moved.entity_id) is None
    assert registry.async_get(folded.entity_id) is None  # the alarm is the panel's triggered state
    assert registry.async_get(kept.entity_id) is not None
    assert registry.async_get_entity_id("alarm_control_panel", DOMAIN, f"{GATEWAY}_3_1")
    assert await hass.config_entries.async_unload(config_entry.entry_id)
