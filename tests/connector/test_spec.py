"""Spec parsing, lookup by name, translations and value coercion."""

from __future__ import annotations

import json
from typing import Any

from miot import (
    DeviceSpec,
    MiotInvalidValueError,
    MiotSpecError,
    SpecProperty,
    SpecValue,
    ValueRange,
    parse_spec,
    urn_name,
)
from miot.spec import _pick, language_keys, normalize_language
import pytest

from .conftest import SPECS_DIR

SPEC_FILES = sorted(SPECS_DIR.glob("*.json"))

LIGHT: dict[str, Any] = {
    "type": "urn:miot-spec-v2:device:light:0000A001:yeelink-mono5:1",
    "description": "Light",
    "x-unknown": True,
    "services": [
        {
            "iid": 1,
            "type": "urn:miot-spec-v2:service:device-information:00007801:yeelink-mono5:1",
            "description": "Device Information",
            "properties": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:property:manufacturer:00000001:yeelink-mono5:1",
                    "description": "Device Manufacturer",
                    "format": "string",
                    "access": ["read"],
                }
            ],
        },
        {
            "iid": 2,
            "type": "urn:miot-spec-v2:service:light:00007802:yeelink-mono5:1",
            "description": "Light",
            "properties": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:property:on:00000006:yeelink-mono5:1",
                    "description": "Switch Status",
                    "format": "bool",
                    "access": ["read", "write", "notify"],
                },
                {
                    "iid": 2,
                    "type": "urn:miot-spec-v2:property:brightness:0000000D:yeelink-mono5:1",
                    "description": "Brightness",
                    "format": "uint8",
                    "access": ["read", "write", "notify"],
                    "unit": "percentage",
                    "value-range": [1, 100, 1],
                },
                {
                    "iid": 3,
                    "type": "urn:miot-spec-v2:property:mode:00000008:yeelink-mono5:1",
                    "description": "Mode",
                    "format": "uint8",
                    "access": ["read", "write"],
                    "unit": "none",
                    "value-list": [
                        {"value": 0, "description": "Day Light"},
                        {"value": 1, "description": "Night-Mode"},
                    ],
                },
                {
                    "iid": 4,
                    "type": "urn:miot-spec-v2:property:temperature:00000020:yeelink-mono5:1",
                    "description": "Temperature",
                    "format": "float",
                    "access": ["read", "write"],
                    "value-range": [16, 30, 0.5],
                },
                {
                    "iid": 5,
                    "type": "urn:miot-spec-v2:property:code:00000021:yeelink-mono5:1",
                    "description": "Code",
                    "format": "hex",
                    "access": ["write"],
                },
                {
                    "iid": 6,
                    "type": "urn:miot-spec-v2:property:delta:00000022:yeelink-mono5:1",
                    "description": "Delta",
                    "format": "int8",
                    "access": ["write"],
                },
                {
                    "iid": 7,
                    "type": "urn:miot-spec-v2:property:blob:00000023:yeelink-mono5:1",
                    "description": "Blob",
                    "format": "weird",
                    "access": "read",
                },
                {"iid": 8, "description": "No Type At All", "access": ["read"]},
                {
                    "iid": 9,
                    "type": "urn:miot-spec-v2:property:ratio:00000024:yeelink-mono5:1",
                    "description": "Ratio",
                    "format": "float",
                    "access": ["write"],
                    "value-range": [0, 1],
                },
            ],
            "actions": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:action:toggle:00002811:yeelink-mono5:1",
                    "description": "Toggle",
                    "in": [],
                    "out": [],
                },
                {
                    "iid": 2,
                    "type": "urn:miot-spec-v2:action:set-mode:00002812:yeelink-mono5:1",
                    "description": "Set Mode",
                    "in": [3, 2],
                    "out": [1],
                },
            ],
            "events": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:event:mode-changed:00005001:yeelink-mono5:1",
                    "description": "Mode Changed",
                    "arguments": [3],
                }
            ],
        },
    ],
}


@pytest.fixture
def light() -> DeviceSpec:
    """The hand-written light spec."""
    return parse_spec(json.loads(json.dumps(LIGHT)))


