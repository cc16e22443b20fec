"""Translations: English mirrors strings.json, every language has every key, code keys exist."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.const import __version__ as HA_VERSION
import pytest

from custom_components.miot_connect.const import DEFAULT_LANGUAGE, LANGUAGES, default_language

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


def _tool() -> Any:
    """scripts/translations.py as a module."""
    spec = importlib.util.spec_from_file_location(
        "translations_tool", COMPONENT.parents[1] / "scripts" / "translations.py"
    )
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_english_is_strings_json() -> None:
    """translations/en.json is strings.json with `[%key:...%]` references resolved
    (custom integrations ship no build step: `scripts/translations.py sync-en` writes it)."""
    assert _load("translations/en.json") == _tool().resolve(_load("strings.json"))


TRANSLATION_FILES = sorted((COMPONENT / "translations").glob("*.json"))


def test_translation_files_exist() -> None:
    """Every language of the config flow's choice has a UI translation, and no other does."""
    assert {path.stem for path in TRANSLATION_FILES} == set(LANGUAGES)


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=lambda path: path.stem)
def test_translation_has_every_key_and_placeholder(path: Path) -> None:
    """Each translations/*.json has exactly the keys of strings.json and, per string,
    the same {placeholders} as en.json; no string is empty."""
    strings = _load("strings.json")
    translated = _load(f"translations/{path.name}")
    assert sorted(_keys(translated) - _keys(strings)) == [], "keys strings.json does not have"
    assert sorted(_keys(strings) - _keys(translated)) == [], "keys not translated"
    expected = _placeholders(_load("translations/en.json"))
    found = _placeholders(translated)
    wrong = {key: (found[key], expected[key]) for key in expected if found[key] != expected[key]}
    assert wrong == {}
    empty = [key for key, value in _strings(translated).items() if not value.strip()]
    assert empty == []


def _strings(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            found.update(_strings(value, f"{prefix}{key}."))
        else:
            found[prefix + key] = str(value)
    return found


def test_language_choice_covers_translations() -> None:
    """The config flow's language choice lists every translation language, each with a label."""
    languages = {path.stem for path in TRANSLATION_FILES}
    assert languages <= set(LANGUAGES)
    assert DEFAULT_LANGUAGE in LANGUAGES
    assert len(set(LANGUAGES)) == len(LANGUAGES)
    assert set(_load("strings.json")["selector"]["language"]["options"]) == set(LANGUAGES)


def test_translations_tool_finds_nothing_missing() -> None:
    """scripts/translations.py agrees: en.json is in sync and no language lacks a key."""
    tool = _tool()
    english = tool.flatten(tool.resolve(_load("strings.json")))
    assert english == tool.flatten(_load("translations/en.json"))
    for lang in tool.languages():
        kinds = {kind for kind, _key in tool.problems(lang, english) if kind != "stale"}
        assert kinds == set(), lang


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


@pytest.mark.parametrize(
    ("ha_language", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hant", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("pt-BR", "pt-BR"),
        ("pt", "pt-BR"),
        ("de-CH", "de"),
        ("cs", "cs"),
        ("fi", "en"),
    ],
)
def test_default_language_follows_home_assistant(ha_language: str, expected: str) -> None:
    """The config flow proposes the choice closest to Home Assistant's own language."""
    assert default_language(ha_language) == expected
