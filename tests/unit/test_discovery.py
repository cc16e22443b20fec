"""Discovery over every shared spec: no crash, each item claimed once, the right platform."""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path

import pytest

from custom_components.miot_connect.discovery import MiotEntityInfo, discover_entities
from custom_components.miot_connect.miot.spec import DeviceSpec, parse_spec, urn_name

# The project's copy of the 181 real documents of ../shared/specs (see its SOURCES.md).
SPEC_DIR = Path(__file__).parent.parent / "data" / "shared_specs"
SPEC_FILES = sorted(SPEC_DIR.glob("*.json"))

# Device type (from the device urn) → the platform of the device's main entity.
EXPECTED_PRIMARY: dict[str, str] = {
    "light": "light",
    "outlet": "switch",
    "switch": "switch",
    "air-purifier": "fan",
    "air-fresh": "fan",
    "fan": "fan",
    "air-conditioner": "climate",
    "air-condition-outlet": "climate",
    "heater": "climate",
    "thermostat": "climate",
    "electric-blanket": "climate",
    "curtain": "cover",
    "airer": "cover",
    "humidifier": "humidifier",
    "dehumidifier": "humidifier",
    "vacuum": "vacuum",
    "water-heater": "water_heater",
    "speaker": "media_player",
    "magnet-sensor": "binary_sensor",
    "motion-sensor": "binary_sensor",
}
# Device types without a main entity: every reading is named; this platform must be present.
EXPECTED_PRESENT: dict[str, str] = {"air-monitor": "sensor"}


def load(path: Path) -> DeviceSpec:
    """Parse a spec file with the connector's parser."""
    return parse_spec(json.loads(path.read_text(encoding="utf-8")))


def claimed_items(infos: list[MiotEntityInfo]) -> list[tuple[str, int, int]]:
    """Every spec item an entity claims."""
    items: list[tuple[str, int, int]] = []
    for info in infos:
        for role, prop in info.props.items():
            need = next(n for n in info.schema.properties if n.role == role)
            if need.claim:
                items.append(("p", prop.siid, prop.iid))
        items.extend(("a", a.siid, a.iid) for a in info.actions.values())
        if info.action is not None:
            items.append(("a", info.action.siid, info.action.iid))
        if info.event is not None:
            items.append(("e", info.event.siid, info.event.iid))
    return items


def test_specs_found() -> None:
    """The shared documents (or the local fallback) are there."""
    assert len(SPEC_FILES) >= 5


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.stem for p in SPEC_FILES])
def test_discovery(path: Path) -> None:
    """No crash, each item once, unique ids unique, the expected platform.

    The entity set itself is snapshot-tested end to end in tests/integration/test_all_specs.py.
    """
    spec = load(path)
    infos = discover_entities(spec, path.stem)
    items = claimed_items(infos)
    duplicates = [item for item, count in Counter(items).items() if count > 1]
    assert not duplicates
    keys = [info.key for info in infos]
    assert len(keys) == len(set(keys))
    mains = [info for info in infos if info.main]
    assert len(mains) <= 1
    device_type = urn_name(spec.urn)
    if device_type in EXPECTED_PRIMARY:
        assert [str(info.platform) for info in mains] == [EXPECTED_PRIMARY[device_type]]
    if device_type in EXPECTED_PRESENT:
        assert EXPECTED_PRESENT[device_type] in {str(info.platform) for info in infos}
    for info in infos:
        if not info.main:
            assert info.name("en") or info.translation_key
    assert all(info.describe()["platform"] for info in infos)