def test_all_shared_specs_parse() -> None:
    """Every real spec document parses and every property is addressable by name."""
    assert len(SPEC_FILES) >= 181
    for path in SPEC_FILES:
        spec = parse_spec(json.loads(path.read_text("utf-8")))
        assert spec.urn.startswith("urn:")
        assert spec.services, path.name
        for service in spec.services:
            assert service.name
            for prop in service.properties:
                assert prop.name
                assert spec.has_property(prop.siid, prop.iid)
                assert spec.property(prop.siid, prop.iid) is prop
                assert prop.allowed()
            for action in service.actions:
                assert spec.action(service.iid, action.iid) is action
            for event in service.events:
                assert spec.event(service.iid, event.iid) is event


def test_find_by_name(light: DeviceSpec) -> None:
    """Lookups go by urn short name, never by number."""
    assert light.name == "light"
    assert light.find_service("light") is light.service(2)
    assert light.find_service("nope") is None
    brightness = light.find_property("light", "brightness")
    assert brightness is not None
    assert (brightness.siid, brightness.piid) == (2, 2)
    assert brightness.readable
    assert brightness.writable
    assert brightness.notifiable
    assert brightness.unit == "percentage"
    assert brightness.value_range == ValueRange(1, 100, 1)
    assert light.find_property("light", "nope") is None
    assert light.find_property("nope", "brightness") is None
    action = light.find_action("light", "set-mode")
    assert action is not None
    assert action.aiid == 2
    assert action.in_piids == [3, 2]
    assert light.find_action("light", "nope") is None
    event = light.find_event("light", "mode-changed")
    assert event is not None
    assert event.eiid == 1
    assert event.arguments == [3]
    assert light.find_event("light", "nope") is None
    service = light.service(2)
    assert service is not None
    assert service.siid == 2
    assert service.find_action("toggle") is service.action(1)
    assert service.find_event("mode-changed") is service.event(1)
    assert light.service(9) is None
    assert light.action(9, 1) is None
    assert light.event(9, 1) is None
    assert light.event(2, 9) is None
    assert not light.has_property(2, 99)
    assert not light.has_property(9, 1)
    with pytest.raises(KeyError):
        light.property(2, 99)
    assert len(list(light.properties())) == 10
    mode = light.property(2, 3)
    assert mode.unit is None
    assert mode.value_label(1) == "Night-Mode"
    assert mode.value_label(7) is None
    assert [item.name for item in mode.value_list] == ["day_light", "night_mode"]
    # Lenient parsing: odd access, missing type and format.
    blob = light.property(2, 7)
    assert blob.access == ()
    assert not blob.readable
    untyped = light.property(2, 8)
    assert untyped.name == "no-type-at-all"
    assert untyped.format == "string"


def test_translations_padded_and_unpadded(light: DeviceSpec) -> None:
    """multiLanguage keys: zero padded like the real service, or not."""
    light.apply_translations(
        {
            "zh_cn": {
                "service:002": "灯",
                "service:002:property:002": "亮度",
                "service:002:property:003:valuelist:001": "夜灯",
                "service:002:action:002": "设置模式",
                "service:002:event:001": "模式改变",
                "service:009": "ignored",
                "service:002:property:099": "ignored",
                "service:002:action:099": "ignored",
                "service:002:property:003:valuelist:009": "ignored",
                "service:002:property:003:other:001": "ignored",
                "service:002:gadget:001": "ignored",
                "service:x": "ignored",
                "device:001": "ignored",
                "odd": "ignored",
                "service:002:property:001": "   ",
            },
            "en": {"service:2:property:2": "Brightness level", "service:2": "Lamp"},
            "broken": "not a table",
        }
    )
    service = light.service(2)
    assert service is not None
    assert service.label("zh-Hans") == "灯"
    assert service.label("en-US") == "Lamp"
    assert service.label("de") == "Lamp"  # no German name: English, then the description
    assert service.label() == "Light"
    brightness = light.property(2, 2)
    assert brightness.names == {"zh_cn": "亮度", "en": "Brightness level"}
    assert brightness.label("zh_CN") == "亮度"
    assert light.property(2, 1).names == {}
    mode = light.property(2, 3)
    assert mode.value_list[1].label("zh-Hans") == "夜灯"
    assert mode.value_list[0].label("zh-Hans") == "Day Light"
    assert mode.value_label(1, "zh-Hans") == "夜灯"
    action = light.action(2, 2)
    assert action is not None
    assert action.label("zh-Hans") == "设置模式"
    event = light.event(2, 1)
    assert event is not None
    assert event.label("zh-Hans") == "模式改变"
    assert light.label("en") == "Light"
    assert normalize_language("zh-Hant") == "zh_tw"
    assert normalize_language("en_US") == "en"


