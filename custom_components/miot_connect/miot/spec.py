"""MIoT-Spec-V2 model: parse instance documents, translate names, coerce and validate values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
import math
import re
from typing import Any

from .errors import MiotInvalidValueError, MiotSpecError

INT_RANGES: dict[str, tuple[int, int]] = {
    "uint8": (0, 0xFF),
    "uint16": (0, 0xFFFF),
    "uint32": (0, 0xFFFFFFFF),
    "int8": (-0x80, 0x7F),
    "int16": (-0x8000, 0x7FFF),
    "int32": (-0x80000000, 0x7FFFFFFF),
    "int64": (-0x8000000000000000, 0x7FFFFFFFFFFFFFFF),
}
_TRUE = frozenset({"true", "on", "1", "yes"})
_FALSE = frozenset({"false", "off", "0", "no"})
_HEX = re.compile(r"^[0-9a-fA-F]*$")
_LANG_ALIASES = {
    "zh_hans": "zh_cn",
    "zh": "zh_cn",
    "zh_hant": "zh_tw",
    "zh_hant_tw": "zh_tw",
    "zh_hant_hk": "zh_hk",
    "zh_hans_cn": "zh_cn",
    "zh_sg": "zh_cn",
    "en_us": "en",
    "en_gb": "en",
}


def short_repr(value: Any, limit: int = 60) -> str:
    """`repr` cut to `limit` characters, so an error never repeats a huge input."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def urn_name(urn: str) -> str:
    """Short name of a spec urn: `urn:miot-spec-v2:property:brightness:...` → `brightness`."""
    parts = urn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else ""


def normalize_language(lang: str) -> str:
    """`zh-Hans` → `zh_cn`, `en-US` → `en`: the keys multiLanguage uses."""
    key = lang.strip().lower().replace("-", "_")
    return _LANG_ALIASES.get(key, key)


def _norm_label(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


# Chinese and Portuguese: the multiLanguage keys to try, best first.
_LANG_CANDIDATES = {
    "zh_cn": ("zh_cn",),
    "zh_tw": ("zh_tw", "zh_hk"),
    "zh_hk": ("zh_hk", "zh_tw"),
    "zh_mo": ("zh_hk", "zh_tw"),
    "pt_br": ("pt_br", "pt"),
    "pt": ("pt", "pt_br"),
}


@cache  # a handful of languages; asked for every name of every entity
def language_keys(lang: str) -> tuple[str, ...]:
    """The multiLanguage keys for a Home Assistant language, best first, English last.

    `zh-Hant` → zh_tw, zh_hk; `pt-BR` → pt_br, pt; `de-CH` → de_ch, de; then `en`.
    """
    key = normalize_language(lang)
    base = key.split("_", 1)[0]
    keys = _LANG_CANDIDATES.get(key) or (key, base)
    return tuple(dict.fromkeys((*keys, "en")))


def _pick(names: Mapping[str, str], lang: str | None, fallback: str) -> str:
    """The label in `lang`, else in English, else `fallback` (the spec's description)."""
    if lang:
        for key in language_keys(lang):
            if key in names:
                return names[key]
    return fallback


@dataclass(slots=True, frozen=True)
class ValueRange:
    """`value-range`: min, max and step."""

    min: float
    max: float
    step: float | None = None

    def describe(self) -> str:
        """`1..100 step 1`."""
        text = f"{_fmt(self.min)}..{_fmt(self.max)}"
        return f"{text} step {_fmt(self.step)}" if self.step else text


_MAX_DECIMALS = 12


def _decimals(number: float) -> int:
    """Digits after the decimal point of a spec number (`_MAX_DECIMALS` when not decimal)."""
    text = repr(float(number))
    if "e" in text or not math.isfinite(number):
        return _MAX_DECIMALS
    return min(len(text.partition(".")[2].rstrip("0")), _MAX_DECIMALS)


def _fmt(number: float | None) -> str:
    if number is None:
        return ""
    number = float(number)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else f"{number:g}"


@dataclass(slots=True)
class SpecValue:
    """One `value-list` entry."""

    value: Any
    description: str
    name: str
    names: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str | None = None) -> str:
        """Translated text, falling back to the description."""
        return _pick(self.names, lang, self.description)


