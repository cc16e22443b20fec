"""MIoT-Spec-V2 instance documents: loading, lookup, value validation and names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
import json
import math
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]

PROJECT_SPEC_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "specs"

INT_RANGES: dict[str, tuple[int, int]] = {
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}

# A few common words for the zh_cn names of the multiLanguage answer; anything else falls back
# to the English description.
ZH_WORDS: dict[str, str] = {
    "device information": "设备信息",
    "light": "灯",
    "switch": "开关",
    "on": "开关",
    "switch status": "开关状态",
    "brightness": "亮度",
    "color temperature": "色温",
    "color": "颜色",
    "mode": "模式",
    "fan level": "风速",
    "temperature": "温度",
    "target temperature": "目标温度",
    "relative humidity": "相对湿度",
    "target humidity": "目标湿度",
    "air purifier": "空气净化器",
    "fan": "风扇",
    "heater": "取暖器",
    "air conditioner": "空调",
    "curtain": "窗帘",
    "vacuum": "扫地机器人",
    "humidifier": "加湿器",
    "water heater": "热水器",
    "speaker": "音箱",
    "battery": "电池",
    "battery level": "电池电量",
    "status": "状态",
    "fault": "故障",
    "alarm": "提示音",
    "indicator light": "指示灯",
    "physical control locked": "童锁",
    "environment": "环境",
    "filter": "滤芯",
    "power consumption": "耗电量",
    "electric power": "电功率",
    "voltage": "电压",
    "electric current": "电流",
    "motion sensor": "人体传感器",
    "magnet sensor": "门窗传感器",
    "gateway": "网关",
    "toggle": "切换",
    "play text": "播放文本",
    "execute text directive": "执行文本指令",
    "intelligent speaker": "小爱音箱",
    "volume": "音量",
    "mute": "静音",
    "idle": "空闲",
    "sweeping": "清扫中",
    "charging": "充电中",
    "paused": "暂停",
    "auto": "自动",
    "sleep": "睡眠",
    "favorite": "最爱",
    "low": "低档",
    "medium": "中档",
    "high": "高档",
    "open": "打开",
    "close": "关闭",
    "stop": "停止",
    "pause": "暂停",
    "click": "单击",
    "double click": "双击",
    "long press": "长按",
    "motion detected": "有人移动",
    "temperature humidity sensor": "温湿度传感器",
}


# Kinds of the spec standard library (`/miot-spec-v2/template/list/<kind>`) and the namespace
# of its types.
TEMPLATE_KINDS = ("device", "service", "property", "event", "action")
STANDARD_NAMESPACE = "miot-spec-v2"


class SpecError(ValueError):
    """A value or reference does not match the spec."""


def urn_name(urn: str) -> str:
    """Return the name part of a urn (`urn:miot-spec-v2:property:on:00000006:...` -> `on`)."""
    parts = urn.split(":")
    return parts[3] if len(parts) > 3 else urn


def standard_type(urn: str) -> str | None:
    """The standard-library type of a urn (`urn:miot-spec-v2:<kind>:<name>:<id>`, without the
    vendor and version parts), or None for a vendor namespace or a malformed urn."""
    parts = urn.split(":")
    if len(parts) < 5 or parts[0] != "urn" or parts[1] != STANDARD_NAMESPACE:
        return None
    return ":".join(parts[:5])


def title_name(urn: str) -> str:
    """A readable English name from a urn's name part (`fan-level` -> `Fan Level`)."""
    return urn_name(urn).replace("-", " ").replace("_", " ").title()


def zh_text(text: str) -> str:
    """Best-effort Chinese name for an English description (falls back to the text)."""
    key = text.strip().lower().replace("-", " ").replace("_", " ")
    return ZH_WORDS.get(key, text)


