"""Declarative discovery: MIoT-Spec-V2 services, properties, actions, events → entities.

Every platform module declares a list of `MiotSchema`. A schema names what it consumes by urn
*short names* (`light`, `brightness`, `start-sweep`), never by siid/piid and never by model (the
only model-based input is the small table in `overrides.py`). `discover_entities` runs every
schema of every platform over one device spec, in a fixed order (specific schemas first, generic
leftovers last), and each match *claims* the spec items it consumes so that every property,
action and event is exposed at most once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import logging
import re
from typing import Any, Final

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import (
    DEGREE,
    LIGHT_LUX,
    PERCENTAGE,
    EntityCategory,
    Platform,
    UnitOfDensity,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfRatio,
    UnitOfTemperature,
    UnitOfTime,
)

from .miot.spec import DeviceSpec, SpecAction, SpecEvent, SpecProperty, SpecService
from .overrides import ModelOverride, override_for

_LOGGER = logging.getLogger(__name__)

INT_FORMATS: Final = frozenset({"uint8", "uint16", "uint32", "int8", "int16", "int32", "int64"})
NUMERIC_FORMATS: Final = INT_FORMATS | {"float"}
STANDARD_NAMESPACE: Final = "miot-spec-v2"

# Spec unit → Home Assistant unit (the spec spells some units in more than one way).
UNITS: Final[dict[str, str]] = {
    "celsius": UnitOfTemperature.CELSIUS,
    "fahrenheit": UnitOfTemperature.FAHRENHEIT,
    "kelvin": UnitOfTemperature.KELVIN,
    "percentage": PERCENTAGE,
    "kwh": UnitOfEnergy.KILO_WATT_HOUR,
    "wh": UnitOfEnergy.WATT_HOUR,
    "watt": UnitOfPower.WATT,
    "w": UnitOfPower.WATT,
    "volt": UnitOfElectricPotential.VOLT,
    "v": UnitOfElectricPotential.VOLT,
    "ampere": UnitOfElectricCurrent.AMPERE,
    "a": UnitOfElectricCurrent.AMPERE,
    "ma": UnitOfElectricCurrent.MILLIAMPERE,
    "μg/m3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "µg/m3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "ug/m3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "mg/m3": UnitOfDensity.MILLIGRAMS_PER_CUBIC_METER,
    "ppm": UnitOfRatio.PARTS_PER_MILLION,
    "lux": LIGHT_LUX,
    "seconds": UnitOfTime.SECONDS,
    "minutes": UnitOfTime.MINUTES,
    "hours": UnitOfTime.HOURS,
    "hour": UnitOfTime.HOURS,
    "days": UnitOfTime.DAYS,
    "arcdegrees": DEGREE,
    "arcdegress": DEGREE,
}


def ha_unit(prop: SpecProperty) -> str | None:
    """Home Assistant unit of a property's spec unit (None: no or unknown unit)."""
    if prop.unit is None:
        return None
    return UNITS.get(prop.unit.strip().lower())


def is_numeric(prop: SpecProperty) -> bool:
    """Numeric and not an enumeration."""
    return prop.format in NUMERIC_FORMATS and not prop.value_list


type _Item = SpecProperty | SpecAction | SpecEvent


def is_standard(item: _Item | SpecService) -> bool:
    """Whether the item is defined by the MIoT standard (not a vendor namespace)."""
    parts = item.urn.split(":")
    return len(parts) > 1 and parts[1] == STANDARD_NAMESPACE


