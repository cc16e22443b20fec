"""Carrying out a plan with Home Assistant's own services, and saying what was done.

One row per (action, domain) in `SERVICES`; the answer is a sentence of ours in the language
asked (strings.json, `conversation` section), naming the device and the value.
"""

from __future__ import annotations

import contextlib
from typing import Any

from homeassistant.components.vacuum.const import VacuumEntityFeature
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from .catalog import Target
from .understand import Plan
from .words import COLORS, KIND_BY_KEY, WHITES

# (action, domain) → (service domain, service). A missing domain uses the "*" row.
SERVICES: dict[tuple[str, str], tuple[str, str]] = {
    ("on", "*"): ("", "turn_on"),
    ("off", "*"): ("", "turn_off"),
    ("on", "cover"): ("cover", "open_cover"),
    ("off", "cover"): ("cover", "close_cover"),
    ("on", "valve"): ("valve", "open_valve"),
    ("off", "valve"): ("valve", "close_valve"),
    ("on", "vacuum"): ("vacuum", "start"),
    ("off", "vacuum"): ("vacuum", "return_to_base"),
    ("on", "media_player"): ("media_player", "turn_on"),
    ("brightness", "*"): ("light", "turn_on"),
    ("brightness_step", "*"): ("light", "turn_on"),
    ("color", "*"): ("light", "turn_on"),
    ("white", "*"): ("light", "turn_on"),
    ("white_step", "*"): ("light", "turn_on"),
    ("position", "*"): ("cover", "set_cover_position"),
    ("position_step", "*"): ("cover", "set_cover_position"),
    ("temperature", "*"): ("", "set_temperature"),
    ("temperature_step", "*"): ("", "set_temperature"),
    ("fan_level", "*"): ("fan", "set_percentage"),
    ("fan_share", "*"): ("fan", "set_percentage"),
    ("fan_percent", "*"): ("fan", "set_percentage"),
    ("fan_step", "*"): ("fan", "set_percentage"),
    ("humidity", "*"): ("humidifier", "set_humidity"),
    ("volume", "*"): ("media_player", "volume_set"),
    ("volume_step", "*"): ("media_player", "volume_set"),
    ("start", "*"): ("vacuum", "start"),
    ("return", "*"): ("vacuum", "return_to_base"),
    ("pause", "vacuum"): ("vacuum", "pause"),
    ("pause", "media_player"): ("media_player", "media_pause"),
    ("resume", "vacuum"): ("vacuum", "start"),
    ("resume", "media_player"): ("media_player", "media_play"),
    ("stop", "vacuum"): ("vacuum", "stop"),
    ("stop", "media_player"): ("media_player", "media_stop"),
}
# Answer key per action (on/off: opened/closed for covers and valves).
_ANSWER: dict[str, str] = {
    "brightness": "voice_brightness",
    "brightness_step": "voice_brightness",
    "color": "voice_color",
    "white": "voice_color",
    "white_step": "voice_color_temp",
    "position": "voice_position",
    "position_step": "voice_position",
    "temperature": "voice_temperature",
    "temperature_step": "voice_temperature",
    "fan_level": "voice_fan_speed",
    "fan_share": "voice_fan_speed",
    "fan_percent": "voice_fan_speed",
    "fan_step": "voice_fan_speed",
    "humidity": "voice_humidity",
    "volume": "voice_volume",
    "volume_step": "voice_volume",
    "start": "voice_start",
    "return": "voice_return",
    "pause": "voice_pause",
    "resume": "voice_resume",
    "stop": "voice_stop",
}


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _number(value: float) -> str:
    return f"{value:g}"