def test_language_keys_map_home_assistant_languages() -> None:
    """A Home Assistant language maps to the multiLanguage keys to try, English last."""
    assert language_keys("zh-Hant") == ("zh_tw", "zh_hk", "en")
    assert language_keys("zh-HK") == ("zh_hk", "zh_tw", "en")
    assert language_keys("zh-Hans") == ("zh_cn", "en")
    assert language_keys("pt-BR") == ("pt_br", "pt", "en")
    assert language_keys("pt") == ("pt", "pt_br", "en")
    assert language_keys("de") == ("de", "en")
    assert language_keys("de-CH") == ("de_ch", "de", "en")
    assert language_keys("en") == ("en",)
    for lang in ("fr", "es", "ja", "ko", "ru", "it", "nl", "pl", "tr", "uk", "vi", "cs"):
        assert language_keys(lang) == (lang, "en")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-Hant", "燈（台灣）"),
        ("zh-Hans", "灯"),
        ("pt-BR", "Luz"),
        ("de", "Licht"),
        ("de-AT", "Licht"),
        ("ja", "ライト"),
        ("cs", "Lamp"),
        ("vi", "Lamp"),
        (None, "Light"),
    ],
)
def test_label_picks_language_then_english_then_description(
    lang: str | None, expected: str
) -> None:
    """Labels come from the language's keys, else English, else the description."""
    spec = parse_spec(
        {
            "type": "urn:miot-spec-v2:device:light:0000A001:test-light:1",
            "description": "Test",
            "services": [
                {
                    "iid": 2,
                    "type": "urn:miot-spec-v2:service:light:00007802:test-light:1",
                    "description": "Light",
                }
            ],
        }
    )
    spec.apply_translations(
        {
            "zh_CN": {"service:002": "灯"},
            "zh_TW": {"service:002": "燈（台灣）"},
            "zh_HK": {"service:002": "燈（香港）"},
            "pt": {"service:002": "Luz"},
            "de": {"service:002": "Licht"},
            "ja": {"service:002": "ライト"},
            "en": {"service:002": "Lamp"},
        }
    )
    service = spec.service(2)
    assert service is not None
    assert service.label(lang) == expected


def test_traditional_chinese_falls_back_to_hong_kong() -> None:
    """zh-Hant takes zh_hk when the spec has no zh_tw name."""
    names = {"zh_hk": "燈", "en": "Lamp"}
    assert _pick(names, "zh-Hant", "Light") == "燈"
    assert _pick(names, "zh-TW", "Light") == "燈"
    assert _pick({"pt_br": "Luz"}, "pt-BR", "Light") == "Luz"
    assert _pick({}, "pt-BR", "Light") == "Light"