# ------------------------------------------------------------------ schema
@dataclass(frozen=True, slots=True)
class PropertyNeed:
    """A property a schema consumes, under a role name.

    names:    accepted urn short names, in order of preference.
    required: the schema does not match without it.
    elsewhere: other services of the device (short names) searched when the matched service lacks
    it.
    writable/readable/numeric/value_list: constraints (None: don't care; a property that is only
              written and notified has no `read` access but is still a control).
    formats:  accepted formats (empty: any).
    claim:    claim the property (False: only read it, another entity exposes it).
    """

    role: str
    names: tuple[str, ...]
    required: bool = False
    elsewhere: tuple[str, ...] = ()
    writable: bool | None = None
    readable: bool | None = None
    numeric: bool | None = None
    value_list: bool | None = None
    formats: frozenset[str] = frozenset()
    claim: bool = True

    def accepts(self, prop: SpecProperty) -> bool:
        """Whether the property fits the constraints (its name is checked by the caller)."""
        if self.writable is not None and prop.writable != self.writable:
            return False
        if self.readable is not None and prop.readable != self.readable:
            return False
        if self.numeric is not None and is_numeric(prop) != self.numeric:
            return False
        if self.value_list is not None and bool(prop.value_list) != self.value_list:
            return False
        return not self.formats or prop.format in self.formats


@dataclass(frozen=True, slots=True)
class ActionNeed:
    """An action a schema consumes (same fields as `PropertyNeed`); `max_in` bounds its inputs."""

    role: str
    names: tuple[str, ...]
    required: bool = False
    elsewhere: tuple[str, ...] = ()
    max_in: int = 0


@dataclass(frozen=True, kw_only=True)
class MiotSchema:
    """How one kind of entity is found in a spec.

    Service mode (`per_property=False`): one entity per matching service (short name in
    `services`), with the
    properties and actions of `properties`/`actions` (the first property is the entity's primary
    one).
    Property mode (`per_property=True`): one entity per unclaimed property accepted by
    `properties[0]`
    (any service unless `services` is set; any name when `properties[0].names` is empty).
    """

    platform: Platform
    key: str
    services: tuple[str, ...] = ()
    device_types: tuple[str, ...] = ()
    not_device_types: tuple[str, ...] = ()
    properties: tuple[PropertyNeed, ...] = ()
    actions: tuple[ActionNeed, ...] = ()
    per_property: bool = False
    main: bool = False
    translation_key: str | None = None
    use_service_name: bool = False
    device_class: str | None = None
    state_class: str | None = None
    unit: str | None = None
    entity_category: EntityCategory | None = None
    enabled_default: bool = True
    leftover: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    check: Callable[[DeviceSpec, SpecService, SpecProperty | None], bool] | None = None


def _without_service_word(label: str) -> str:
    """Drop the spec's "… Service" suffix from a service label used in a name."""
    suffix = " service"
    if label.lower().endswith(suffix) and len(label) > len(suffix):
        return label[: -len(suffix)].rstrip()
    return label