@dataclass(slots=True)
class SpecProperty:
    """A property of a service."""

    siid: int
    iid: int
    urn: str
    name: str
    description: str
    format: str
    access: tuple[str, ...] = ()
    unit: str | None = None
    value_range: ValueRange | None = None
    value_list: list[SpecValue] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def piid(self) -> int:
        """Alias of `iid`."""
        return self.iid

    @property
    def readable(self) -> bool:
        """Whether the property can be read."""
        return "read" in self.access

    @property
    def writable(self) -> bool:
        """Whether the property can be written."""
        return "write" in self.access

    @property
    def notifiable(self) -> bool:
        """Whether the cloud pushes changes of the property."""
        return "notify" in self.access

    def label(self, lang: str | None = None) -> str:
        """Translated name, falling back to the description."""
        return _pick(self.names, lang, self.description)

    def _invalid(self, value: Any, allowed: str) -> MiotInvalidValueError:
        if value is None:
            return MiotInvalidValueError(
                f"{self.name} ({self.siid}.{self.iid}): no value given; expected {allowed}"
            )
        return MiotInvalidValueError(
            f"{self.name} ({self.siid}.{self.iid}): {short_repr(value)} is not allowed; "
            f"expected {allowed}"
        )

    def check_reported(self, value: Any) -> Any:
        """A value the device reported (push or read), or `MiotInvalidValueError` when it
        cannot be true: wrong type, not finite, or outside the format's or the spec's range.

        Gentler than `coerce`: steps and value lists are not checked (devices round and add
        modes), so a real reading is never thrown away; `None` (unknown) always passes.
        """
        if value is None:
            return None
        fmt = self.format
        if fmt == "bool":
            if isinstance(value, bool) or (type(value) is int and value in (0, 1)):
                return value
            raise self._invalid(value, "a boolean")
        if fmt in INT_RANGES or fmt == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._invalid(value, self.allowed())
            if isinstance(value, float) and not math.isfinite(value):
                raise self._invalid(value, self.allowed())
            if fmt in INT_RANGES:
                low, high = INT_RANGES[fmt]
                if not low <= value <= high:
                    raise self._invalid(value, self.allowed())
            if (vr := self.value_range) is not None and not vr.min <= value <= vr.max:
                raise self._invalid(value, self.allowed())
            return value
        if fmt in ("string", "hex") and not isinstance(value, str):
            raise self._invalid(value, f"a {fmt} string")
        return value

    def allowed(self) -> str:
        """What the spec allows, in words."""
        if self.value_list:
            items = ", ".join(f"{item.value} ({item.description})" for item in self.value_list)
            return f"one of {items}"
        text = self.format
        if self.value_range:
            text += f" in {self.value_range.describe()}"
        elif self.format in INT_RANGES:
            low, high = INT_RANGES[self.format]
            text += f" in {low}..{high}"
        return text

    def coerce(self, value: Any) -> Any:
        """The value to send for `value`, or `MiotInvalidValueError` naming what is allowed."""
        if self.value_list and isinstance(value, str):
            label = _norm_label(value)
            for item in self.value_list:
                texts = (item.description, item.name, *item.names.values())
                if any(_norm_label(text) == label for text in texts if text):
                    # Named by its description: the entry's value still has to fit the
                    # format (a malformed spec may list one that does not).
                    value = item.value
                    break
        fmt = self.format
        if fmt == "bool":
            result: Any = self._coerce_bool(value)
        elif fmt in INT_RANGES:
            result = self._coerce_int(value)
        elif fmt == "float":
            result = self._coerce_float(value)
        elif fmt == "hex":
            result = self._coerce_hex(value)
        elif fmt == "string":
            if not isinstance(value, str):
                raise self._invalid(value, "a string")
            result = value
        else:
            result = value
        if (
            self.value_list
            and fmt != "bool"
            and not any(item.value == result for item in self.value_list)
        ):
            raise self._invalid(value, self.allowed())
        return result

    def _coerce_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        raise self._invalid(value, "a boolean (true/false, on/off, 1/0)")

    def _number(self, value: Any) -> float | int:
        if isinstance(value, bool):
            raise self._invalid(value, self.allowed())
        if isinstance(value, (int, float)):
            number: float | int = value
        elif isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                try:
                    number = float(value.strip())
                except ValueError:
                    raise self._invalid(value, self.allowed()) from None
        else:
            raise self._invalid(value, self.allowed())
        if isinstance(number, float) and not math.isfinite(number):
            raise self._invalid(value, self.allowed())
        return number

    def _check_range(self, original: Any, number: float) -> None:
        if (vr := self.value_range) is None:
            return
        if not vr.min <= number <= vr.max:
            raise self._invalid(original, self.allowed())
        if vr.step:
            steps = (number - vr.min) / vr.step
            if not math.isfinite(steps) or abs(steps - round(steps)) > 1e-6:
                raise self._invalid(original, self.allowed())

    def _coerce_int(self, value: Any) -> int:
        number = self._number(value)
        if isinstance(number, float):
            if not number.is_integer():
                raise self._invalid(value, self.allowed())
            number = int(number)
        low, high = INT_RANGES[self.format]
        if not low <= number <= high:
            raise self._invalid(value, self.allowed())
        self._check_range(value, number)
        return number

    def _coerce_float(self, value: Any) -> float:
        number = float(self._number(value))
        self._check_range(value, number)
        if (vr := self.value_range) is not None and vr.step:
            # On the step grid exactly (16.5000004 with step 0.5 is sent as 16.5).
            digits = max(_decimals(vr.min), _decimals(vr.step))
            if digits < _MAX_DECIMALS:  # a decimal grid (0.30000000000000004 → 0.3)
                snapped = vr.min + round((number - vr.min) / vr.step) * vr.step
                number = min(max(round(snapped, digits), vr.min), vr.max)
        return number

    def _coerce_hex(self, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return format(value, "x")
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).hex()
        if isinstance(value, str):
            text = value[2:] if value.lower().startswith("0x") else value
            if _HEX.match(text):
                return text
        raise self._invalid(value, "a hex string")

    def value_label(self, value: Any, lang: str | None = None) -> str | None:
        """Text of a value-list entry (None when the value is not in the list)."""
        for item in self.value_list:
            if item.value == value:
                return item.label(lang)
        return None


