"""Names Assist can match: English and Chinese forms of Mi Home rooms and device types.

Mi Home names are whatever the user typed in the app, often Chinese. Assist matches an
entity by its name or an alias and an area by its name or an alias, so a Chinese name is
reachable only from Chinese sentences and an English one only from English sentences.
These tables give each device and room a second form in the other language. They are
suggestions: they are added once and the user may edit or delete them.
"""

from __future__ import annotations

from .miot import DeviceSpec

# Common Mi Home room names: English (lower case) → Chinese. Looked up both ways.
ROOMS: dict[str, str] = {
    "living room": "客厅",
    "bedroom": "卧室",
    "master bedroom": "主卧",
    "second bedroom": "次卧",
    "guest bedroom": "客卧",
    "guest room": "客房",
    "kids room": "儿童房",
    "kitchen": "厨房",
    "dining room": "餐厅",
    "study": "书房",
    "office": "办公室",
    "bathroom": "卫生间",
    "balcony": "阳台",
    "entrance": "玄关",
    "hallway": "走廊",
    "garage": "车库",
    "garden": "花园",
    "laundry room": "洗衣房",
    "cloakroom": "衣帽间",
    "storage room": "储物间",
    "basement": "地下室",
    "attic": "阁楼",
}
# Further Chinese names that mean one of the rooms above.
_ROOM_SYNONYMS: dict[str, str] = {
    "浴室": "bathroom",
    "洗手间": "bathroom",
    "厕所": "bathroom",
    "过道": "hallway",
    "门厅": "entrance",
    "孩子房": "kids room",
    "小孩房": "kids room",
}
_ROOMS_ZH: dict[str, str] = {zh: en for en, zh in ROOMS.items()} | _ROOM_SYNONYMS

# Device type (urn short name of the spec's device type) → (English, Chinese).
DEVICE_TYPES: dict[str, tuple[str, str]] = {
    "light": ("Light", "灯"),
    "outlet": ("Plug", "插座"),
    "switch": ("Switch", "开关"),
    "air-conditioner": ("Air Conditioner", "空调"),
    "air-condition-outlet": ("Air Conditioner", "空调"),
    "thermostat": ("Thermostat", "温控器"),
    "heater": ("Heater", "取暖器"),
    "bath-heater": ("Bath Heater", "浴霸"),
    "electric-blanket": ("Electric Blanket", "电热毯"),
    "fan": ("Fan", "风扇"),
    "air-purifier": ("Air Purifier", "空气净化器"),
    "air-fresh": ("Fresh Air System", "新风机"),
    "air-monitor": ("Air Monitor", "空气检测仪"),
    "humidifier": ("Humidifier", "加湿器"),
    "dehumidifier": ("Dehumidifier", "除湿机"),
    "curtain": ("Curtain", "窗帘"),
    "airer": ("Clothes Airer", "晾衣架"),
    "window-opener": ("Window Opener", "开窗器"),
    "vacuum": ("Robot Vacuum", "扫地机器人"),
    "water-heater": ("Water Heater", "热水器"),
    "kettle": ("Kettle", "水壶"),
    "speaker": ("Speaker", "音箱"),
    "television": ("TV", "电视"),
    "camera": ("Camera", "摄像头"),
    "video-doorbell": ("Doorbell", "门铃"),
    "lock": ("Door Lock", "门锁"),
    "temperature-humidity-sensor": ("Thermometer", "温湿度计"),
    "motion-sensor": ("Motion Sensor", "人体传感器"),
    "magnet-sensor": ("Door Sensor", "门窗传感器"),
    "diffuser": ("Diffuser", "香薰机"),
    "coffee-machine": ("Coffee Machine", "咖啡机"),
    "cooker": ("Rice Cooker", "电饭煲"),
    "pressure-cooker": ("Pressure Cooker", "电压力锅"),
    "oven": ("Oven", "烤箱"),
    "microwave-oven": ("Microwave", "微波炉"),
    "air-fryer": ("Air Fryer", "空气炸锅"),
    "washer": ("Washing Machine", "洗衣机"),
    "dishwasher": ("Dishwasher", "洗碗机"),
}
# Types whose words Assist's own sentences already know ("the lights in the living room",
# "打开客厅的灯", "卧室风扇", "窗帘"): an alias would only compete with those sentences.
ASSIST_KNOWS: frozenset[str] = frozenset({"light", "fan", "curtain"})
# A speaker with the intelligent-speaker service is a Xiaoai speaker.
XIAOAI_SPEAKER: tuple[str, str] = ("Xiaoai Speaker", "小爱音箱")


def has_cjk(text: str) -> bool:
    """Whether the text has Chinese (CJK) characters."""
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def room_forms(room: str) -> tuple[str, str] | None:
    """(English, Chinese) of a known room name, in whichever language it is written."""
    key = room.strip()
    if (english := _ROOMS_ZH.get(key)) is not None:
        return english.title(), ROOMS[english]
    if (chinese := ROOMS.get(key.lower())) is not None:
        return key, chinese
    return None


def device_type_forms(spec: DeviceSpec) -> tuple[str, str] | None:
    """(English, Chinese) of the device's type, if known."""
    if spec.name == "speaker" and spec.find_service("intelligent-speaker") is not None:
        return XIAOAI_SPEAKER
    return DEVICE_TYPES.get(spec.name)


def device_aliases(name: str, room: str | None, spec: DeviceSpec, *, unique: bool) -> list[str]:
    """Aliases for a device's main entity.

    - The name without its room ("客厅空调" in 客厅 → "空调"), so "关闭客厅的空调" finds it.
    - The type in the language the name is not written in, alone and with the room
      ("Air Conditioner", "Living Room Air Conditioner"; "扫地机器人", "客厅小爱音箱").

    Only when `unique` (no other device of this type shares the room), so an alias names one
    device; and never for lights, fans and curtains, which Assist's own sentences name.
    """
    types = device_type_forms(spec)
    if not unique or types is None or spec.name in ASSIST_KNOWS:
        return []
    chinese = has_cjk(name)
    type_name = types[0] if chinese else types[1]
    aliases: list[str] = []
    rooms = room_forms(room) if room else None
    for prefix in {room or "", *(rooms or ())} - {""}:
        if name.casefold().startswith(prefix.casefold()) and (rest := name[len(prefix) :].strip()):
            aliases.append(rest.removeprefix("的"))
    if rooms is not None:
        aliases.append(f"{rooms[0]} {type_name}" if chinese else f"{rooms[1]}{type_name}")
    aliases.append(type_name)
    return list(dict.fromkeys(a for a in aliases if a and a.casefold() != name.casefold()))


def area_aliases(room: str) -> list[str]:
    """The other-language form(s) of a room name."""
    forms = room_forms(room)
    if forms is None:
        return []
    return [form for form in forms if form.casefold() != room.strip().casefold()]
