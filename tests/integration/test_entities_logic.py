"""Entity logic on synthetic specs with a recording coordinator (branches the demo home lacks)."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect import (
    binary_sensor,
    climate,
    cover,
    fan,
    humidifier,
    light,
    lock,
    media_player,
    sensor,
    vacuum,
    water_heater,
)
from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.discovery import (
    MiotEntityInfo,
    discover_entities,
    ha_unit,
    is_standard,
)
from custom_components.miot_connect.entity import build_entities, device_info, manufacturer
from custom_components.miot_connect.miot import Device
from custom_components.miot_connect.miot.spec import DeviceSpec, parse_spec

DID = "42"


def prop(
    iid: int,
    name: str,
    fmt: str = "bool",
    access: tuple[str, ...] = ("read", "write", "notify"),
    **extra: Any,
) -> dict[str, Any]:
    """A property document."""
    return {
        "iid": iid,
        "type": f"urn:miot-spec-v2:property:{name}:0001:test:1",
        "description": name.replace("-", " ").title(),
        "format": fmt,
        "access": list(access),
        **extra,
    }


def vlist(*names: str, start: int = 0) -> list[dict[str, Any]]:
    """A value-list."""
    return [{"value": start + i, "description": n} for i, n in enumerate(names)]


def service(
    iid: int,
    name: str,
    *props: dict[str, Any],
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A service document."""
    return {
        "iid": iid,
        "type": f"urn:miot-spec-v2:service:{name}:0001:test:1",
        "description": name.replace("-", " ").title(),
        "properties": list(props),
        "actions": actions or [],
    }


def action(iid: int, name: str, ins: list[int] | None = None) -> dict[str, Any]:
    """An action document."""
    return {
        "iid": iid,
        "type": f"urn:miot-spec-v2:action:{name}:0001:test:1",
        "description": name.title(),
        "in": ins or [],
        "out": [],
    }


def make_spec(device_type: str, *services: dict[str, Any]) -> DeviceSpec:
    """A parsed spec."""
    return parse_spec(
        {
            "type": f"urn:miot-spec-v2:device:{device_type}:0001:test:1",
            "description": device_type,
            "services": list(services),
        }
    )


class FakeCoordinator:
    """Records writes and actions; values are set directly."""

    def __init__(self, hass: HomeAssistant, spec: DeviceSpec, model: str = "test.dev.v1") -> None:
        self.hass = hass
        self.entry = MockConfigEntry(domain=DOMAIN)
        self.specs = {DID: spec}
        self.sync_areas = True
        self.language = hass.config.language
        self.devices = {
            DID: Device(
                did=DID,
                name="Dev",
                model=model,
                urn=spec.urn,
                online=True,
                parent_id="gw",
                room_id="r1",
                fw_version="1.0",
            )
        }
        self.room_names = {"r1": "Hall"}
        self.device_info_cache: dict[str, Any] = {}
        self.registry_devices: dict[str, Any] = {}
        self.values: dict[tuple[int, int], Any] = {}
        self.actions: list[tuple[int, int, list[Any]]] = []

    def value(self, did: str, siid: int, piid: int) -> Any:
        return self.values.get((siid, piid))

    def enabled_by_default(self, did: str, info: MiotEntityInfo) -> bool:
        return info.enabled_default

    def entity_infos(self, did: str) -> list[MiotEntityInfo]:
        if did not in self.devices:
            return []
        return discover_entities(self.specs[did], self.devices[did].model)

    def is_available(self, did: str) -> bool:
        return True

    async def async_set_property(self, did: str, siid: int, piid: int, value: Any) -> None:
        self.values[(siid, piid)] = value

    async def async_set_properties(self, did: str, values: dict[tuple[int, int], Any]) -> None:
        self.values.update(values)

    async def async_call_action(self, did: str, siid: int, aiid: int, ins: list[Any]) -> list[Any]:
        self.actions.append((siid, aiid, ins))
        return []


def entity_for(
    hass: HomeAssistant, spec: DeviceSpec, platform: Platform, cls: Any, model: str = "test.dev.v1"
) -> tuple[Any, FakeCoordinator]:
    """The first entity of a platform."""
    coordinator = FakeCoordinator(hass, spec, model)
    info: MiotEntityInfo = next(i for i in discover_entities(spec, model) if i.platform == platform)
    return cls(coordinator, DID, info), coordinator


