"""Translations: English mirrors strings.json, Chinese has every key, code keys exist."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.const import __version__ as HA_VERSION
import pytest

COMPONENT = Path(__file__).parents[2] / "custom_components" / "miot_connect"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COMPONENT / name).read_text(encoding="utf-8"))
    return data


def _keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in data.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
    return keys


def _placeholders(data: dict[str, Any], prefix: str = "") -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            found.update(_placeholders(value, f"{prefix}{key}."))
        else:
            found[prefix + key] = set(re.findall(r"\{(\w+)\}", str(value)))
    return found


def test_english_is_strings_json() -> None:
    """translations/en.json is strings.json (custom integrations ship no build step)."""
    assert _load("translations/en.json") == _load("strings.json")


def test_chinese_has_every_key_and_placeholder() -> None:
    """zh-Hans translates every key with the same placeholders."""
    strings = _load("strings.json")
    chinese = _load("translations/zh-Hans.json")
    assert _keys(chinese) == _keys(strings)
    assert _placeholders(chinese) == _placeholders(strings)


@pytest.mark.parametrize("section", ["exceptions", "issues"])
def test_code_keys_are_translated(section: str) -> None:
    """Every translation_key the code raises or files exists in strings.json."""
    strings = _load("strings.json")
    source = "\n".join(path.read_text(encoding="utf-8") for path in COMPONENT.glob("*.py"))
    pattern = r'translation_key="(\w+)"' if section == "exceptions" else r'"(\w+)"'
    used = set(re.findall(pattern, source))
    if section == "exceptions":
        missing = {key for key in used if key not in strings["exceptions"]}
        # Keys that name entities belong to the entity section.
        entity_keys = {key for platform in strings.get("entity", {}).values() for key in platform}
        other = set(strings["selector"]) | set(strings["issues"])
        assert missing - entity_keys - other == set()
    else:
        for key in ("spec_unavailable", "push_disconnected"):
            assert key in strings["issues"]
            assert key in used


def test_manifest_and_hacs() -> None:
    """The manifest has what HACS and Home Assistant require."""
    manifest = _load("manifest.json")
    for key in ("domain", "name", "codeowners", "config_flow", "documentation", "iot_class"):
        assert key in manifest
    assert manifest["domain"] == "miot_connect"
    assert manifest["iot_class"] == "cloud_push"
    hacs = json.loads((COMPONENT.parents[1] / "hacs.json").read_text(encoding="utf-8"))
    # The oldest release HACS offers this to is the one CI runs.
    assert hacs["homeassistant"] == HA_VERSION


def test_icons_cover_translated_entities_and_services() -> None:
    """icons.json has an icon for every translated entity and every service."""
    strings = _load("strings.json")
    icons = _load("icons.json")
    for platform, keys in strings.get("entity", {}).items():
        for key in keys:
            assert "default" in icons["entity"][platform][key], f"{platform}.{key}"
    for service in strings["services"]:
        assert icons["services"][service]["service"].startswith("mdi:"), service