def _service_data(plan: Plan, target: Target) -> tuple[dict[str, Any], str]:
    """Service data for one target, and the value said back."""
    attrs = target.state.attributes
    value = plan.value
    action = plan.action
    if action == "brightness":
        level = int(_clamp(float(value or 0), 1, 100))
        return {"brightness_pct": level}, f"{level}"
    if action == "brightness_step":
        current = round((attrs.get("brightness") or 128) * 100 / 255)
        level = int(_clamp(current + float(value or 0), 1, 100))
        return {"brightness_pct": level}, f"{level}"
    if action == "color":
        english, chinese = next((e, z) for e, z, css in COLORS if css == value)
        return {"color_name": value}, chinese if plan.chinese else english
    low = attrs.get("min_color_temp_kelvin") or 2700
    high = attrs.get("max_color_temp_kelvin") or 6500
    if action == "white":
        kelvin = round(low + float(value or 0) * (high - low))
        said = next(z if plan.chinese else e for _, share, e, z in WHITES if share == value)
        return {"color_temp_kelvin": kelvin}, said
    if action == "white_step":
        current = attrs.get("color_temp_kelvin") or (low + high) / 2
        kelvin = round(_clamp(current + float(value or 0) * (high - low) / 4, low, high))
        return {"color_temp_kelvin": kelvin}, f"{kelvin}"
    if action == "position":
        position = int(_clamp(float(value or 0), 0, 100))
        return {"position": position}, f"{position}"
    if action == "position_step":
        current = attrs.get("current_position") or 0
        position = int(_clamp(current + float(value or 0), 0, 100))
        return {"position": position}, f"{position}"
    if action in ("temperature", "temperature_step"):
        step = attrs.get("target_temp_step") or 1
        low_t, high_t = attrs.get("min_temp", 7), attrs.get("max_temp", 35)
        wanted = float(value or 0)
        if action == "temperature_step":
            wanted += float(attrs.get(ATTR_TEMPERATURE) or attrs.get("current_temperature") or 0)
        wanted = _clamp(round(wanted / step) * step, low_t, high_t)
        return {ATTR_TEMPERATURE: wanted}, _number(wanted)
    if action in ("fan_level", "fan_share", "fan_percent", "fan_step"):
        count = int((attrs.get("percentage_step") and round(100 / attrs["percentage_step"])) or 3)
        if action == "fan_step":
            now = round(float(attrs.get("percentage") or 0) * count / 100)
            action, value = "fan_level", now + float(value or 0)
        if action == "fan_level":
            level = int(_clamp(float(value or 1), 1, count))
            percent, said = round(level * 100 / count), f"{level}"
        elif action == "fan_share":
            level = max(1, round(1 + float(value or 0) * (count - 1)))
            percent, said = round(level * 100 / count), f"{level}"
        else:
            percent = int(_clamp(float(value or 0), 0, 100))
            said = f"{percent}%"
        return {"percentage": percent}, said
    if action == "humidity":
        humidity = int(_clamp(float(value or 0), attrs.get("min_humidity", 0), 100))
        humidity = int(_clamp(humidity, 0, attrs.get("max_humidity", 100)))
        return {"humidity": humidity}, f"{humidity}"
    if action in ("volume", "volume_step"):
        volume = float(value or 0)
        if action == "volume_step":
            volume += round(float(attrs.get("volume_level") or 0) * 100)
        volume = _clamp(volume, 0, 100)
        return {"volume_level": volume / 100}, _number(volume)
    return {}, ""


async def _answer(hass: HomeAssistant, chinese: bool, key: str, **values: str) -> str:
    language = "zh-Hans" if chinese else "en"
    strings = await async_get_translations(hass, language, "conversation", [DOMAIN])
    text = strings.get(f"component.{DOMAIN}.conversation.{key}", key)
    return text.format(**values)


def said_name(targets: list[Target], chinese: bool) -> str:
    """How the targets are named back: one name, room and type ("客厅灯"), or a list."""
    if len(targets) == 1:
        return targets[0].display_zh if chinese else targets[0].display_en
    shared = set.intersection(*(t.kinds for t in targets))
    if shared:
        kind = KIND_BY_KEY[sorted(shared)[0]]
        if len({t.area_id for t in targets}) == 1:
            if chinese:
                return f"{targets[0].area_zh}{kind.say_zh}"
            return f"{targets[0].area_en} {kind.say_en}s".strip()
        return f"所有{kind.say_zh}" if chinese else f"all the {kind.say_en}s"
    joiner = "、" if chinese else ", "
    return joiner.join(t.display_zh if chinese else t.display_en for t in targets)