def test_urn_name() -> None:
    """Short names come from the fourth urn field."""
    assert urn_name("urn:miot-spec-v2:property:on:00000006:x:1") == "on"
    assert urn_name("urn:vendor-spec:service:custom-thing:0001:x:1") == "custom-thing"
    assert urn_name("garbage") == ""


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "not a JSON object"),
        ({"type": "urn:x"}, "no services"),
        ({"type": "urn:x", "services": {"iid": 1}}, "not a list of objects"),
        ({"type": "urn:x", "services": [{"type": "urn:s"}]}, "missing or invalid iid"),
        ({"type": "urn:x", "services": [{"iid": True}]}, "invalid iid"),
        (
            {"type": "urn:x", "services": [{"iid": 1, "properties": [{"iid": "a"}]}]},
            "invalid iid",
        ),
        (
            {
                "type": "urn:x",
                "services": [{"iid": 1, "properties": [{"iid": 1, "value-range": [1]}]}],
            },
            "invalid value-range",
        ),
        (
            {
                "type": "urn:x",
                "services": [{"iid": 1, "properties": [{"iid": 1, "value-range": ["a", 2]}]}],
            },
            "invalid value-range",
        ),
        (
            {
                "type": "urn:x",
                "services": [{"iid": 1, "properties": [{"iid": 1, "value-list": [{}]}]}],
            },
            "has no value",
        ),
        (
            {"type": "urn:x", "services": [{"iid": 1, "actions": [{"iid": 1, "in": 3}]}]},
            "list of iids",
        ),
        (
            {"type": "urn:x", "services": [{"iid": 1, "events": [{"iid": 1, "arguments": ["x"]}]}]},
            "list of iids",
        ),
    ],
)
def test_broken_documents(document: Any, message: str) -> None:
    """A broken document is one clear MiotSpecError."""
    with pytest.raises(MiotSpecError, match=message):
        parse_spec(document, "urn:given")


def test_urn_from_caller_and_value_range_without_step() -> None:
    """A document without type takes the requested urn; a zero step means no step."""
    spec = parse_spec(
        {
            "services": [
                {"iid": 1, "properties": [{"iid": 1, "format": "uint8", "value-range": [0, 10, 0]}]}
            ]
        },
        "urn:miot-spec-v2:device:fan:1:x:1",
    )
    assert spec.urn == "urn:miot-spec-v2:device:fan:1:x:1"
    prop = spec.property(1, 1)
    assert prop.value_range == ValueRange(0, 10, None)
    assert prop.value_range is not None
    assert prop.value_range.describe() == "0..10"
    assert prop.name == "property-1"
    assert spec.services[0].name == "service-1"


# ------------------------------------------------------------------- coercion
def _prop(fmt: str, **kwargs: Any) -> SpecProperty:
    return SpecProperty(
        siid=2, iid=1, urn="", name="thing", description="Thing", format=fmt, **kwargs
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (1.0, True),
        ("on", True),
        ("OFF", False),
        ("true", True),
        ("false", False),
        ("1", True),
        (" yes ", True),
        ("no", False),
    ],
)
def test_coerce_bool(value: Any, expected: bool) -> None:
    """Booleans accept the usual spellings."""
    assert _prop("bool").coerce(value) is expected


@pytest.mark.parametrize("value", [2, "maybe", None, [], -1])
def test_coerce_bool_rejects(value: Any) -> None:
    """Anything else is refused with the property named."""
    with pytest.raises(MiotInvalidValueError, match=r"thing \(2\.1\).*boolean"):
        _prop("bool").coerce(value)


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("uint8", 255, 255),
        ("uint8", "7", 7),
        ("uint8", 3.0, 3),
        ("uint8", "4.0", 4),
        ("int8", -128, -128),
        ("int16", 32767, 32767),
        ("uint16", 65535, 65535),
        ("int32", -(2**31), -(2**31)),
        ("uint32", 2**32 - 1, 2**32 - 1),
        ("int64", 2**63 - 1, 2**63 - 1),
    ],
)
def test_coerce_int(fmt: str, value: Any, expected: int) -> None:
    """Integer formats convert and keep their bit ranges."""
    assert _prop(fmt).coerce(value) == expected


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("uint8", 256),
        ("uint8", -1),
        ("int8", 128),
        ("int16", -32769),
        ("uint32", 2**32),
        ("int64", 2**63),
        ("uint8", 1.5),
        ("uint8", True),
        ("uint8", "abc"),
        ("uint8", None),
        ("uint8", float("nan")),
    ],
)
def test_coerce_int_rejects(fmt: str, value: Any) -> None:
    """Out of the bit range or not an integer."""
    with pytest.raises(MiotInvalidValueError, match="thing"):
        _prop(fmt).coerce(value)