@dataclass(slots=True)
class MiotEntityInfo:
    """One discovered entity: the schema and the spec items it consumes."""

    schema: MiotSchema
    spec: DeviceSpec
    service: SpecService
    props: dict[str, SpecProperty] = field(default_factory=dict)
    actions: dict[str, SpecAction] = field(default_factory=dict)
    event: SpecEvent | None = None
    action: SpecAction | None = None
    main: bool = False
    duplicate_name: bool = False
    diagnostic: bool = False
    # `key`, kept once discovery is done (infos are shared and looked up by key many times).
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def platform(self) -> Platform:
        """Platform of the entity."""
        return self.schema.platform

    @property
    def primary(self) -> SpecProperty | None:
        """The property that defines the entity (first role), if any."""
        return next(iter(self.props.values()), None)

    @property
    def key(self) -> str:
        """Unique id suffix: `<siid>_<piid>`, `a_<siid>_<aiid>`, `e_<siid>_<eiid>` or
        `s_<siid>_<schema>`."""
        if self._key is not None:
            return self._key
        if self.event is not None:
            return f"e_{self.event.siid}_{self.event.iid}"
        if self.action is not None:
            return f"a_{self.action.siid}_{self.action.iid}"
        if (prop := self.primary) is not None:
            return f"{prop.siid}_{prop.iid}"
        return f"s_{self.service.iid}_{self.schema.key}"  # pragma: no cover - schemas have one

    def unique_id(self, did: str) -> str:
        """`<did>_<key>`."""
        return f"{did}_{self.key}"

    def prop(self, role: str) -> SpecProperty | None:
        """Property of a role."""
        return self.props.get(role)

    # --------------------------------------------------------------- traits
    @property
    def translation_key(self) -> str | None:
        """Translation key of the entity name (None: named from the spec)."""
        if self.main or self.duplicate_name:
            return None
        return self.schema.translation_key

    def name(self, lang: str | None) -> str | None:
        """Entity name in `lang` (None: the device name, or the translation key gives it)."""
        if self.main or self.translation_key:
            return None
        service_label = _without_service_word(self.service.label(lang))
        if self.event is not None:
            item_label = self.event.label(lang)
        elif self.action is not None:
            item_label = self.action.label(lang)
        elif (prop := self.primary) is not None and not (
            self.schema.use_service_name or prop.name in _SERVICE_NAMED_PROPS
        ):
            item_label = prop.label(lang)
        else:
            return service_label or self.schema.key
        if not item_label:
            item_label = self.schema.key
        if (
            self.duplicate_name
            and service_label
            and service_label.lower() not in item_label.lower()
        ):
            return f"{service_label} {item_label}"
        return item_label

    @property
    def device_class(self) -> str | None:
        """Device class from the schema (sensor schemas may refine it by unit)."""
        return self.schema.device_class

    @property
    def unit(self) -> str | None:
        """Unit of the primary property: the spec's when known, else the schema's default."""
        prop = self.primary
        if prop is not None and (unit := ha_unit(prop)) is not None:
            return unit
        return self.schema.unit

    @property
    def entity_category(self) -> EntityCategory | None:
        """Category: diagnostic when an override says so."""
        return EntityCategory.DIAGNOSTIC if self.diagnostic else self.schema.entity_category

    @property
    def enabled_default(self) -> bool:
        """Enabled unless the schema, an override or a vendor-namespace leftover says no; a
        sensor of free text (no value list, not a number) is disabled too. (Setup reads only
        what enabled entities show, so this is the one place that decides it.)"""
        if self.diagnostic or not self.schema.enabled_default:
            return False
        if (
            self.platform == Platform.SENSOR
            and (prop := self.primary) is not None
            and not prop.value_list
            and not is_numeric(prop)
        ):
            return False
        if self.schema.leftover:
            item: _Item | None = self.event or self.action or self.primary
            return item is not None and is_standard(item) and is_standard(self.service)
        return True

    def describe(self) -> dict[str, Any]:
        """Stable summary (tests snapshot it)."""
        return {
            "platform": str(self.platform),
            "schema": self.schema.key,
            "key": self.key,
            "name": self.name("en"),
            "translation_key": self.translation_key,
            "main": self.main,
            "device_class": str(self.device_class) if self.device_class else None,
            "unit": self.unit,
            "roles": sorted([*self.props, *self.actions]),
            "enabled": self.enabled_default,
            "category": self.entity_category.value if self.entity_category else None,
        }


# Properties whose own name says nothing: the entity is named after its service ("Indicator Light").
_SERVICE_NAMED_PROPS: Final = frozenset({"on", "switch-status"})


# ---------------------------------------------------------------- registry
_SCHEMAS: dict[Platform, list[MiotSchema]] = {}
# Order in which platforms run: specific device platforms first, then the per-property and leftover
# ones.
PLATFORM_ORDER: Final[tuple[Platform, ...]] = (
    Platform.VACUUM,
    Platform.CLIMATE,
    Platform.WATER_HEATER,
    Platform.HUMIDIFIER,
    Platform.COVER,
    Platform.VALVE,
    Platform.FAN,
    Platform.LIGHT,
    Platform.MEDIA_PLAYER,
    Platform.LOCK,
    Platform.ALARM_CONTROL_PANEL,
    Platform.SIREN,
    Platform.DEVICE_TRACKER,
    Platform.SWITCH,
    Platform.BINARY_SENSOR,
    Platform.SENSOR,
    Platform.SELECT,
    Platform.NUMBER,
    Platform.TIME,
    Platform.TEXT,
    Platform.BUTTON,
    Platform.EVENT,
)


def register_schemas(platform: Platform, schemas: Iterable[MiotSchema]) -> None:
    """Called by each platform module at import: its declarative schema list."""
    _SCHEMAS[platform] = list(schemas)


