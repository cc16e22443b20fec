"""Understanding: a normalized sentence → what to do (actions in order of likelihood) and to what.

No service is called here. `understand` returns a `Plan`: the action and value chosen, the
targets, or the candidates to ask back about; or None when the sentence is not understood with
confidence (then Home Assistant's own handling answers it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import re

from homeassistant.const import ATTR_DEVICE_CLASS

from ..voice_names import has_cjk
from .catalog import Catalog, Place, Target, find, kinds_in, mask
from .normalize import normalize, numbers
from .words import ALL_WORDS, COLORS, FAN_LEVELS, KIND_BY_KEY, KINDS, WHITES

_SWITCHABLE = frozenset(
    {
        "light",
        "switch",
        "fan",
        "climate",
        "humidifier",
        "water_heater",
        "media_player",
        "input_boolean",
        "cover",
        "vacuum",
        "siren",
        "valve",
    }
)
# Action → domains it applies to.
DOMAINS: dict[str, frozenset[str]] = {
    "on": _SWITCHABLE | {"scene", "script"},
    "off": _SWITCHABLE,
    "brightness": frozenset({"light"}),
    "brightness_step": frozenset({"light"}),
    "color": frozenset({"light"}),
    "white": frozenset({"light"}),
    "white_step": frozenset({"light"}),
    "position": frozenset({"cover"}),
    "position_step": frozenset({"cover"}),
    "temperature": frozenset({"climate", "water_heater"}),
    "temperature_step": frozenset({"climate", "water_heater"}),
    "fan_level": frozenset({"fan"}),
    "fan_share": frozenset({"fan"}),
    "fan_percent": frozenset({"fan"}),
    "fan_step": frozenset({"fan"}),
    "humidity": frozenset({"humidifier"}),
    "volume": frozenset({"media_player"}),
    "volume_step": frozenset({"media_player"}),
    "start": frozenset({"vacuum"}),
    "return": frozenset({"vacuum"}),
    "pause": frozenset({"vacuum", "media_player"}),
    "resume": frozenset({"vacuum", "media_player"}),
    "stop": frozenset({"vacuum", "media_player"}),
    "query_state": frozenset(),  # any domain
    "query_temperature": frozenset({"sensor", "climate", "water_heater"}),
    "query_humidity": frozenset({"sensor", "climate", "humidifier"}),
}
# Actions that say by themselves what they act on ("开始打扫", "make it cooler").
_SELF_TARGETING = frozenset(
    {
        "start",
        "return",
        "temperature",
        "temperature_step",
        "humidity",
        "query_temperature",
        "query_humidity",
        "fan_level",
        "fan_share",
    }
)
_KIND_WORDS = frozenset(word for kind in KINDS for word in (*kind.english, *kind.chinese))
_SENSOR_CLASS = {"query_temperature": "temperature", "query_humidity": "humidity"}

_QUESTION_ZH: tuple[str, ...] = (
    "干嘛",
    "在干",
    "干什么",
    "在做什么",
    "状态",
    "吗",
    "多少",
    "几度",
    "是不是",
    "是否",
    "有没有",
    "什么",
    "怎么样",
    "怎样",
    "几",
)
_QUESTION_EN = re.compile(
    r"^(?:is|are|was|were|what|what's|whats|how|does|do|did|tell me|check|which)\b"
)
_HUMIDITY: tuple[str, ...] = ("湿度", "humidity", "humid")
_TEMPERATURE: tuple[str, ...] = (
    "温度",
    "几度",
    "多少度",
    "多热",
    "多冷",
    "冷不冷",
    "热不热",
    "temperature",
    "how warm",
    "how hot",
    "how cold",
    "degrees",
    "heat",
    "heating",
    "暖气",
)
_BRIGHTNESS: tuple[str, ...] = ("亮度", "brightness")
_VOLUME: tuple[str, ...] = ("音量", "声音", "volume")
_SPEED: tuple[str, ...] = ("风速", "风量", "速度", "speed", "level", "setting", "档")
_POSITION: tuple[str, ...] = ("位置", "position", "开合")
_ABSOLUTE: tuple[str, ...] = ("到", "为", "成", "至", "设", "to", "set", "at")
_UP: tuple[str, ...] = (
    "lift",
    "升起",
    "调高",
    "升高",
    "提高",
    "调大",
    "加大",
    "增加",
    "高一",
    "大一",
    "高点",
    "大点",
    "高些",
    "大些",
    "turn up",
    "raise",
    "increase",
    "higher",
    "up",
    "more",
)
_DOWN: tuple[str, ...] = (
    "调低",
    "降低",
    "调小",
    "减小",
    "减少",
    "低一",
    "小一",
    "低点",
    "小点",
    "低些",
    "小些",
    "turn down",
    "lower",
    "decrease",
    "down",
    "less",
    "reduce",
)
_BRIGHTER: tuple[str, ...] = (
    "太暗",
    "too dark",
    "亮一",
    "亮些",
    "调亮",
    "更亮",
    "亮点",
    "brighter",
    "brighten",
    "lighter",
    "brightness up",
)
_DIMMER: tuple[str, ...] = (
    "太亮",
    "too bright",
    "暗一",
    "暗些",
    "调暗",
    "更暗",
    "暗点",
    "dimmer",
    "darker",
    "dim",
    "brightness down",
)
_COOLER: tuple[str, ...] = (
    "有点热",
    "好热",
    "很热",
    "热死",
    "太闷",
    "it's hot",
    "i'm hot",
    "冷一",
    "冷些",
    "凉一",
    "凉快",
    "凉些",
    "降温",
    "冷点",
    "cooler",
    "colder",
    "cool down",
    "too hot",
    "太热",
)
_WARMER: tuple[str, ...] = (
    "有点冷",
    "好冷",
    "很冷",
    "冷死",
    "it's cold",
    "i'm cold",
    "暖一",
    "暖些",
    "暖和",
    "热一",
    "热些",
    "升温",
    "热点",
    "暖点",
    "warmer",
    "hotter",
    "warm up",
    "heat up",
    "too cold",
    "太冷",
    "turn up the heat",
)
_MOST: tuple[str, ...] = ("最高", "最大", "maximum", "max", "highest", "full")
_LEAST: tuple[str, ...] = ("最低", "最小", "minimum", "min", "lowest")
_BRIGHTEST: tuple[str, ...] = ("最亮", "full brightness", "brightest", "max brightness")
_DIMMEST: tuple[str, ...] = ("最暗", "dimmest", "lowest brightness", "min brightness")
_RETURN: tuple[str, ...] = (
    "回来",
    "回家",
    "回充",
    "充电",
    "回去",
    "返回",
    "回到",
    "回座",
    "基站",
    "回桩",
    "go home",
    "go back",
    "return",
    "dock",
    "base",
    "charge",
    "charging",
    "come home",
    "head home",
)
_START: tuple[str, ...] = (
    "打扫",
    "清扫",
    "扫地",
    "拖地",
    "扫一扫",
    "开始",
    "start",
    "clean",
    "cleaning",
    "vacuuming",
    "mop",
    "mopping",
    "begin",
    "vacuum the",
)
_PAUSE: tuple[str, ...] = ("暂停", "停一停", "pause", "hold on", "停")
_STOP: tuple[str, ...] = ("停止", "stop", "halt", "别扫", "不要扫")
_RESUME: tuple[str, ...] = (
    "继续",
    "恢复",
    "resume",
    "continue",
    "unpause",
    "carry on",
    "keep going",
)
_OFF: tuple[str, ...] = (
    "关",
    "灭",
    "熄灭",
    "熄",
    "停掉",
    "拉上",
    "合上",
    "放下",
    "断电",
    "off",
    "close",
    "shut",
    "deactivate",
    "disable",
    "kill",
    "power down",
)
_ON: tuple[str, ...] = (
    "开",
    "启动",
    "点亮",
    "拉开",
    "升起",
    "通电",
    "on",
    "open",
    "activate",
    "enable",
    "power up",
    "start up",
    "fire up",
    "switch on",
    "turn on",
)
_STEP_SMALL: tuple[str, ...] = ("一点", "一些", "些", "a bit", "a little", "slightly", "some")
_EVERYTHING: tuple[str, ...] = (
    "所有设备",
    "全部设备",
    "所有电器",
    "全部电器",
    "everything",
    "all devices",
    "all the devices",
)
_HOME: tuple[str, ...] = (
    "家里",
    "全家",
    "整个家",
    "全屋",
    "everywhere",
    "whole house",
    "house",
    "home",
)


# Sentences about things other than devices: Home Assistant's own intents answer them.
_NOT_OURS: tuple[str, ...] = (
    "timer",
    "alarm",
    "remind",
    "reminder",
    "weather",
    "forecast",
    "outside",
    "outdoor",
    "shopping list",
    "to-do",
    "todo",
    "计时",
    "定时器",
    "闹钟",
    "提醒",
    "天气",
    "外面",
    "室外",
    "户外",
    "购物清单",
    "待办",
)
_CLEANING: tuple[str, ...] = (
    "打扫",
    "清扫",
    "扫地",
    "拖地",
    "扫一扫",
    "clean",
    "cleaning",
    "vacuuming",
    "mop",
    "mopping",
)


def _evident(action: str, rest: str) -> bool:
    """Whether the words alone say what an action without a named target acts on."""
    if action in ("temperature", "temperature_step", "query_temperature"):
        return "度" in rest or _has(rest, _TEMPERATURE + _COOLER + _WARMER)
    if action in ("humidity", "query_humidity"):
        return _has(rest, _HUMIDITY)
    if action in ("fan_level", "fan_share"):
        return _has(rest, _SPEED)
    if action == "start":
        return _has(rest, _CLEANING)
    return action == "return"


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(find(text, word) is not None for word in words)


@dataclass(slots=True)
class Mentions:
    """What the sentence names: an entity by name, areas, floors, kinds, labels, 'all'."""

    named: list[Target] = field(default_factory=list)
    areas: list[Place] = field(default_factory=list)
    floors: list[Place] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    plural: bool = False
    whole_home: bool = False
    everything: bool = False  # "所有设备", "everything": any kind
    rest: str = ""  # the text with the names blanked out: where the action is read


@dataclass(slots=True)
class Plan:
    """What to do to which entities (or which ones to ask about)."""

    action: str
    value: float | str | None
    targets: list[Target]
    ask: bool = False
    chinese: bool = False
    mentions: Mentions | None = None


def find_mentions(text: str, catalog: Catalog) -> Mentions:
    """The names in a normalized text."""
    mentions = Mentions()
    rest = text
    best = 0
    for target in catalog.targets:
        for name in target.names:
            if name in _KIND_WORDS:
                continue  # a bare type word: read as a kind, which knows about areas
            if len(name) >= max(best, 2) and find(text, name) is not None:
                if len(name) > best:
                    best, mentions.named = len(name), []
                mentions.named.append(target)
                break
    if mentions.named:
        for name in mentions.named[0].names:
            if len(name) == best:
                rest = mask(rest, name)
    for places, found in ((catalog.areas, mentions.areas), (catalog.floors, mentions.floors)):
        hits: list[tuple[int, Place, str]] = []
        for place in places:
            for name in place.names:
                if find(rest, name) is not None:
                    hits.append((len(name), place, name))
        for _, place, name in sorted(hits, key=lambda hit: -hit[0]):
            if find(rest, name) is not None:
                rest = mask(rest, name)
                if place not in found:
                    found.append(place)
    for key, word in kinds_in(rest):
        mentions.kinds.add(key)
        if not has_cjk(word) and (match := find(rest, word)) and match.group(0).endswith("s"):
            said = KIND_BY_KEY[key].say_en
            mentions.plural = mentions.plural or not said.endswith("s")
        rest = mask(rest, word)
    mentions.plural = mentions.plural or _has(rest, ALL_WORDS)
    mentions.whole_home = _has(rest, _HOME)
    mentions.everything = _has(rest, _EVERYTHING)
    mentions.plural = mentions.plural or mentions.everything
    mentions.rest = rest
    return mentions


def actions(rest: str, question: bool) -> list[tuple[str, float | str | None]]:
    """The actions the words may mean, most likely first (targets decide among them)."""
    if question or _QUESTION_EN.match(rest.strip()) or _has(rest, _QUESTION_ZH):
        if _has(rest, _HUMIDITY):
            return [("query_humidity", None)]
        if _has(rest, _TEMPERATURE):
            return [("query_temperature", None)]
        return [("query_state", None)]
    found: list[tuple[str, float | str | None]] = []
    values = numbers(rest)
    up, down = _has(rest, _UP), _has(rest, _DOWN)
    absolute = _has(rest, _ABSOLUTE)
    small = _has(rest, _STEP_SMALL)
    if values:
        value, unit = values[0]
        up = up or re.search(r"[高多大升加]\s*\d", rest) is not None
        down = down or re.search(r"[低少小降减]\s*\d", rest) is not None
        step = (up or down) and not absolute
        sign = -1 if down and not up else 1
        if step:
            if unit == "度" or _has(rest, _TEMPERATURE):  # "调高两度", "turn up the heat by 2"
                return [("temperature_step", sign * value)]
            return [("brightness_step", sign * value), ("position_step", sign * value)]
        if unit == "度":
            return [("temperature", value)]
        if unit == "档":
            return [("fan_level", value)]
        keyed: tuple[tuple[tuple[str, ...], str], ...] = (
            (_HUMIDITY, "humidity"),
            (_BRIGHTNESS, "brightness"),
            (_VOLUME, "volume"),
            (_POSITION, "position"),
            (_TEMPERATURE, "temperature"),
        )
        for words, action in keyed:
            if _has(rest, words):
                return [(action, value)]
        if _has(rest, _SPEED):
            return [("fan_percent" if unit == "%" else "fan_level", value)]
        if unit == "%":
            return [
                ("position", value),
                ("brightness", value),
                ("fan_percent", value),
                ("humidity", value),
                ("volume", value),
            ]
        found = [("temperature", value), ("brightness", value), ("position", value)]
        if value <= 10:
            found.insert(1, ("fan_level", value))
        return [*found, ("humidity", value), ("volume", value)]
    for words, share, _, _ in WHITES:
        if _has(rest, words):
            return [("white", share)]
    for english, chinese, css in COLORS:
        if find(rest, english) or chinese in rest or chinese[0] + "光" in rest:
            return [("color", css)]
    if _has(rest, _BRIGHTEST) or (_has(rest, _BRIGHTNESS) and _has(rest, _MOST)):
        return [("brightness", 100.0)]
    if _has(rest, _DIMMEST) or (_has(rest, _BRIGHTNESS) and _has(rest, _LEAST)):
        return [("brightness", 1.0)]
    for words, share in FAN_LEVELS:
        if _has(rest, words) and (_has(rest, _SPEED + _ABSOLUTE) or not _has(rest, _ON + _OFF)):
            found.append(("fan_share", share))
    if _has(rest, _BRIGHTER):
        found.append(("brightness_step", 20.0))
    if _has(rest, _DIMMER):
        found.append(("brightness_step", -20.0))
    light = _has(rest, ("光", "light", "white"))
    if _has(rest, _COOLER):
        pair = [("temperature_step", -1.0), ("white_step", 1.0)]
        found += pair[::-1] if light else pair
    if _has(rest, _WARMER):
        pair = [("temperature_step", 1.0), ("white_step", -1.0)]
        found += pair[::-1] if light else pair
    if found:
        return found
    for words, action in (
        (_RETURN, "return"),
        (_RESUME, "resume"),
        (_STOP, "stop"),
        (_PAUSE, "pause"),
    ):
        if _has(rest, words):
            found.append((action, None))
    if _has(rest, _START) and not _has(rest, ("开关",)):
        found.append(("start", None))
    off, on = _has(rest, _OFF), _has(rest, _ON)
    if small and (off or on):
        found.append(("position_step", -20.0 if off else 20.0))
    if up or down:
        if _has(rest, _SPEED):
            found.append(("fan_step", 1.0 if up else -1.0))
        found += [
            ("fan_step", 1.0 if up else -1.0),
            ("temperature_step", 1.0 if up else -1.0),
            ("brightness_step", 20.0 if up else -20.0),
            ("volume_step", 10.0 if up else -10.0),
            ("position_step", 100.0 if up else -100.0),  # "raise / lower the blinds"
        ]
    if off:
        found.append(("off", None))
    elif on:
        found.append(("on", None))
    if not found and _has(rest, _HUMIDITY):
        found.append(("query_humidity", None))  # "卧室湿度"
    elif not found and _has(rest, _TEMPERATURE):
        found.append(("query_temperature", None))
    return found


def _modes(target: Target) -> set[str]:
    return set(target.state.attributes.get("supported_color_modes") or ())


def _features(target: Target) -> int:
    return int(target.state.attributes.get("supported_features") or 0)


# What an entity must be able to do for an action (beyond its domain).
_CAN: dict[str, Callable[[Target], bool]] = {
    "brightness": lambda t: bool(_modes(t) - {"onoff"}),
    "brightness_step": lambda t: bool(_modes(t) - {"onoff"}),
    "color": lambda t: bool(_modes(t) & {"hs", "rgb", "rgbw", "rgbww", "xy"}),
    "white": lambda t: "color_temp" in _modes(t),
    "white_step": lambda t: "color_temp" in _modes(t),
    "position": lambda t: bool(_features(t) & 4),
    "position_step": lambda t: bool(_features(t) & 4),
    "fan_level": lambda t: bool(_features(t) & 1),
    "fan_share": lambda t: bool(_features(t) & 1),
    "fan_percent": lambda t: bool(_features(t) & 1),
    "fan_step": lambda t: bool(_features(t) & 1),
    "humidity": lambda t: t.state.attributes.get("humidity") is not None,
}


def _fits(target: Target, action: str) -> bool:
    domains = DOMAINS.get(action)
    if domains is None:
        return False
    if action in _SENSOR_CLASS and target.domain == "sensor":
        return target.state.attributes.get(ATTR_DEVICE_CLASS) == _SENSOR_CLASS[action]
    if domains and target.domain not in domains:
        return False
    can = _CAN.get(action)
    return can is None or can(target)


def _numeric(target: Target) -> bool:
    try:
        float(target.state.state)
    except ValueError:
        return False
    return True


def _in_places(target: Target, mentions: Mentions) -> bool:
    return any(target.area_id == area.id for area in mentions.areas) or any(
        target.floor_id == floor.id for floor in mentions.floors
    )


def choose(
    catalog: Catalog, mentions: Mentions, action: str, satellite_area: str | None
) -> tuple[list[Target], bool] | None:
    """The targets for an action ((targets, ask back?)), or None when nothing fits."""
    places = bool(mentions.areas or mentions.floors)
    candidates = [t for t in catalog.targets if _fits(t, action)]
    named = [t for t in mentions.named if _fits(t, action)]
    if named:
        if places and (inside := [t for t in named if _in_places(t, mentions)]):
            named = inside
        if len(named) > 1 and satellite_area and not mentions.plural:
            named = [t for t in named if t.area_id == satellite_area] or named
        return named, len(named) > 1 and not mentions.plural
    if mentions.named and not (mentions.kinds or places):
        return None  # a device was named that cannot do this
    if not mentions.kinds and action in ("temperature", "temperature_step"):
        candidates = [t for t in candidates if t.domain == "climate"]  # the room's, not the water's
    if mentions.kinds:
        candidates = [t for t in candidates if t.kinds & mentions.kinds]
        most = max((len(t.kinds & mentions.kinds) for t in candidates), default=0)
        candidates = [t for t in candidates if len(t.kinds & mentions.kinds) == most]
    if places:
        candidates = [t for t in candidates if _in_places(t, mentions)]
    labelled = [t for t in candidates if any(find(mentions.rest, label) for label in t.labels)]
    if labelled:
        candidates = labelled
    elif not (mentions.kinds or mentions.everything) and action not in _SELF_TARGETING:
        return None
    if not candidates:
        return None
    if action in _SENSOR_CLASS:
        sensors = [t for t in candidates if t.domain == "sensor" and _numeric(t)]
        sensors.sort(key=lambda t: ("thermometer" not in t.kinds, not t.primary))
        candidates = (sensors or candidates)[:1] if places else sensors or candidates
    primary = [t for t in candidates if t.primary]
    candidates = primary or candidates
    if mentions.plural and not (places or mentions.whole_home) and satellite_area:
        here = [t for t in candidates if t.area_id == satellite_area]
        return here or candidates, False
    if len(candidates) == 1 or mentions.plural or mentions.whole_home or places:
        return candidates, False
    if satellite_area and (here := [t for t in candidates if t.area_id == satellite_area]):
        return here, len(here) > 1 and not mentions.plural
    return candidates, True


def understand(text: str, catalog: Catalog, satellite_area: str | None = None) -> Plan | None:
    """A plan for the sentence, or None when it is not understood with confidence."""
    question = text.rstrip().endswith(("?", "？"))
    normalized = normalize(text)
    if not normalized or _has(normalized, _NOT_OURS):
        return None
    mentions = find_mentions(normalized, catalog)
    chinese = has_cjk(text)
    if not (mentions.named or mentions.kinds) and _has(mentions.rest, _CLEANING):
        mentions.kinds.add("vacuum")  # "stop cleaning": the vacuum
    named = bool(mentions.named or mentions.kinds or mentions.areas or mentions.floors)
    for action, value in actions(mentions.rest, question):
        if not named and not _evident(action, mentions.rest):
            continue
        chosen = choose(catalog, mentions, action, satellite_area)
        if chosen is None:
            continue
        targets, ask = chosen
        return Plan(action, value, targets, ask=ask, chinese=chinese, mentions=mentions)
    return None