async def async_carry_out(hass: HomeAssistant, plan: Plan, context: Context | None) -> str:
    """Do what the plan says and return the answer."""
    chinese = plan.chinese
    if plan.ask:
        joiner = "、" if chinese else ", "
        spoken = [t.display_zh if chinese else t.display_en for t in plan.targets]
        spoken = [
            t.state.name if spoken.count(name) > 1 else name
            for t, name in zip(plan.targets, spoken, strict=True)
        ]
        names = joiner.join(spoken)
        return await _answer(hass, chinese, "voice_which", names=names)
    if plan.action.startswith("query_"):
        return await _async_query(hass, plan)
    available = [t for t in plan.targets if t.state.state != STATE_UNAVAILABLE]
    if not available:
        name = said_name(plan.targets, chinese)
        return await _answer(hass, chinese, "voice_unavailable", name=name)
    name = said_name(available, chinese)
    said = ""
    for target in available:
        domain = target.domain
        row = SERVICES.get((plan.action, domain)) or SERVICES[(plan.action, "*")]
        if row == ("vacuum", "pause") and not (
            target.state.attributes.get("supported_features", 0) & VacuumEntityFeature.PAUSE
        ):
            row = ("vacuum", "stop")  # a vacuum that cannot pause stops where it is
        service_domain = row[0] or domain
        data, said = _service_data(plan, target)
        await hass.services.async_call(
            service_domain,
            row[1],
            {ATTR_ENTITY_ID: target.entity_id, **data},
            blocking=True,
            context=context,
        )
    if plan.action in ("on", "off"):
        opens = all(t.domain in ("cover", "valve") for t in available)
        key = {
            ("on", False): "voice_on",
            ("off", False): "voice_off",
            ("on", True): "voice_opened",
            ("off", True): "voice_closed",
        }[(plan.action, opens)]
        return await _answer(hass, chinese, key, name=name)
    return await _answer(hass, chinese, _ANSWER[plan.action], name=name, value=said)


_STATES: dict[str, tuple[str, str]] = {
    "on": ("on", "开着"),
    "off": ("off", "关着"),
    "open": ("open", "开着"),
    "opening": ("opening", "正在打开"),
    "closed": ("closed", "关着"),
    "closing": ("closing", "正在关闭"),
    "locked": ("locked", "锁着"),
    "unlocked": ("unlocked", "没锁"),
    "cleaning": ("cleaning", "正在打扫"),
    "docked": ("docked", "在充电座上"),
    "returning": ("returning to its base", "正在回充"),
    "paused": ("paused", "暂停了"),
    "idle": ("idle", "空闲"),
    "playing": ("playing", "正在播放"),
    STATE_UNAVAILABLE: ("unavailable", "不可用"),
    STATE_UNKNOWN: ("unknown", "状态未知"),
}
_OPENING_CLASSES = frozenset({"door", "window", "garage_door", "opening"})


async def _async_query(hass: HomeAssistant, plan: Plan) -> str:
    """Answer a question about a state, a temperature or a humidity."""
    chinese = plan.chinese
    target = plan.targets[0]
    state = target.state
    mentions = plan.mentions
    places = [*mentions.areas, *mentions.floors] if mentions else []
    place = places[0] if places else None
    if plan.action == "query_state":
        value = state.state
        if state.domain == "binary_sensor" and (
            state.attributes.get(ATTR_DEVICE_CLASS) in _OPENING_CLASSES
        ):
            value = "open" if value == "on" else "closed"
        english, zh = _STATES.get(value, (value, value))
        if state.domain in ("climate", "water_heater") and value not in _STATES:
            english, zh = _STATES["off" if value == "off" else "on"]
        name = target.display_zh if chinese else target.display_en
        return await _answer(
            hass, chinese, "voice_state", name=name, state=zh if chinese else english
        )
    if state.domain == "sensor":
        number = state.state
    elif plan.action == "query_temperature":
        number = str(state.attributes.get("current_temperature", STATE_UNKNOWN))
    else:
        number = str(state.attributes.get("current_humidity", STATE_UNKNOWN))
    with contextlib.suppress(ValueError):
        number = _number(round(float(number), 1))
    key = "voice_temperature_is" if plan.action == "query_temperature" else "voice_humidity_is"
    if place is not None:
        name = place.display_zh if chinese else place.display_en
    else:
        name = target.display_zh if chinese else target.display_en
        key += "_device"
    return await _answer(hass, chinese, key, name=name, value=number)