def all_schemas() -> list[MiotSchema]:
    """Every schema in matching order: non-leftover schemas platform by platform, then leftovers."""
    _load_platform_modules()
    ordered = [schema for platform in PLATFORM_ORDER for schema in _SCHEMAS.get(platform, ())]
    return [s for s in ordered if not s.leftover] + [s for s in ordered if s.leftover]


def _load_platform_modules() -> None:
    """Import every platform module once so that their schemas are registered."""
    if len(_SCHEMAS) == len(PLATFORM_ORDER):
        return
    import importlib

    for platform in PLATFORM_ORDER:
        importlib.import_module(f"{__package__}.{platform.value}")


# --------------------------------------------------------------- matching
type Claimed = set[tuple[str, int, int]]


def _find_property(
    spec: DeviceSpec, service: SpecService, need: PropertyNeed, claimed: Claimed
) -> SpecProperty | None:
    services = [service, *(svc for name in need.elsewhere for svc in spec.find_services(name))]
    for svc in services:
        for name in need.names:
            for prop in svc.properties:
                if prop.name != name or ("p", prop.siid, prop.iid) in claimed:
                    continue
                if need.accepts(prop):
                    return prop
    return None


def _find_action(
    spec: DeviceSpec, service: SpecService, need: ActionNeed, claimed: Claimed
) -> SpecAction | None:
    services = [service, *(svc for name in need.elsewhere for svc in spec.find_services(name))]
    for svc in services:
        for name in need.names:
            for action in svc.actions:
                if action.name != name or ("a", action.siid, action.iid) in claimed:
                    continue
                if len(action.in_piids) <= need.max_in:
                    return action
    return None


def _match_service(
    schema: MiotSchema, spec: DeviceSpec, service: SpecService, claimed: Claimed
) -> MiotEntityInfo | None:
    info = MiotEntityInfo(schema=schema, spec=spec, service=service)
    for need in schema.properties:
        prop = _find_property(spec, service, need, claimed)
        if prop is None:
            if need.required:
                return None
            continue
        info.props[need.role] = prop
    for action_need in schema.actions:
        action = _find_action(spec, service, action_need, claimed)
        if action is None:
            if action_need.required:
                return None
            continue
        info.actions[action_need.role] = action
    if schema.check is not None and not schema.check(spec, service, info.primary):
        return None
    return info


def _claim(info: MiotEntityInfo, claimed: Claimed) -> None:
    for role, prop in info.props.items():
        need = next(n for n in info.schema.properties if n.role == role)
        if need.claim:
            claimed.add(("p", prop.siid, prop.iid))
    for action in info.actions.values():
        claimed.add(("a", action.siid, action.iid))
    if info.action is not None:
        claimed.add(("a", info.action.siid, info.action.iid))
    if info.event is not None:
        claimed.add(("e", info.event.siid, info.event.iid))


def _service_allowed(schema: MiotSchema, service: SpecService) -> bool:
    return not schema.services or service.name in schema.services


def _device_allowed(schema: MiotSchema, spec: DeviceSpec) -> bool:
    if schema.device_types and spec.name not in schema.device_types:
        return False
    return spec.name not in schema.not_device_types


def _run_schema(
    schema: MiotSchema,
    spec: DeviceSpec,
    claimed: Claimed,
    skipped: set[tuple[str, str]],
) -> list[MiotEntityInfo]:
    found: list[MiotEntityInfo] = []
    for service in spec.services:
        if not _service_allowed(schema, service):
            continue
        if schema.per_property:
            found.extend(_run_per_property(schema, spec, service, claimed, skipped))
        elif schema.extra.get("kind") == "action":
            found.extend(_run_actions(schema, spec, service, claimed))
        elif schema.extra.get("kind") == "event":
            found.extend(_run_events(schema, spec, service, claimed))
        else:
            info = _match_service(schema, spec, service, claimed)
            if info is not None and (
                info.primary is None or (service.name, info.primary.name) not in skipped
            ):
                _claim(info, claimed)
                found.append(info)
    return found