@dataclass(slots=True)
class SpecAction:
    """An action: `in` and `out` are piids of the same service."""

    siid: int
    iid: int
    urn: str
    name: str
    description: str
    in_piids: list[int] = field(default_factory=list)
    out_piids: list[int] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def aiid(self) -> int:
        """Alias of `iid`."""
        return self.iid

    def label(self, lang: str | None = None) -> str:
        """Translated name, falling back to the description."""
        return _pick(self.names, lang, self.description)


@dataclass(slots=True)
class SpecEvent:
    """An event: `arguments` are piids of the same service."""

    siid: int
    iid: int
    urn: str
    name: str
    description: str
    arguments: list[int] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def eiid(self) -> int:
        """Alias of `iid`."""
        return self.iid

    def label(self, lang: str | None = None) -> str:
        """Translated name, falling back to the description."""
        return _pick(self.names, lang, self.description)


@dataclass(slots=True)
class SpecService:
    """A service with its properties, actions and events."""

    iid: int
    urn: str
    name: str
    description: str
    properties: list[SpecProperty] = field(default_factory=list)
    actions: list[SpecAction] = field(default_factory=list)
    events: list[SpecEvent] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def siid(self) -> int:
        """Alias of `iid`."""
        return self.iid

    def label(self, lang: str | None = None) -> str:
        """Translated name, falling back to the description."""
        return _pick(self.names, lang, self.description)

    def property(self, piid: int) -> SpecProperty | None:
        """Property by piid."""
        for prop in self.properties:
            if prop.iid == piid:
                return prop
        return None

    def action(self, aiid: int) -> SpecAction | None:
        """Action by aiid."""
        return next((act for act in self.actions if act.iid == aiid), None)

    def event(self, eiid: int) -> SpecEvent | None:
        """Event by eiid."""
        return next((evt for evt in self.events if evt.iid == eiid), None)

    def find_property(self, name: str) -> SpecProperty | None:
        """Property by urn short name."""
        return next((prop for prop in self.properties if prop.name == name), None)

    def find_action(self, name: str) -> SpecAction | None:
        """Action by urn short name."""
        return next((act for act in self.actions if act.name == name), None)

    def find_event(self, name: str) -> SpecEvent | None:
        """Event by urn short name."""
        return next((evt for evt in self.events if evt.name == name), None)


