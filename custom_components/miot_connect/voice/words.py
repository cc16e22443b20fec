"""Words the understanding layer knows, in English and Chinese.

Tables only (no code that decides anything), so a reader can extend them:
- `KINDS`: what a device is called by its type ("AC", "空调", "扫地机"), and how it is said back.
- `COLORS`, `WHITES`: colours and shades of white.
- `FAN_LEVELS`: named fan speeds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    """A type of device: the words for it and the names said back."""

    key: str
    english: tuple[str, ...]
    chinese: tuple[str, ...]

    @property
    def say_en(self) -> str:
        """The English word said back."""
        return self.english[0]

    @property
    def say_zh(self) -> str:
        """The Chinese word said back."""
        return self.chinese[0]


KINDS: tuple[Kind, ...] = (
    Kind(
        "light",
        ("light", "lights", "lamp", "lamps", "bulb", "lighting"),
        ("灯", "台灯", "灯光", "吊灯", "顶灯", "灯泡", "床头灯", "电灯"),
    ),
    Kind(
        "air-conditioner",
        ("air conditioner", "air conditioning", "ac", "aircon", "air con", "a c"),
        ("空调", "冷气"),
    ),
    Kind("heater", ("heater", "radiator", "space heater"), ("取暖器", "暖风机", "电暖器", "暖气")),
    Kind("thermostat", ("thermostat", "heating"), ("温控器", "地暖")),
    Kind("bath-heater", ("bath heater",), ("浴霸",)),
    Kind("fan", ("fan", "fans", "ceiling fan"), ("风扇", "电扇", "电风扇", "吊扇")),
    Kind("air-purifier", ("air purifier", "purifier"), ("空气净化器", "净化器")),
    Kind("humidifier", ("humidifier",), ("加湿器",)),
    Kind("dehumidifier", ("dehumidifier",), ("除湿机", "除湿器", "抽湿机")),
    Kind(
        "curtain",
        ("curtain", "curtains", "blind", "blinds", "shade", "shades", "drapes"),
        ("窗帘", "帘子", "百叶窗"),
    ),
    Kind("garage-door", ("garage door", "garage"), ("车库门",)),
    Kind(
        "vacuum",
        ("robot vacuum", "vacuum cleaner", "vacuum", "robot", "roborock", "hoover", "roomba"),
        ("扫地机器人", "扫地机", "机器人", "扫地的", "扫拖机器人"),
    ),
    Kind("water-heater", ("water heater", "boiler", "hot water"), ("热水器",)),
    Kind("outlet", ("plug", "socket", "outlet", "smart plug"), ("插座", "插头")),
    Kind("power-strip", ("power strip",), ("插线板", "排插")),
    Kind("switch", ("switch", "wall switch"), ("开关", "墙壁开关")),
    Kind("tv", ("tv", "television", "telly"), ("电视", "电视机")),
    Kind("speaker", ("speaker", "xiaoai speaker", "xiaoai"), ("音箱", "小爱音箱", "小爱")),
    Kind("kettle", ("kettle",), ("水壶", "电水壶", "烧水壶")),
    Kind("door", ("door", "front door"), ("门", "大门")),
    Kind("window", ("window", "windows"), ("窗户", "窗")),
    Kind("thermometer", ("thermometer", "temperature sensor"), ("温湿度计", "温度计")),
    Kind("lock", ("lock", "door lock"), ("门锁", "锁")),
)
KIND_BY_KEY: dict[str, Kind] = {kind.key: kind for kind in KINDS}

# (domain, device class or None) → the kind a device of that sort is, when its name says none.
DOMAIN_KINDS: dict[tuple[str, str | None], str] = {
    ("light", None): "light",
    ("fan", None): "fan",
    ("cover", None): "curtain",
    ("cover", "curtain"): "curtain",
    ("cover", "blind"): "curtain",
    ("cover", "shade"): "curtain",
    ("cover", "garage"): "garage-door",
    ("cover", "door"): "door",
    ("cover", "window"): "window",
    ("vacuum", None): "vacuum",
    ("water_heater", None): "water-heater",
    ("humidifier", None): "humidifier",
    ("humidifier", "humidifier"): "humidifier",
    ("humidifier", "dehumidifier"): "dehumidifier",
    ("climate", None): "air-conditioner",
    ("media_player", "tv"): "tv",
    ("media_player", "speaker"): "speaker",
    ("media_player", None): "speaker",
    ("switch", "outlet"): "outlet",
    ("switch", None): "switch",
    ("lock", None): "lock",
    ("binary_sensor", "door"): "door",
    ("binary_sensor", "garage_door"): "garage-door",
    ("binary_sensor", "window"): "window",
    ("binary_sensor", "opening"): "door",
}

# Colour: (English, Chinese) → CSS colour name Home Assistant knows.
COLORS: tuple[tuple[str, str, str], ...] = (
    ("red", "红色", "red"),
    ("green", "绿色", "green"),
    ("blue", "蓝色", "blue"),
    ("yellow", "黄色", "yellow"),
    ("purple", "紫色", "purple"),
    ("orange", "橙色", "orange"),
    ("pink", "粉色", "pink"),
    ("cyan", "青色", "cyan"),
)
# Shades of white: words → where in the light's kelvin range (0 warmest, 1 coolest), said back.
WHITES: tuple[tuple[tuple[str, ...], float, str, str], ...] = (
    (
        ("cool white", "cold white", "daylight", "冷白光", "冷白", "冷光", "白光", "正白"),
        1.0,
        "cool white",
        "冷白光",
    ),
    (
        ("warm white", "warm light", "暖白光", "暖光", "暖黄光", "暖白", "暖黄", "黄光"),
        0.0,
        "warm white",
        "暖光",
    ),
    (
        ("neutral white", "natural light", "自然光", "中性光", "日光"),
        0.5,
        "neutral white",
        "自然光",
    ),
)
# Named fan speeds → share of the speed range (0 lowest step, 1 highest).
FAN_LEVELS: tuple[tuple[tuple[str, ...], float], ...] = (
    (
        (
            "maximum",
            "max",
            "highest",
            "full",
            "high",
            "最大",
            "最高",
            "最强",
            "高速",
            "高档",
            "大风",
        ),
        1.0,
    ),
    (("medium", "mid", "middle", "中速", "中档", "中等", "中风"), 0.5),
    (
        ("minimum", "min", "lowest", "low", "最小", "最低", "最弱", "低速", "低档", "小风", "微风"),
        0.0,
    ),
)
# Words that make a command cover every matching device.
ALL_WORDS: tuple[str, ...] = ("全部", "所有", "都", "全都", "全", "all", "every", "everything")