def test_value_range_and_step() -> None:
    """Range and step are enforced; the message says what is allowed."""
    prop = _prop("uint8", value_range=ValueRange(10, 100, 5))
    assert prop.coerce(15) == 15
    with pytest.raises(MiotInvalidValueError, match=r"10\.\.100 step 5"):
        prop.coerce(12)
    with pytest.raises(MiotInvalidValueError, match=r"10\.\.100 step 5"):
        prop.coerce(105)
    temp = _prop("float", value_range=ValueRange(16, 30, 0.5))
    assert temp.coerce("22.5") == 22.5
    assert temp.coerce(17) == 17.0
    assert temp.coerce(16.1 + 0.4) == 16.5
    with pytest.raises(MiotInvalidValueError, match=r"16\.\.30 step 0\.5"):
        temp.coerce(22.3)
    with pytest.raises(MiotInvalidValueError):
        temp.coerce(float("inf"))
    coarse = _prop("float", value_range=ValueRange(0, 100, 2))
    assert coarse.coerce(4) == 4.0
    free = _prop("float")
    assert free.coerce(1e-9) == 1e-9
    assert _prop("uint8").allowed() == "uint8 in 0..255"


def test_value_list() -> None:
    """Value lists accept the value, its description or its name."""
    prop = _prop(
        "uint8",
        value_list=[
            SpecValue(1, "Auto Mode", "auto_mode"),
            SpecValue(2, "Sleep", "sleep", names={"zh_cn": "睡眠"}),
        ],
    )
    assert prop.coerce(1) == 1
    assert prop.coerce("2") == 2
    assert prop.coerce("auto mode") == 1
    assert prop.coerce("auto_mode") == 1
    assert prop.coerce("Auto-Mode") == 1
    assert prop.coerce("睡眠") == 2
    with pytest.raises(MiotInvalidValueError, match=r"one of 1 \(Auto Mode\), 2 \(Sleep\)"):
        prop.coerce(3)
    with pytest.raises(MiotInvalidValueError, match="one of"):
        prop.coerce("turbo")
    text = _prop("string", value_list=[SpecValue("a", "Alpha", "alpha")])
    assert text.coerce("Alpha") == "a"
    assert text.coerce("a") == "a"
    with pytest.raises(MiotInvalidValueError):
        text.coerce("b")


def test_string_hex_and_unknown_formats() -> None:
    """Strings must be strings; hex accepts hex text, ints and bytes."""
    assert _prop("string").coerce("hello") == "hello"
    with pytest.raises(MiotInvalidValueError, match="a string"):
        _prop("string").coerce(5)
    hexp = _prop("hex")
    assert hexp.coerce("0A1b") == "0A1b"
    assert hexp.coerce("0xff") == "ff"
    assert hexp.coerce(255) == "ff"
    assert hexp.coerce(b"\x01\x02") == "0102"
    for bad in ("xyz", -1, True, 1.5):
        with pytest.raises(MiotInvalidValueError, match="hex"):
            hexp.coerce(bad)
    assert _prop("weird").coerce({"any": 1}) == {"any": 1}


def test_spec_service_and_property_aliases(light: DeviceSpec) -> None:
    """piid/aiid/eiid aliases and action lookups."""
    service = light.service(2)
    assert service is not None
    assert service.property(3) is light.property(2, 3)
    assert service.property(42) is None
    assert service.action(42) is None
    assert service.event(42) is None
    assert service.find_property("mode") is light.property(2, 3)
    assert service.find_property("none") is None
    assert light.find_services("light") == [service]


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        (_prop("float", value_range=ValueRange(-30, 100, 0.1)), 23.45),
        (_prop("float"), 7),
        (_prop("uint8", value_range=ValueRange(0, 100, 1)), 100),
        (_prop("bool"), True),
        (_prop("bool"), 1),
        (_prop("string"), "anything"),
        (_prop("hex"), "ff00"),
        (_prop("uint8"), None),
        (_prop("weird"), {"any": "thing"}),
    ],
)
def test_check_reported_accepts(prop: SpecProperty, value: Any) -> None:
    """Readings that can be true pass unchanged (steps and value lists are not checked)."""
    assert prop.check_reported(value) == value


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        (_prop("float", value_range=ValueRange(-30, 100, 0.1)), "err"),
        (_prop("float", value_range=ValueRange(-30, 100, 0.1)), 1e308),
        (_prop("float"), float("nan")),
        (_prop("float"), True),
        (_prop("uint8", value_range=ValueRange(0, 100, 1)), -99999),
        (_prop("uint8"), 256),
        (_prop("bool"), "yes"),
        (_prop("bool"), 2),
        (_prop("string"), 5),
        (_prop("hex"), 255),
    ],
)
def test_check_reported_rejects(prop: SpecProperty, value: Any) -> None:
    """Readings that cannot be true raise MiotInvalidValueError."""
    with pytest.raises(MiotInvalidValueError):
        prop.check_reported(value)