@dataclass(slots=True)
class DeviceSpec:
    """A parsed instance document."""

    urn: str
    description: str
    services: list[SpecService] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Device type short name (e.g. `light`)."""
        return urn_name(self.urn)

    def label(self, lang: str | None = None) -> str:
        """Translated device name (rarely present), falling back to the description."""
        return _pick(self.names, lang, self.description)

    def service(self, siid: int) -> SpecService | None:
        """Service by siid."""
        for svc in self.services:  # a loop: no generator per lookup (hot in setup and push)
            if svc.iid == siid:
                return svc
        return None

    def properties(self) -> Iterator[SpecProperty]:
        """Every property of every service."""
        for service in self.services:
            yield from service.properties

    def has_property(self, siid: int, piid: int) -> bool:
        """Whether siid.piid exists."""
        return (svc := self.service(siid)) is not None and svc.property(piid) is not None

    def property(self, siid: int, piid: int) -> SpecProperty:
        """Property by numbers; `KeyError` when absent."""
        if (svc := self.service(siid)) is not None and (prop := svc.property(piid)) is not None:
            return prop
        raise KeyError(f"{self.urn} has no property {siid}.{piid}")

    def action(self, siid: int, aiid: int) -> SpecAction | None:
        """Action by numbers."""
        return svc.action(aiid) if (svc := self.service(siid)) is not None else None

    def event(self, siid: int, eiid: int) -> SpecEvent | None:
        """Event by numbers."""
        return svc.event(eiid) if (svc := self.service(siid)) is not None else None

    def find_service(self, name: str) -> SpecService | None:
        """First service with this urn short name (e.g. `light`)."""
        return next((svc for svc in self.services if svc.name == name), None)

    def find_services(self, name: str) -> list[SpecService]:
        """Every service with this urn short name (some devices repeat one, e.g. `switch`)."""
        return [svc for svc in self.services if svc.name == name]

    def find_property(self, service: str, prop: str) -> SpecProperty | None:
        """`find_property("light", "brightness")`: first match over services of that name."""
        for svc in self.find_services(service):
            if (found := svc.find_property(prop)) is not None:
                return found
        return None

    def find_action(self, service: str, action: str) -> SpecAction | None:
        """Action by service and action short names."""
        for svc in self.find_services(service):
            if (found := svc.find_action(action)) is not None:
                return found
        return None

    def find_event(self, service: str, event: str) -> SpecEvent | None:
        """Event by service and event short names."""
        for svc in self.find_services(service):
            if (found := svc.find_event(event)) is not None:
                return found
        return None

    def apply_translations(self, data: Mapping[str, Any]) -> None:
        """Fill `names` from a multiLanguage `data` map (keys padded or not)."""
        for lang, table in data.items():
            if not isinstance(table, Mapping):
                continue
            lang_key = normalize_language(str(lang))
            for key, text in table.items():
                if isinstance(text, str) and text.strip():
                    self._apply_key(lang_key, str(key), text.strip())

    def _apply_key(self, lang: str, key: str, text: str) -> None:
        parts = key.split(":")
        if len(parts) % 2 or parts[0] != "service":
            return
        try:
            numbers = [int(part) for part in parts[1::2]]
        except ValueError:
            return
        kinds = parts[2::2]
        target: Any = self.service(numbers[0])
        if target is None:
            return
        if not kinds:
            target.names[lang] = text
            return
        kind, number = kinds[0], numbers[1]
        if kind == "property":
            target = target.property(number)
        elif kind == "action":
            target = target.action(number)
        elif kind == "event":
            target = target.event(number)
        else:
            return
        if target is None:
            return
        if len(kinds) == 1:
            target.names[lang] = text
        elif (
            kinds[1] == "valuelist"
            and kind == "property"
            and len(kinds) == 2
            and 0 <= numbers[2] < len(target.value_list)
        ):
            target.value_list[numbers[2]].names[lang] = text


# ------------------------------------------------------------------ parsing
def _whole(value: Any) -> int | None:
    """A whole number (`2`, `2.0`, `"2"`), or None: never truncated (2.9), never an overflow."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _iid(item: Mapping[str, Any], where: str) -> int:
    value = item.get("iid")
    number = _whole(value)
    if number is None:
        raise MiotSpecError(f"{where}: missing or invalid iid {short_repr(value)}")
    return number