async def test_lock(hass: HomeAssistant) -> None:
    """A lock with a writable target, and one with actions only."""
    spec = make_spec(
        "lock",
        service(
            2,
            "lock",
            prop(
                1,
                "lock-state",
                "uint8",
                ("read", "notify"),
                **{"value-list": vlist("Locked", "Unlocked", "Jammed")},
            ),
            prop(2, "target-state", "uint8", ("write",), **{"value-list": vlist("Lock", "Unlock")}),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.LOCK, lock.MiotLock)
    assert entity.is_locked is None
    coord.values[(2, 1)] = 0
    assert entity.is_locked is True
    coord.values[(2, 1)] = 1
    assert entity.is_locked is False
    coord.values[(2, 1)] = 2
    assert entity.is_locked is None
    await entity.async_lock()
    assert coord.values[(2, 2)] == 0
    await entity.async_unlock()
    assert coord.values[(2, 2)] == 1
    spec = make_spec("lock", service(2, "lock", actions=[action(1, "lock"), action(2, "unlock")]))
    entity, coord = entity_for(hass, spec, Platform.LOCK, lock.MiotLock)
    await entity.async_lock()
    await entity.async_unlock()
    assert coord.actions == [(2, 1, []), (2, 2, [])]
    # Status only: no remote control, no lock entity.
    spec = make_spec(
        "lock",
        service(
            2, "lock", prop(1, "lock-state", "uint8", ("read",), **{"value-list": vlist("Locked")})
        ),
    )
    assert not [i for i in discover_entities(spec) if i.platform == Platform.LOCK]


async def test_light_variants(hass: HomeAssistant) -> None:
    """Percent colour temperature, on/off only, unknown values."""
    spec = make_spec(
        "light",
        service(
            2,
            "light",
            prop(1, "on"),
            prop(2, "color-temperature", "uint8", **{"value-range": [0, 100, 1]}),
            prop(3, "brightness", "uint8", **{"value-range": [1, 100, 1]}),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.LIGHT, light.MiotLight)
    assert entity.min_color_temp_kelvin == 2700
    assert entity.is_on is None
    assert entity.brightness is None
    assert entity.color_temp_kelvin is None
    assert entity.rgb_color is None
    assert entity.effect is None
    coord.values.update({(2, 2): 50, (2, 3): 0})
    assert entity.color_temp_kelvin == 4600
    assert entity.brightness == 0
    await entity.async_turn_on(color_temp_kelvin=6500, brightness=1)
    assert coord.values[(2, 2)] == 100
    assert coord.values[(2, 3)] == 1
    spec = make_spec("light", service(2, "light", prop(1, "on")))
    entity, _ = entity_for(hass, spec, Platform.LIGHT, light.MiotLight)
    assert entity.brightness is None
    assert entity.color_temp_kelvin is None
    assert entity.supported_color_modes == {"onoff"}


async def test_climate_presets(hass: HomeAssistant) -> None:
    """A thermostat whose modes are presets; numeric fan levels; no on/off."""
    spec = make_spec(
        "thermostat",
        service(
            2,
            "thermostat",
            prop(1, "target-temperature", "uint8", unit="celsius", **{"value-range": [5, 35, 1]}),
            prop(2, "mode", "uint8", **{"value-list": vlist("Manual", "Away", "Heat")}),
            prop(3, "fan-level", "uint8", **{"value-range": [1, 3, 1]}),
            prop(4, "temperature", "float", ("read",), unit="fahrenheit"),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.CLIMATE, climate.MiotClimate)
    assert entity.hvac_modes == ["heat"]
    assert entity.preset_modes == ["Manual", "Away"]
    assert entity.fan_modes == ["1", "2", "3"]
    assert entity.hvac_mode == "heat"
    assert entity.preset_mode is None
    assert entity.swing_mode is None
    coord.values[(2, 2)] = 1
    assert entity.preset_mode == "Away"
    assert entity.hvac_mode == "heat"
    await entity.async_set_preset_mode("Manual")
    assert coord.values[(2, 2)] == 0
    await entity.async_set_fan_mode("2")
    assert entity.fan_mode == "2"
    await entity.async_set_temperature(temperature=21.4)
    assert coord.values[(2, 1)] == 21
    await entity.async_set_temperature()
    await entity.async_set_hvac_mode(climate.HVACMode.HEAT)
    assert coord.values[(2, 2)] == 2
    spec = make_spec(
        "heater",
        service(2, "heater", prop(1, "target-temperature", "float", unit="kelvin"), prop(2, "on")),
    )
    entity, coord = entity_for(hass, spec, Platform.CLIMATE, climate.MiotClimate)
    assert entity.temperature_unit == "°C"
    assert entity.hvac_mode is None
    coord.values[(2, 2)] = True
    assert entity.hvac_mode == "heat"
    await entity.async_set_hvac_mode(climate.HVACMode.HEAT)
    await entity.async_set_temperature(temperature=20.5)
    assert coord.values[(2, 1)] == 20.5


async def test_heaters_without_target_temperature(hass: HomeAssistant) -> None:
    """A heater with only on, heat level and mode is still a climate entity, and the main one;
    a bath heater's ptc-bath-heater service is its main entity (not its light), and its "Idle"
    mode is how it is off."""
    spec = make_spec(
        "heater",
        service(
            2,
            "heater",
            prop(1, "on"),
            prop(2, "heat-level", "uint8", **{"value-list": vlist("Low", "High", start=1)}),
            prop(3, "mode", "uint8", **{"value-list": vlist("Normal", "Sleep")}),
            prop(4, "fault", "uint8", ("read",), **{"value-list": vlist("No Faults")}),
        ),
    )
    main = [info for info in discover_entities(spec, "test.heater.v1") if info.main]
    assert [info.platform for info in main] == [Platform.CLIMATE]
    entity, coord = entity_for(hass, spec, Platform.CLIMATE, climate.MiotClimate)
    assert entity.supported_features & climate.ClimateEntityFeature.TARGET_TEMPERATURE == 0
    assert entity.hvac_modes == ["off", "heat"]
    assert entity.fan_modes == ["Low", "High"]
    assert entity.preset_modes == ["Normal", "Sleep"]
    assert entity.target_temperature is None
    coord.values[(2, 1)] = False
    assert entity.hvac_mode == "off"
    await entity.async_turn_on()
    assert coord.values[(2, 1)] is True
    await entity.async_set_fan_mode("High")
    assert coord.values[(2, 2)] == 2
    await entity.async_set_temperature(temperature=22)  # no target: nothing written
    assert (2, 5) not in coord.values
    await entity.async_turn_off()
    assert coord.values[(2, 1)] is False

    bath = make_spec(
        "bath-heater",
        service(
            2,
            "light",
            prop(1, "on"),
            prop(2, "brightness", "uint8", **{"value-range": [1, 100, 1]}),
        ),
        service(
            3,
            "ptc-bath-heater",
            prop(
                1,
                "mode",
                "uint8",
                **{"value-list": vlist("Idle", "Heat", "Ventilate", "Dry", start=1)},
            ),
            prop(2, "heating", "bool", ("read", "notify")),
            prop(3, "target-temperature", "uint8", unit="celsius", **{"value-range": [30, 50, 1]}),
            prop(4, "temperature", "float", ("read", "notify"), unit="celsius"),
        ),
    )
    infos = discover_entities(bath, "test.bhf.v1")
    main = [info for info in infos if info.main]
    assert [(info.platform, info.service.name) for info in main] == [
        (Platform.CLIMATE, "ptc-bath-heater")
    ]
    assert any(info.platform == Platform.LIGHT for info in infos)
    entity, coord = entity_for(hass, bath, Platform.CLIMATE, climate.MiotClimate, "test.bhf.v1")
    assert entity.hvac_modes == ["off", "heat", "fan_only", "dry"]
    assert entity.min_temp == 30
    coord.values[(3, 1)] = 1
    assert entity.hvac_mode == "off"
    await entity.async_turn_on()
    assert coord.values[(3, 1)] == 2
    assert entity.hvac_mode == "heat"
    await entity.async_set_hvac_mode(climate.HVACMode.DRY)
    assert coord.values[(3, 1)] == 4
    await entity.async_turn_off()
    assert coord.values[(3, 1)] == 1
    await entity.async_set_temperature(temperature=42)
    assert coord.values[(3, 3)] == 42

    # A heating service with nothing to set stays sensors.
    passive = make_spec(
        "heater",
        service(2, "heater", prop(1, "temperature", "float", ("read", "notify"), unit="celsius")),
    )
    assert not [i for i in discover_entities(passive, "x.y.z") if i.platform == Platform.CLIMATE]


async def test_fan_ranges(hass: HomeAssistant) -> None:
    """A fan with a ranged speed; value-list speeds without steps."""
    spec = make_spec(
        "fan",
        service(
            2, "fan", prop(1, "on"), prop(2, "speed-level", "uint8", **{"value-range": [1, 100, 1]})
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.FAN, fan.MiotFan)
    assert entity.speed_count == 100
    assert entity.percentage is None
    assert entity.preset_mode is None
    assert entity.oscillating is None
    coord.values[(2, 2)] = 50
    assert entity.percentage == 50
    await entity.async_turn_on(percentage=20)
    assert coord.values[(2, 2)] == 20
    coord.values[(2, 2)] = "x"
    assert entity.percentage is None
    spec = make_spec(
        "fan",
        service(
            2,
            "fan",
            prop(1, "on"),
            prop(2, "fan-level", "uint8", **{"value-list": vlist("Auto", "Level1", "Level2")}),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.FAN, fan.MiotFan)
    coord.values[(2, 2)] = 0
    assert entity.percentage is None
    coord.values[(2, 2)] = 2
    assert entity.percentage == 100
    spec = make_spec("fan", service(2, "fan", prop(1, "on"), prop(2, "fan-level", "string")))
    entity, coord = entity_for(hass, spec, Platform.FAN, fan.MiotFan)
    coord.values[(2, 2)] = "a"
    assert entity.percentage is None


async def test_cover_airer(hass: HomeAssistant) -> None:
    """An airer: up/down commands, status words, no position."""
    spec = make_spec(
        "airer",
        service(
            2,
            "airer",
            prop(
                1,
                "motor-control",
                "uint8",
                ("write",),
                **{"value-list": vlist("Pause", "Up", "Down")},
            ),
            prop(2, "status", "uint8", ("read",), **{"value-list": vlist("Stopped", "Up", "Down")}),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.COVER, cover.MiotCover)
    assert entity.current_cover_position is None
    assert entity.is_closed is None
    coord.values[(2, 2)] = 1
    assert entity.is_opening
    assert not entity.is_closing
    await entity.async_open_cover()
    assert coord.values[(2, 1)] == 1


async def test_sensors_and_binary(hass: HomeAssistant) -> None:
    """Integer energy/current units, text sensors, enum sensors, unknown values."""
    spec = make_spec(
        "outlet",
        service(
            2,
            "power-consumption",
            prop(1, "power-consumption", "uint32", ("read",)),
            prop(2, "electric-current", "uint16", ("read",)),
            prop(3, "firmware-text", "string", ("read",)),
            prop(4, "status", "uint8", ("read",), **{"value-list": vlist("Idle", "Busy")}),
            prop(5, "list-value", "uint8", ("read",)),
            prop(6, "fault", "bool", ("read",)),
        ),
    )
    coordinator = FakeCoordinator(hass, spec)
    entities = build_entities(
        coordinator,
        [DID, "unknown"],
        Platform.SENSOR,  # type: ignore[arg-type]
        sensor.MiotSensor,
    )
    by_key = {e.info.key: e for e in entities}  # type: ignore[attr-defined]
    assert by_key["2_1"].native_unit_of_measurement == "Wh"
    assert by_key["2_2"].native_unit_of_measurement == "mA"
    assert by_key["2_3"].entity_registry_enabled_default is False
    assert by_key["2_4"].options == ["idle", "busy"]
    coordinator.values.update({(2, 3): {"a": 1}, (2, 4): 1, (2, 5): 7})
    assert by_key["2_3"].native_value == "{'a': 1}"
    assert by_key["2_4"].native_value == "busy"
    assert by_key["2_5"].native_value == 7
    assert by_key["2_1"].native_value is None
    binaries = build_entities(
        coordinator,
        [DID],
        Platform.BINARY_SENSOR,  # type: ignore[arg-type]
        binary_sensor.MiotBinarySensor,
    )
    assert binaries[0].is_on is None  # type: ignore[attr-defined]


async def test_voltage_in_tenths(hass: HomeAssistant) -> None:
    """A plug's unitless 0-3000 integer voltage is in 0.1 V (2200 → 220.0 V); a voltage with a
    unit or a float one is shown as it comes."""
    spec = make_spec(
        "outlet",
        service(2, "switch", prop(1, "on")),
        service(
            3,
            "power-consumption",
            prop(1, "voltage", "uint16", ("read", "notify"), **{"value-range": [0, 3000, 1]}),
            prop(
                2,
                "electric-current",
                "uint16",
                ("read", "notify"),
                **{"value-range": [0, 65535, 1]},
            ),
        ),
    )
    coordinator = FakeCoordinator(hass, spec, "cuco.plug.cp1m")
    infos = {
        i.primary.name: i
        for i in discover_entities(spec, "cuco.plug.cp1m")
        if i.primary and i.platform == Platform.SENSOR
    }
    volts = sensor.MiotSensor(coordinator, DID, infos["voltage"])  # type: ignore[arg-type]
    coordinator.values[(3, 1)] = 2213
    assert volts.native_value == 221.3
    assert volts.native_unit_of_measurement == "V"
    amps = sensor.MiotSensor(coordinator, DID, infos["electric-current"])  # type: ignore[arg-type]
    coordinator.values[(3, 2)] = 160
    assert amps.native_value == 160
    assert amps.native_unit_of_measurement == "mA"
    spec = make_spec(
        "outlet",
        service(
            3,
            "power-consumption",
            prop(1, "voltage", "float", ("read",), unit="volt", **{"value-range": [0, 300, 0.1]}),
        ),
    )
    coordinator = FakeCoordinator(hass, spec)
    info = next(i for i in discover_entities(spec) if i.platform == Platform.SENSOR)
    plain = sensor.MiotSensor(coordinator, DID, info)  # type: ignore[arg-type]
    coordinator.values[(3, 1)] = 229.5
    assert plain.native_value == 229.5


async def test_misc_entities(hass: HomeAssistant) -> None:
    """Humidifier, water heater, media player, vacuum edge values."""
    spec = make_spec(
        "humidifier",
        service(
            2,
            "humidifier",
            prop(1, "on"),
            prop(2, "target-humidity", "float", **{"value-range": [30, 80, 10]}),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.HUMIDIFIER, humidifier.MiotHumidifier)
    assert entity.is_on is None
    assert entity.action is None
    assert entity.mode is None
    await entity.async_set_humidity(57)
    assert coord.values[(2, 2)] == 60
    spec = make_spec(
        "water-heater", service(2, "water-heater", prop(1, "target-temperature", "uint8"))
    )
    entity, coord = entity_for(hass, spec, Platform.WATER_HEATER, water_heater.MiotWaterHeater)
    await entity.async_set_temperature(temperature=40.2)
    assert coord.values[(2, 1)] == 40
    assert entity.current_operation is None
    spec = make_spec(
        "speaker",
        service(2, "speaker", prop(1, "volume", "uint8")),
        service(
            3,
            "play-control",
            prop(
                1,
                "playing-state",
                "uint8",
                ("read",),
                **{"value-list": vlist("Stop", "Playing", "Weird")},
            ),
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.MEDIA_PLAYER, media_player.MiotMediaPlayer)
    assert entity.volume_level is None
    assert entity.is_volume_muted is None
    coord.values[(3, 1)] = 1
    assert entity.state == "playing"
    coord.values[(3, 1)] = 2
    assert entity.state == "on"
    spec = make_spec("speaker", service(2, "speaker", prop(1, "volume", "uint8")))
    entity, _ = entity_for(hass, spec, Platform.MEDIA_PLAYER, media_player.MiotMediaPlayer)
    assert entity.state == "on"
    assert vacuum.activity_of(None) is None
    spec = make_spec(
        "vacuum",
        service(
            2,
            "vacuum",
            prop(1, "status", "uint8", ("read",), **{"value-list": vlist("Paused")}),
            actions=[action(1, "start-sweep"), action(2, "pause")],
        ),
    )
    entity, coord = entity_for(hass, spec, Platform.VACUUM, vacuum.MiotVacuum)
    coord.values[(2, 1)] = 0
    assert entity.activity == "paused"
    await entity.async_pause()
    assert coord.actions == [(2, 2, [])]


async def test_device_info_and_helpers(hass: HomeAssistant) -> None:
    """Registry data, manufacturers, units, namespaces."""
    spec = make_spec("outlet", service(2, "switch", prop(1, "on")))
    coordinator = FakeCoordinator(hass, spec, model="cuco.plug.v1")
    coordinator.devices["gw"] = coordinator.devices[DID]
    # The gateway is not registered yet: no via device.
    assert "via_device_id" not in device_info(coordinator, DID)  # type: ignore[arg-type]
    coordinator.entry.add_to_hass(hass)
    gateway = dr.async_get(hass).async_get_or_create(
        config_entry_id=coordinator.entry.entry_id, identifiers={(DOMAIN, "gw")}
    )
    info = device_info(coordinator, DID)  # type: ignore[arg-type]
    assert info["manufacturer"] == "Gosund"
    assert info["suggested_area"] == "Hall"
    assert info["via_device_id"] == gateway.id
    assert manufacturer("acme.thing.v1") == "Acme"
    assert manufacturer("") == "Xiaomi"
    assert manufacturer("090615.switch.mesw2") == "Xiaomi"
    assert ha_unit(spec.property(2, 1)) is None
    assert is_standard(spec.services[0])


async def test_factory_errors_are_skipped(hass: HomeAssistant) -> None:
    """A factory that raises (or returns None) skips that entity only."""
    spec = make_spec("outlet", service(2, "switch", prop(1, "on")))
    coordinator = FakeCoordinator(hass, spec)

    def broken(*_args: Any) -> Any:
        raise ValueError("bad")

    assert build_entities(coordinator, [DID], Platform.SWITCH, broken) == []  # type: ignore[arg-type]
    assert build_entities(coordinator, [DID], Platform.SWITCH, lambda *_: None) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["Screen", "Screen Brightness"]), ("zh-Hans", ["屏幕", "屏幕 亮度"])],
)
async def test_names_follow_language(
    hass: HomeAssistant, language: str, expected: list[str]
) -> None:
    """Translated spec names in Home Assistant's language; duplicates get the service name."""
    ranged = {"value-range": [1, 100, 1]}
    spec = make_spec(
        "light",
        service(2, "light", prop(1, "on"), prop(2, "brightness", "uint8", **ranged)),
        service(3, "screen", prop(1, "on"), prop(2, "brightness", "uint8", **ranged)),
    )
    spec.apply_translations({"zh_cn": {"service:003": "屏幕", "service:003:property:002": "亮度"}})
    infos = discover_entities(spec)
    named = {info.key: info.name(language) for info in infos}
    assert named == {"2_1": None, "3_1": expected[0], "3_2": expected[1]}


async def test_event_arguments_and_robustness(hass: HomeAssistant) -> None:
    """Event arguments are named by property; a failing schema check skips only that schema."""
    from custom_components.miot_connect import event as event_module
    from custom_components.miot_connect.coordinator import MiotEventData
    from custom_components.miot_connect.discovery import MiotSchema, find_value, register_schemas

    spec = make_spec("motion-sensor", service(2, "motion-sensor", prop(1, "illumination", "uint8")))
    spec.services[0].events.append(
        parse_spec(
            {
                "type": "urn:x:device:y:1",
                "services": [
                    {
                        "iid": 2,
                        "type": "urn:x:service:s:1",
                        "events": [
                            {
                                "iid": 1,
                                "type": "urn:x:event:motion-detected:1",
                                "description": "Motion",
                                "arguments": [1],
                            }
                        ],
                    }
                ],
            }
        )
        .services[0]
        .events[0]
    )
    entity, _ = entity_for(hass, spec, Platform.EVENT, event_module.MiotEvent)
    fired: list[tuple[str, dict[str, Any]]] = []
    entity._trigger_event = lambda kind, attrs: fired.append((kind, attrs))  # type: ignore[method-assign]
    entity.async_write_ha_state = lambda: None  # type: ignore[method-assign]
    entity._handle_event(MiotEventData(DID, 2, 9, {}))
    entity._handle_event(MiotEventData(DID, 2, 1, {1: 30, 7: "x"}))
    assert fired == [("motion-detected", {"illumination": 30, "7": "x"})]
    assert find_value(spec.property(2, 1), "nothing") is None

    def boom(*_args: Any) -> bool:
        raise RuntimeError("malformed")

    saved = list(event_module.SCHEMAS)
    register_schemas(
        Platform.EVENT,
        [MiotSchema(platform=Platform.EVENT, key="bad", check=boom, properties=()), *saved],
    )
    try:
        assert discover_entities(spec)
    finally:
        register_schemas(Platform.EVENT, saved)