@pytest.mark.parametrize("iid", [2.9, float("inf"), float("nan"), 1e400, "2.5", None, [2]])
def test_iids_are_never_truncated_or_overflow(iid: Any) -> None:
    """An iid that is not a whole number is a clear MiotSpecError (2.9 is not read as 2)."""
    with pytest.raises(MiotSpecError, match="invalid iid"):
        parse_spec({"type": "urn:x", "services": [{"iid": iid}]})
    with pytest.raises(MiotSpecError, match="list of iids"):
        parse_spec(
            {"type": "urn:x", "services": [{"iid": 1, "actions": [{"iid": 1, "in": [iid]}]}]}
        )


def test_whole_number_iids_in_any_spelling() -> None:
    """`2`, `2.0` and `" 2 "` are the same iid."""
    spec = parse_spec({"type": "urn:x", "services": [{"iid": 2.0}, {"iid": " 3 "}, {"iid": 4}]})
    assert [service.iid for service in spec.services] == [2, 3, 4]


@pytest.mark.parametrize(
    ("value_range", "accepted"),
    [
        ([float("inf"), 1], False),
        ([0, float("nan")], False),
        ([5, 1], False),
        ([0, 1e308, 1e-300], True),
        ([0, 10, float("inf")], True),  # an infinite step is no step
    ],
)
def test_value_ranges_that_cannot_be_right(value_range: list[float], accepted: bool) -> None:
    """An odd range allows nothing it should not and never overflows."""
    spec = parse_spec(
        {
            "type": "urn:x",
            "services": [
                {
                    "iid": 1,
                    "properties": [{"iid": 1, "format": "float", "value-range": value_range}],
                }
            ],
        }
    )
    prop = spec.property(1, 1)
    assert prop.allowed()
    if accepted:
        assert prop.coerce(1.5) == 1.5
        return
    with pytest.raises(MiotInvalidValueError):
        prop.coerce(1.5)


def test_huge_value_range_numbers_are_a_spec_error() -> None:
    """A bound too big for a float is a clear MiotSpecError, not an OverflowError."""
    with pytest.raises(MiotSpecError, match="invalid value-range"):
        parse_spec(
            {
                "type": "urn:x",
                "services": [{"iid": 1, "properties": [{"iid": 1, "value-range": [0, 10**400]}]}],
            }
        )


def test_float_is_sent_on_the_step_grid() -> None:
    """16.5000004 for a step of 0.5 is sent as 16.5; 0.30000000000000004 for 0.1 as 0.3."""
    half = _prop("float", value_range=ValueRange(16, 30, 0.5))
    assert half.coerce(16.5000004) == 16.5
    tenth = _prop("float", value_range=ValueRange(0, 1, 0.1))
    assert tenth.coerce(0.1 + 0.2) == 0.3
    offset = _prop("float", value_range=ValueRange(0.05, 1, 0.1))
    assert offset.coerce(0.15000001) == 0.15


def test_errors_are_short_and_name_a_missing_value() -> None:
    """A null says no value was given; a huge input is not repeated in full."""
    with pytest.raises(MiotInvalidValueError, match="no value given"):
        _prop("bool").coerce(None)
    with pytest.raises(MiotInvalidValueError) as err:
        _prop("uint8").coerce("x" * 10_000)
    assert len(str(err.value)) < 200