def _run_per_property(
    schema: MiotSchema,
    spec: DeviceSpec,
    service: SpecService,
    claimed: Claimed,
    skipped: set[tuple[str, str]],
) -> list[MiotEntityInfo]:
    need = schema.properties[0]
    found: list[MiotEntityInfo] = []
    for prop in service.properties:
        if ("p", prop.siid, prop.iid) in claimed or (service.name, prop.name) in skipped:
            continue
        if need.names and prop.name not in need.names:
            continue
        if not need.accepts(prop):
            continue
        if schema.check is not None and not schema.check(spec, service, prop):
            continue
        info = MiotEntityInfo(schema=schema, spec=spec, service=service, props={need.role: prop})
        _claim(info, claimed)
        found.append(info)
    return found


def _run_actions(
    schema: MiotSchema, spec: DeviceSpec, service: SpecService, claimed: Claimed
) -> list[MiotEntityInfo]:
    found: list[MiotEntityInfo] = []
    for action in service.actions:
        if ("a", action.siid, action.iid) in claimed:
            continue
        if action.in_piids:
            _LOGGER.debug("%s: action %s needs input, not a button", spec.urn, action.urn)
            continue
        info = MiotEntityInfo(schema=schema, spec=spec, service=service, action=action)
        _claim(info, claimed)
        found.append(info)
    return found


def _run_events(
    schema: MiotSchema, spec: DeviceSpec, service: SpecService, claimed: Claimed
) -> list[MiotEntityInfo]:
    found: list[MiotEntityInfo] = []
    for event in service.events:
        if ("e", event.siid, event.iid) in claimed:
            continue
        info = MiotEntityInfo(schema=schema, spec=spec, service=service, event=event)
        _claim(info, claimed)
        found.append(info)
    return found


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _mark_duplicates(spec: DeviceSpec, infos: list[MiotEntityInfo]) -> None:
    """Flag names that appear in more than one service of the device."""
    per_label: dict[str, set[int]] = {}
    for service in spec.services:
        items: list[_Item] = [*service.properties, *service.actions, *service.events]
        for each in items:
            per_label.setdefault(_norm(each.description), set()).add(service.iid)
    counts = Counter(_norm(info.name("en") or "") for info in infos)
    for info in infos:
        item: _Item | None = info.event or info.action or info.primary
        if item is None:
            continue  # pragma: no cover - every entity has one
        own = _norm(info.name("en") or "")
        if len(per_label.get(_norm(item.description), ())) > 1 or (own and counts[own] > 1):
            info.duplicate_name = True


# A reading is the device itself only for sensor devices (a magnet sensor's contact state);
# a cooker's temperature is not the cooker.
SENSOR_DEVICE_SUFFIXES: Final = ("sensor", "monitor", "detector")


def _type_affinity(device_type: str, service_name: str) -> int:
    """How much a service names what the device is: 2 the same word (`heater`/`heater`), 1 one
    contains the other as whole words (`ptc-bath-heater` is a `bath-heater`), 0 unrelated."""
    if service_name == device_type:
        return 2
    if f"-{device_type}" in f"-{service_name}" or f"-{service_name}" in f"-{device_type}":
        return 1
    return 0


def _pick_main(spec: DeviceSpec, infos: list[MiotEntityInfo]) -> None:
    """The device's main entity: the candidate whose service best names the device type (a bath
    heater's `ptc-bath-heater` climate, not its light), then by platform order, then siid."""
    candidates = [info for info in infos if info.schema.main]
    if not candidates:
        return
    same_type = [
        info
        for info in candidates
        if _type_affinity(spec.name, info.service.name)
        and (not info.schema.per_property or spec.name.endswith(SENSOR_DEVICE_SUFFIXES))
    ]
    pool = same_type or [info for info in candidates if not info.schema.per_property]
    if not pool:
        return
    order = {platform: index for index, platform in enumerate(PLATFORM_ORDER)}
    pool.sort(
        key=lambda info: (
            -_type_affinity(spec.name, info.service.name),
            order.get(info.platform, len(order)),
            info.service.iid,
        )
    )
    pool[0].main = True