def _items(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise MiotSpecError(f"{where}: '{key}' is not a list of objects")
    return value


def _ints(value: Any, where: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MiotSpecError(f"{where}: expected a list of iids, got {short_repr(value)}")
    numbers = [_whole(item) for item in value]
    if any(number is None for number in numbers):
        raise MiotSpecError(f"{where}: expected a list of iids, got {short_repr(value)}")
    return [number for number in numbers if number is not None]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _name(urn: str, description: str, fallback: str) -> str:
    if name := urn_name(urn):
        return name
    slug = re.sub(r"[^a-z0-9]+", "-", description.lower()).strip("-")
    return slug or fallback


def _value_range(value: Any, where: str) -> ValueRange | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) < 2:
        raise MiotSpecError(f"{where}: invalid value-range {short_repr(value)}")
    try:
        numbers = [float(item) for item in value[:3]]
    except TypeError, ValueError, OverflowError:
        raise MiotSpecError(f"{where}: invalid value-range {short_repr(value)}") from None
    # Kept as written even when odd (min > max, NaN): then no value is allowed, never any.
    # A negative step is read as its size (stricter than ignoring it); 0 or infinite: no step.
    step = abs(numbers[2]) if len(numbers) > 2 and 0 < abs(numbers[2]) < math.inf else None
    return ValueRange(numbers[0], numbers[1], step)


def _property(siid: int, data: Mapping[str, Any]) -> SpecProperty:
    where = f"property {siid}.{data.get('iid')}"
    iid = _iid(data, where)
    urn = _text(data.get("type"))
    description = _text(data.get("description"))
    access = data.get("access")
    values: list[SpecValue] = []
    for index, item in enumerate(_items(data, "value-list", where)):
        desc = _text(item.get("description"))
        if "value" not in item:
            raise MiotSpecError(f"{where}: value-list entry {index} has no value")
        values.append(
            SpecValue(
                value=item["value"],
                description=desc,
                name=re.sub(r"[^a-z0-9]+", "_", desc.lower()).strip("_") or str(item["value"]),
            )
        )
    unit = data.get("unit")
    return SpecProperty(
        siid=siid,
        iid=iid,
        urn=urn,
        name=_name(urn, description, f"property-{iid}"),
        description=description,
        format=_text(data.get("format")) or "string",
        access=tuple(str(a) for a in access) if isinstance(access, list) else (),
        unit=unit if isinstance(unit, str) and unit not in ("", "none") else None,
        value_range=_value_range(data.get("value-range"), where),
        value_list=values,
    )


def _service(data: Mapping[str, Any]) -> SpecService:
    where = f"service {data.get('iid')}"
    siid = _iid(data, where)
    urn = _text(data.get("type"))
    description = _text(data.get("description"))
    service = SpecService(
        iid=siid,
        urn=urn,
        name=_name(urn, description, f"service-{siid}"),
        description=description,
        properties=[_property(siid, item) for item in _items(data, "properties", where)],
    )
    for item in _items(data, "actions", where):
        aiid = _iid(item, f"action {siid}.{item.get('iid')}")
        action_urn = _text(item.get("type"))
        desc = _text(item.get("description"))
        service.actions.append(
            SpecAction(
                siid=siid,
                iid=aiid,
                urn=action_urn,
                name=_name(action_urn, desc, f"action-{aiid}"),
                description=desc,
                in_piids=_ints(item.get("in"), f"action {siid}.{aiid}"),
                out_piids=_ints(item.get("out"), f"action {siid}.{aiid}"),
            )
        )
    for item in _items(data, "events", where):
        eiid = _iid(item, f"event {siid}.{item.get('iid')}")
        event_urn = _text(item.get("type"))
        desc = _text(item.get("description"))
        service.events.append(
            SpecEvent(
                siid=siid,
                iid=eiid,
                urn=event_urn,
                name=_name(event_urn, desc, f"event-{eiid}"),
                description=desc,
                arguments=_ints(item.get("arguments"), f"event {siid}.{eiid}"),
            )
        )
    return service


def parse_spec(document: Any, urn: str | None = None) -> DeviceSpec:
    """Parse an instance document leniently; a broken document raises `MiotSpecError`."""
    if not isinstance(document, Mapping):
        raise MiotSpecError(f"spec {urn or '?'}: document is not a JSON object")
    doc_urn = _text(document.get("type")) or (urn or "")
    where = f"spec {doc_urn or '?'}"
    if "services" not in document:
        raise MiotSpecError(f"{where}: no services")
    try:
        services = [_service(item) for item in _items(document, "services", where)]
    except MiotSpecError as err:
        if str(err).startswith(where):
            raise
        raise MiotSpecError(f"{where}: {err}") from None
    return DeviceSpec(
        urn=doc_urn, description=_text(document.get("description")), services=services
    )
