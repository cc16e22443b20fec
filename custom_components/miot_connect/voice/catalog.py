"""What can be named: every entity exposed to Assist, with its names, kinds, area and floor.

Built from Home Assistant's registries and states on each sentence (cheap next to a cloud call),
so it always matches what the user exposed, renamed or moved; covers all exposed entities,
not only this integration's.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import ATTR_DEVICE_CLASS
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
)

from ..voice_names import has_cjk
from .normalize import normalize
from .words import DOMAIN_KINDS, KINDS

ASSISTANT = "conversation"
_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "my",
        "our",
        "in",
        "on",
        "of",
        "room",
        "s",
        "'s",
        "的",
        "temperature",
        "humidity",
        "温度",
        "湿度",
    }
)


@dataclass(slots=True)
class Place:
    """An area or a floor: its id and the names it answers to."""

    id: str
    names: list[str]
    display_en: str
    display_zh: str
    floor_id: str | None = None


@dataclass(slots=True)
class Target:
    """An exposed entity as the matcher sees it."""

    entity_id: str
    domain: str
    state: State
    names: list[str]  # normalized full names
    kinds: set[str]
    labels: set[str]  # words of its name that are neither a room nor a kind ("tv", "desk")
    area_id: str | None
    floor_id: str | None
    display_en: str
    display_zh: str
    primary: bool = True
    device_class: str | None = None
    area_en: str = ""
    area_zh: str = ""


@dataclass(slots=True)
class Catalog:
    """Everything that can be named, right now."""

    targets: list[Target]
    areas: list[Place]
    floors: list[Place]


def find(text: str, phrase: str) -> re.Match[str] | None:
    """Where a phrase stands in the text: anywhere for Chinese, as whole words for English
    (a plural or possessive ending allowed)."""
    if not phrase:
        return None
    if has_cjk(phrase):
        return re.search(re.escape(phrase), text)
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?:s|es|'s|')?(?![a-z0-9])", text)


def kinds_in(text: str) -> list[tuple[str, str]]:
    """(kind key, word) for each kind word in the text, longest words first, not overlapping."""
    found: list[tuple[str, str]] = []
    words = sorted(
        ((word, kind.key) for kind in KINDS for word in (*kind.english, *kind.chinese)),
        key=lambda item: -len(item[0]),
    )
    for word, key in words:
        if (match := find(text, word)) is not None:
            found.append((key, word))
            text = text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]
    return found


def mask(text: str, phrase: str) -> str:
    """The text with the phrase blanked out (so its words are not read twice)."""
    match = find(text, phrase)
    if match is None:
        return text
    return text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]


def _place_names(name: str, aliases: set[str] | list[str]) -> tuple[list[str], str, str]:
    names = [normalize(name), *(normalize(alias) for alias in aliases)]
    all_names = [name, *aliases]
    english = next((n for n in all_names if not has_cjk(n)), name)
    chinese = next((n for n in all_names if has_cjk(n)), name)
    return [n for n in dict.fromkeys(names) if n], english, chinese


def _display(names: list[str], chinese: bool) -> str | None:
    """The entity's own name when in the language, else its longest alias in it."""
    if names and has_cjk(names[0]) == chinese:
        return names[0]
    same = [n for n in names if has_cjk(n) == chinese]
    return max(same, key=len) if same else None


def async_build(hass: HomeAssistant) -> Catalog:
    """The catalog of exposed entities, areas and floors."""
    area_reg = ar.async_get(hass)
    floor_reg = fr.async_get(hass)
    device_reg = dr.async_get(hass)
    entity_reg = er.async_get(hass)
    areas: dict[str, Place] = {}
    for area in area_reg.async_list_areas():
        names, english, chinese = _place_names(area.name, area.aliases)
        areas[area.id] = Place(area.id, names, english, chinese, area.floor_id)
    floors = []
    for floor in floor_reg.async_list_floors():
        names, english, chinese = _place_names(floor.name, floor.aliases)
        floors.append(Place(floor.floor_id, names, english, chinese))
    place_words = {name for place in areas.values() for name in place.names}

    targets: list[Target] = []
    for state in hass.states.async_all():
        if not async_should_expose(hass, ASSISTANT, state.entity_id):
            continue
        entry = entity_reg.async_get(state.entity_id)
        raw_names = [state.name]
        area_id: str | None = None
        primary = True
        if entry is not None:
            raw_names.extend(er.async_get_entity_aliases(hass, entry))
            area_id = entry.area_id
            if entry.device_id and (device := device_reg.async_get(entry.device_id)):
                area_id = area_id or device.area_id
                primary = entry.original_name is None or entry.has_entity_name is False
        raw_names = [n for n in dict.fromkeys(raw_names) if n]
        names = [n for n in dict.fromkeys(normalize(n) for n in raw_names) if n]
        device_class = state.attributes.get(ATTR_DEVICE_CLASS)
        domain = state.domain
        kinds = {key for name in names for key, _ in kinds_in(name)}
        if not kinds or domain in ("light", "vacuum", "water_heater", "humidifier"):
            default = DOMAIN_KINDS.get((domain, device_class)) or DOMAIN_KINDS.get((domain, None))
            if default is not None:
                kinds.add(default)
        if domain == "climate":
            kinds.add("thermostat")  # "the heating", "温控器": any climate
        labels: set[str] = set()
        for name in names:
            rest = name
            for word in sorted(place_words, key=len, reverse=True):
                rest = mask(rest, word)
            for _, word in kinds_in(rest):
                rest = mask(rest, word)
            if has_cjk(rest):
                labels.update(part for part in re.split(r"[\s的]+", rest) if len(part) >= 2)
            else:
                labels.update(w for w in rest.split() if w not in _STOP and len(w) >= 2)
        place = areas.get(area_id or "")
        targets.append(
            Target(
                entity_id=state.entity_id,
                domain=domain,
                state=state,
                names=names,
                kinds=kinds,
                labels=labels,
                area_id=area_id,
                floor_id=place.floor_id if place else None,
                display_en=_display(raw_names, False) or _said(kinds, place, False) or state.name,
                display_zh=_display(raw_names, True) or _said(kinds, place, True) or state.name,
                primary=primary,
                device_class=device_class,
                area_en=place.display_en if place else "",
                area_zh=place.display_zh if place else "",
            )
        )
    return Catalog(targets, list(areas.values()), floors)


def _said(kinds: set[str], place: Place | None, chinese: bool) -> str | None:
    """A name made of the room and the type ("客厅灯")."""
    from .words import KIND_BY_KEY

    if not kinds:
        return None
    kind = KIND_BY_KEY[sorted(kinds)[0]]
    if chinese:
        return f"{place.display_zh if place else ''}{kind.say_zh}"
    said = " ".join(word[:1].upper() + word[1:] for word in kind.say_en.split())
    return f"{place.display_en + ' ' if place else ''}{said}"