@dataclass(slots=True)
class SpecInstance:
    """One instance document with indexes by iid."""

    doc: JsonDict
    model: str
    source: str
    properties: dict[tuple[int, int], JsonDict] = field(default_factory=dict)
    actions: dict[tuple[int, int], JsonDict] = field(default_factory=dict)
    events: dict[tuple[int, int], JsonDict] = field(default_factory=dict)
    services: dict[int, JsonDict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A malformed document is served as stored (clients must cope), but drives nothing.
        services = self.doc.get("services")
        for service in services if isinstance(services, list) else []:
            if not isinstance(service, dict) or not isinstance(service.get("iid"), int):
                continue
            siid = service["iid"]
            self.services[siid] = service
            for kind, index in (
                ("properties", self.properties),
                ("actions", self.actions),
                ("events", self.events),
            ):
                for item in service.get(kind, []):
                    if isinstance(item, dict) and isinstance(item.get("iid"), int):
                        index[(siid, item["iid"])] = item

    @property
    def urn(self) -> str:
        """The instance urn."""
        return str(self.doc["type"])

    def service_props(self, siid: int) -> Iterator[tuple[int, JsonDict]]:
        """Yield (piid, property) of one service."""
        for (s, p), prop in self.properties.items():
            if s == siid:
                yield p, prop

    def multi_language(self) -> JsonDict:
        """Per-language names keyed like the real service (`service:002:property:001`)."""
        en: dict[str, str] = {}
        zh: dict[str, str] = {}

        def put(key: str, text: str) -> None:
            en[key] = text
            zh[key] = zh_text(text)

        for siid, service in self.services.items():
            skey = f"service:{siid:03d}"
            put(skey, str(service.get("description") or urn_name(service["type"])))
            for piid, prop in self.service_props(siid):
                pkey = f"{skey}:property:{piid:03d}"
                put(pkey, str(prop.get("description") or urn_name(prop["type"])))
                for index, item in enumerate(prop.get("value-list") or []):
                    put(f"{pkey}:valuelist:{index:03d}", str(item.get("description", "")))
        for kind, table in (("action", self.actions), ("event", self.events)):
            for (siid, iid), item in table.items():
                text = str(item.get("description") or urn_name(item["type"]))
                put(f"service:{siid:03d}:{kind}:{iid:03d}", text)
        return {"en": en, "zh_cn": zh}


def int_bounds(prop: JsonDict) -> tuple[int, int] | None:
    """Integer bounds of a property's format, or None for non-integer formats."""
    return INT_RANGES.get(str(prop.get("format")))


def validate_value(prop: JsonDict, value: Any) -> Any:
    """Return the value normalised for the property or raise SpecError."""
    fmt = str(prop.get("format"))
    if fmt == "bool":
        if isinstance(value, bool):
            return value
        raise SpecError("bool expected")
    if fmt in ("string", "hex"):
        if isinstance(value, str):
            return value
        raise SpecError("string expected")
    bounds = INT_RANGES.get(fmt)
    if bounds is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpecError("integer expected")
        if isinstance(value, float):
            if not value.is_integer():
                raise SpecError("integer expected")
            value = int(value)
        if not bounds[0] <= value <= bounds[1]:
            raise SpecError("out of format range")
    elif fmt == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpecError("number expected")
        if not math.isfinite(value):
            raise SpecError("finite number expected")
    else:
        raise SpecError(f"unsupported format {fmt}")
    value_list = prop.get("value-list")
    if value_list:
        if value not in [item.get("value") for item in value_list]:
            raise SpecError("not in value-list")
        return value
    value_range = prop.get("value-range")
    if value_range and len(value_range) >= 2:
        low, high = value_range[0], value_range[1]
        if not low <= value <= high:
            raise SpecError("out of value-range")
        step = value_range[2] if len(value_range) > 2 else 0
        if step:
            steps = (value - low) / step
            if abs(steps - round(steps)) > 1e-6:
                raise SpecError("not on step")
    return value


# Starting text of a string property that has a unit: a number in that unit, as clients that
# trust the unit (a percentage sensor, say) need a numeric value; other units start at "0".
UNIT_STRINGS: dict[str, str] = {"percentage": "50", "celsius": "25", "rgb": "16777215"}


def has_unit(prop: JsonDict) -> bool:
    """Whether a property declares a real unit (not absent, empty or `none`)."""
    return str(prop.get("unit") or "none").strip().lower() not in ("", "none")


def default_value(prop: JsonDict) -> Any:
    """A valid initial value for a property."""
    fmt = str(prop.get("format"))
    if fmt == "bool":
        return False
    if fmt == "string" and has_unit(prop):
        return UNIT_STRINGS.get(str(prop["unit"]), "0")
    if fmt in ("string", "hex"):
        return ""
    value_list = prop.get("value-list")
    if value_list:
        return value_list[0].get("value")
    value_range = prop.get("value-range")
    if value_range and len(value_range) >= 2:
        low = value_range[0]
        return float(low) if fmt == "float" else int(low)
    if fmt == "float":
        return 0.0
    bounds = INT_RANGES.get(fmt, (0, 0))
    return max(bounds[0], 0)


class SpecStore:
    """Instance documents by urn and by model, loaded from directories of `<model>.json` files."""

    def __init__(self, directories: Iterable[Path] = ()) -> None:
        self._by_urn: dict[str, SpecInstance] = {}
        self._by_model: dict[str, SpecInstance] = {}
        for directory in directories:
            self.load_dir(directory)

    def load_dir(self, directory: Path) -> None:
        """Load every `*.json` document of a directory (later ones do not replace earlier)."""
        for path in sorted(directory.glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and isinstance(doc.get("type"), str):
                self.add(doc, path.stem, str(path))

    def add(self, doc: JsonDict, model: str, source: str = "inline") -> SpecInstance:
        """Register one document."""
        instance = SpecInstance(doc=doc, model=model, source=source)
        self._by_urn.setdefault(instance.urn, instance)
        self._by_model.setdefault(model, instance)
        return instance

    def by_urn(self, urn: str) -> SpecInstance | None:
        """Instance for a urn."""
        return self._by_urn.get(urn)

    def by_model(self, model: str) -> SpecInstance | None:
        """Instance for a model name."""
        return self._by_model.get(model)

    def models(self) -> list[str]:
        """All model names, sorted."""
        return sorted(self._by_model)

    def instances_list(self, status: str = "all") -> list[JsonDict]:
        """The `instances?status=<status>` listing (every loaded document is `released`)."""
        result: list[JsonDict] = []
        if status not in ("all", "released"):
            return result
        for model in self.models():
            urn = self._by_model[model].urn
            parts = urn.split(":")
            version = int(parts[6]) if len(parts) > 6 and parts[6].isdigit() else 1
            result.append(
                {"status": "released", "model": model, "version": version, "type": urn, "ts": 0}
            )
        return result

    def _standard_items(self) -> Iterator[tuple[str, JsonDict]]:
        """(kind, item) for the document and every service, property, action and event."""
        for instance in self._by_urn.values():
            yield "device", instance.doc
            for service in instance.services.values():
                yield "service", service
            for kind, table in (
                ("property", instance.properties),
                ("action", instance.actions),
                ("event", instance.events),
            ):
                for item in table.values():
                    yield kind, item

    def template_list(self, kind: str) -> list[JsonDict]:
        """`/miot-spec-v2/template/list/<kind>`: every standard type of that kind used by a loaded
        document, with its names per language (the most common description, else the urn name;
        always the urn name for device types)."""
        texts: dict[str, Counter[str]] = {}
        for item_kind, item in self._standard_items():
            std = standard_type(str(item.get("type", "")))
            if item_kind != kind or std is None:
                continue
            counter = texts.setdefault(std, Counter())
            # A document's own description names the product, not its device type.
            description = "" if kind == "device" else str(item.get("description") or "").strip()
            if description:
                counter[description] += 1
        result: list[JsonDict] = []
        for std in sorted(texts):
            ranked = sorted(texts[std].items(), key=lambda entry: (-entry[1], entry[0]))
            english = ranked[0][0] if ranked else title_name(std)
            result.append({"type": std, "description": {"en": english, "zh_cn": zh_text(english)}})
        return result

    def property_value_list(self) -> list[JsonDict]:
        """`/miot-spec-v2/normalization/list/property_value`: the value-list entries of standard
        properties in standard services: service type, property name, the English value name
        (`normalization`) and its Chinese name (`description`)."""
        seen: dict[tuple[str, str, str], JsonDict] = {}
        for instance in self._by_urn.values():
            for (siid, _piid), prop in instance.properties.items():
                service_std = standard_type(str(instance.services[siid].get("type", "")))
                prop_type = str(prop.get("type", ""))
                if service_std is None or standard_type(prop_type) is None:
                    continue
                for item in prop.get("value-list") or []:
                    name = (
                        str(item.get("description") or "").strip() if isinstance(item, dict) else ""
                    )
                    key = (service_std, urn_name(prop_type), name)
                    if name and key not in seen:
                        seen[key] = {
                            "urn": service_std,
                            "proName": key[1],
                            "normalization": name,
                            "description": zh_text(name),
                        }
        return [seen[key] for key in sorted(seen)]