def discover_entities(spec: DeviceSpec, model: str | None = None) -> list[MiotEntityInfo]:
    """Every entity of a device, each spec item claimed at most once; never raises."""
    override: ModelOverride | None = override_for(model)
    skipped: set[tuple[str, str]] = set()
    diagnostic: set[tuple[str, str]] = set()
    if override is not None:
        skipped = {_split(item) for item in override.skip}
        diagnostic = {_split(item) for item in override.diagnostic}
    claimed: Claimed = set()
    infos: list[MiotEntityInfo] = []
    for schema in all_schemas():
        if not _device_allowed(schema, spec):
            continue
        try:
            infos.extend(_run_schema(schema, spec, claimed, skipped))
        except Exception:  # a malformed item must not break the device
            _LOGGER.debug("%s: schema %s failed", spec.urn, schema.key, exc_info=True)
    for info in infos:
        if (prop := info.primary) is not None and (info.service.name, prop.name) in diagnostic:
            info.diagnostic = True
    _pick_main(spec, infos)
    _mark_duplicates(spec, infos)
    for info in infos:
        info._key = info.key  # final now
    return infos


def _split(item: str) -> tuple[str, str]:
    service, _, prop = item.partition(":")
    return service, prop


# ------------------------------------------------------------- helpers
def value_key(text: str) -> str:
    """Lower-case slug of a value-list description (`Go Charging` → `go_charging`)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def value_options(prop: SpecProperty) -> list[tuple[Any, str]]:
    """(value, unique slug) of every value-list entry; repeats get a numeric suffix."""
    seen: Counter[str] = Counter()
    result: list[tuple[Any, str]] = []
    for item in prop.value_list:
        slug = value_key(item.description) or str(item.value)
        seen[slug] += 1
        if seen[slug] > 1:
            slug = f"{slug}_{seen[slug]}"
        result.append((item.value, slug))
    return result


def value_labels(prop: SpecProperty, lang: str | None) -> list[tuple[Any, str]]:
    """(value, unique translated label) of every value-list entry."""
    seen: Counter[str] = Counter()
    result: list[tuple[Any, str]] = []
    for item in prop.value_list:
        label = item.label(lang) or item.description or str(item.value)
        seen[label] += 1
        if seen[label] > 1:
            label = f"{label} {seen[label]}"
        result.append((item.value, label))
    return result


def find_value(prop: SpecProperty, *words: str) -> Any:
    """Value of the first value-list entry whose slug is one of `words` (None when absent)."""
    for value, slug in value_options(prop):
        if slug in words:
            return value
    return None


SENSOR_CLASSES: Final[dict[str, tuple[SensorDeviceClass | None, str | None]]] = {
    "temperature": (SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS),
    "indoor-temperature": (SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS),
    "relative-humidity": (SensorDeviceClass.HUMIDITY, PERCENTAGE),
    "pm2.5-density": (SensorDeviceClass.PM25, UnitOfDensity.MICROGRAMS_PER_CUBIC_METER),
    "pm10-density": (SensorDeviceClass.PM10, UnitOfDensity.MICROGRAMS_PER_CUBIC_METER),
    "pm1-density": (SensorDeviceClass.PM1, UnitOfDensity.MICROGRAMS_PER_CUBIC_METER),
    "co2-density": (SensorDeviceClass.CO2, UnitOfRatio.PARTS_PER_MILLION),
    "tvoc-density": (
        SensorDeviceClass.VOLATILE_ORGANIC_COMPOUNDS,
        UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    ),
    "illumination": (SensorDeviceClass.ILLUMINANCE, LIGHT_LUX),
    "battery-level": (SensorDeviceClass.BATTERY, PERCENTAGE),
    "electric-power": (SensorDeviceClass.POWER, UnitOfPower.WATT),
    "power-consumption": (SensorDeviceClass.ENERGY, UnitOfEnergy.KILO_WATT_HOUR),
    "voltage": (SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT),
    "electric-current": (SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE),
    "air-quality-index": (SensorDeviceClass.AQI, None),
}
