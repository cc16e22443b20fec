"""English and Chinese forms of rooms and device types, and the alias rules."""

from __future__ import annotations

import json

import pytest

from custom_components.miot_connect.miot.spec import DeviceSpec, parse_spec
from custom_components.miot_connect.voice_names import (
    DEVICE_TYPES,
    area_aliases,
    device_aliases,
    device_type_forms,
    has_cjk,
    room_forms,
)

from .test_discovery import SPEC_FILES


def _spec(device_type: str, *services: str) -> DeviceSpec:
    return parse_spec(
        {
            "type": f"urn:miot-spec-v2:device:{device_type}:0000A001:demo:1",
            "description": device_type,
            "services": [
                {"iid": iid, "type": f"urn:miot-spec-v2:service:{name}:00007801:demo:1"}
                for iid, name in enumerate(services, start=2)
            ],
        }
    )


@pytest.mark.parametrize(
    ("room", "forms"),
    [
        ("Living Room", ("Living Room", "客厅")),
        ("living room", ("living room", "客厅")),
        ("客厅", ("Living Room", "客厅")),
        ("浴室", ("Bathroom", "卫生间")),
        ("Grandma's Room", None),
    ],
)
def test_room_forms(room: str, forms: tuple[str, str] | None) -> None:
    """A known room name is found in either language."""
    assert room_forms(room) == forms


def test_area_aliases() -> None:
    """An area gets the other-language name only."""
    assert area_aliases("Kitchen") == ["厨房"]
    assert area_aliases("厨房") == ["Kitchen"]
    assert area_aliases("Attic Studio") == []


def test_has_cjk() -> None:
    """Chinese characters are told from Latin ones."""
    assert has_cjk("客厅空调")
    assert has_cjk("Xiaoai 音箱")
    assert not has_cjk("Living Room Lamp")


def test_device_aliases() -> None:
    """The other-language type, the room-qualified type and the name without its room."""
    ac = _spec("air-conditioner", "air-conditioner")
    assert device_aliases("客厅空调", "Living Room", ac, unique=True) == [
        "空调",
        "Living Room Air Conditioner",
        "Air Conditioner",
    ]
    assert device_aliases("Study AC", "Study", ac, unique=True) == ["AC", "书房空调", "空调"]
    # Shared with another device of the type in the room, or no type: nothing.
    assert device_aliases("客厅空调", "Living Room", ac, unique=False) == []
    assert device_aliases("Thing", None, _spec("mystery-box"), unique=True) == []
    # Lights, fans and curtains are named by Assist's own sentences.
    assert device_aliases("Desk Lamp", "Study", _spec("light", "light"), unique=True) == []
    # No room: the type only.
    assert device_aliases("Robot Vacuum", None, _spec("vacuum"), unique=True) == ["扫地机器人"]


def test_xiaoai_speaker() -> None:
    """A speaker with the intelligent-speaker service is a Xiaoai speaker."""
    assert device_type_forms(_spec("speaker", "speaker", "intelligent-speaker")) == (
        "Xiaoai Speaker",
        "小爱音箱",
    )
    assert device_type_forms(_spec("speaker", "speaker")) == ("Speaker", "音箱")


def test_every_test_spec_type_has_forms() -> None:
    """Each device type of the test specs (bar gateways and remotes) has both forms."""
    types = {
        json.loads(path.read_text())["type"].split(":")[3]
        for path in SPEC_FILES
        if path.read_text().lstrip().startswith("{")
    }
    missing = types - set(DEVICE_TYPES) - {"gateway", "remote-control"}
    assert not missing
