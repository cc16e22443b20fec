"""Services: write and read spec properties, run spec actions and refresh devices.

The helpers that find devices, properties, actions and events by name are shared with the
device triggers and device actions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids
import probatio

from .const import DOMAIN
from .coordinator import MiotCoordinator
from .dueros import is_dueros_entry
from .miot import (
    DeviceSpec,
    MiotAuthError,
    MiotError,
    MiotInvalidValueError,
    SpecAction,
    SpecEvent,
    SpecProperty,
    SpecServiceModel,
)
from .miot.errors import CODE_OFFLINE, describe_code
from .miot.spec import INT_RANGES, short_repr

if TYPE_CHECKING:
    from . import MiotConfigEntry

SERVICE_SET_PROPERTY = "set_property"
SERVICE_GET_PROPERTIES = "get_properties"
SERVICE_CALL_ACTION = "call_action"
SERVICE_REFRESH = "refresh"

CONF_SUBTYPE = "subtype"  # of device triggers and device actions

ATTR_PROPERTY = "property"
ATTR_PROPERTIES = "properties"
ATTR_SIID = "siid"
ATTR_PIID = "piid"
ATTR_AIID = "aiid"
ATTR_VALUE = "value"
ATTR_ACTION = "action"
ATTR_ARGUMENTS = "arguments"

_PLACEHOLDER_LIMIT = 200


def _iid(value: Any) -> int:
    """A siid/piid/aiid: a whole number 1..65535 (`2`, `"2"`, `2.0`), never truncated
    (`2.9` is refused, not read as 2) and never an overflow (`.inf`, `1e400`)."""
    if isinstance(value, bool):
        raise probatio.Invalid("expected a whole number, not a boolean")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    if number is None:
        raise probatio.Invalid(f"expected a whole number, got {short_repr(value)}")
    if not 1 <= number <= 0xFFFF:
        raise probatio.Invalid(f"expected a number in 1..65535, got {short_repr(value)}")
    return number


def _value(value: Any) -> Any:
    """The value to write: present (not null) and of a JSON type; checked against the spec
    later, where the error can name the property."""
    if value is None:
        raise probatio.Invalid("a value is required (null was given)")
    if not isinstance(value, (bool, int, float, str, list, dict)):
        raise probatio.Invalid(f"expected a number, text, list or mapping, got {short_repr(value)}")
    return value


_IID = _iid
_NUMBERS = re.compile(r"^\s*(\d+)\s*\.\s*(\d+)\s*$")

_TARGET: dict[Any, Any] = dict(cv.TARGET_SERVICE_FIELDS)
# Values are checked against the spec in the handlers, where errors can be translated.
SET_PROPERTY_SCHEMA = probatio.Schema(
    {
        **_TARGET,
        probatio.Optional(ATTR_PROPERTY): cv.string,
        probatio.Optional(ATTR_SIID): _IID,
        probatio.Optional(ATTR_PIID): _IID,
        probatio.Required(ATTR_VALUE): _value,
    }
)
GET_PROPERTIES_SCHEMA = probatio.Schema(
    {**_TARGET, probatio.Optional(ATTR_PROPERTIES): probatio.All(cv.ensure_list, [cv.string])}
)
CALL_ACTION_SCHEMA = probatio.Schema(
    {
        **_TARGET,
        probatio.Optional(ATTR_ACTION): cv.string,
        probatio.Optional(ATTR_SIID): _IID,
        probatio.Optional(ATTR_AIID): _IID,
        probatio.Optional(ATTR_ARGUMENTS): probatio.Any(None, probatio.Schema({cv.string: object})),
    }
)
REFRESH_SCHEMA = probatio.Schema(_TARGET)


# ---------------------------------------------------------------------------- targets
@dataclass(slots=True, frozen=True)
class MiotTarget:
    """One device of a loaded account, as a service or automation addresses it."""

    coordinator: MiotCoordinator
    did: str
    device_id: str

    @property
    def spec(self) -> DeviceSpec:
        """The device's spec."""
        return self.coordinator.specs[self.did]

    @property
    def name(self) -> str:
        """The device's name in the Xiaomi account."""
        return self.coordinator.devices[self.did].name

    @property
    def language(self) -> str:
        """Language for spec labels."""
        return self.coordinator.hass.config.language


def validation_error(key: str, **placeholders: Any) -> ServiceValidationError:
    """A translated error about what the user asked for."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=_placeholders(placeholders),
    )


def _placeholders(placeholders: dict[str, Any]) -> dict[str, str]:
    """Placeholders as text, each cut short: an error never repeats a huge input."""
    result: dict[str, str] = {}
    for name, value in placeholders.items():
        text = str(value)
        if len(text) > _PLACEHOLDER_LIMIT:
            text = f"{text[: _PLACEHOLDER_LIMIT - 1]}…"
        result[name] = text
    return result


def _failure(key: str, **placeholders: Any) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=_placeholders(placeholders),
    )


def loaded_coordinators(hass: HomeAssistant) -> list[MiotCoordinator]:
    """Coordinators of every loaded account."""
    entries: list[MiotConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return [entry.runtime_data.coordinator for entry in entries if not is_dueros_entry(entry)]


def did_of_device(device: dr.BaseDeviceEntry) -> str | None:
    """The Xiaomi did a registry device stands for (None: not one of ours)."""
    return next((ident for domain, ident in device.identifiers if domain == DOMAIN), None)


@callback
def async_device_target(hass: HomeAssistant, device_id: str) -> MiotTarget | None:
    """The loaded MIoT device behind a registry device id (None: unknown or not loaded)."""
    device = dr.async_get(hass).async_get(device_id, include_child_devices=False)
    if device is None or (did := did_of_device(device)) is None:
        return None
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    if did in coordinator.devices and did in coordinator.specs:
        return MiotTarget(coordinator, did, device.id)
    return None


@callback
def async_resolve_targets(hass: HomeAssistant, call: ServiceCall) -> list[MiotTarget]:
    """Devices a service call targets.

    Devices and entities named explicitly must be MIoT Connect ones; areas, floors and labels
    contribute the MIoT Connect devices they contain.
    """
    selection = TargetSelection(call.data)
    if not selection.has_any_target:
        raise validation_error("no_target")
    selected = async_extract_referenced_entity_ids(hass, selection)
    entities = er.async_get(hass)
    targets: dict[str, MiotTarget] = {}

    def add(device_id: str | None, named: str | None) -> None:
        target = async_device_target(hass, device_id) if device_id else None
        if target is None:
            if named is not None:
                raise validation_error("unknown_device", target=named)
            return
        targets.setdefault(target.device_id, target)

    # Explicit devices and entities first, in the order given.
    for device_id in _ordered(call.data.get(ATTR_DEVICE_ID), selection.device_ids):
        add(device_id, device_id)
    for entity_id in _ordered(call.data.get(ATTR_ENTITY_ID), selected.referenced):
        entry = entities.async_get(entity_id)
        add(entry.device_id if entry is not None and entry.platform == DOMAIN else None, entity_id)
    for device_id in sorted(selected.referenced_devices):
        add(device_id, None)
    for entity_id in sorted(selected.indirectly_referenced):
        entry = entities.async_get(entity_id)
        if entry is not None and entry.platform == DOMAIN:
            add(entry.device_id, None)
    if not targets:
        raise validation_error("no_devices")
    return list(targets.values())


def _ordered(given: Any, ids: set[str]) -> list[str]:
    """`ids` in the order the call gave them (groups may add more: those follow, sorted)."""
    first = [item for item in cv.ensure_list(given) if isinstance(item, str) and item in ids]
    return list(dict.fromkeys(first)) + sorted(ids.difference(first))


def _names(targets: Iterable[MiotTarget]) -> str:
    return ", ".join(target.name for target in targets)


# ------------------------------------------------------------------------- spec names
def property_name(spec: DeviceSpec, prop: SpecProperty) -> str:
    """`service.property` when that finds this property, else `siid.piid`."""
    service = spec.service(prop.siid)
    if service is not None and spec.find_property(service.name, prop.name) is prop:
        return f"{service.name}.{prop.name}"
    return f"{prop.siid}.{prop.iid}"


def action_name(spec: DeviceSpec, action: SpecAction) -> str:
    """`service.action` when that finds this action, else `siid.aiid`."""
    service = spec.service(action.siid)
    if service is not None and spec.find_action(service.name, action.name) is action:
        return f"{service.name}.{action.name}"
    return f"{action.siid}.{action.iid}"


def _find_by_name[T](
    spec: DeviceSpec, name: str, items: Iterable[tuple[SpecServiceModel, T, str]]
) -> T | None:
    """Find `service.item`, `siid.iid` or a bare item name that only one service has."""
    if match := _NUMBERS.match(name):
        siid, iid = int(match.group(1)), int(match.group(2))
        for service, item, _ in items:
            if service.iid == siid and getattr(item, "iid", None) == iid:
                return item
        return None
    service_name, dot, item_name = name.strip().rpartition(".")
    found: list[T] = []
    for service, item, short in items:
        if dot and service.name == service_name and short == item_name:
            return item
        if not dot and short == item_name:
            found.append(item)
    return found[0] if len(found) == 1 else None


def find_property(
    target: MiotTarget, name: str | None, siid: int | None = None, piid: int | None = None
) -> SpecProperty:
    """A property by name or numbers; `unknown_property` when the device has none."""
    spec = target.spec
    prop: SpecProperty | None
    if name is not None:
        prop = _find_by_name(
            spec,
            name,
            ((svc, item, item.name) for svc in spec.services for item in svc.properties),
        )
        wanted = name
    elif siid is not None and piid is not None:
        prop = spec.property(siid, piid) if spec.has_property(siid, piid) else None
        wanted = f"{siid}.{piid}"
    else:
        raise validation_error("missing_property")
    if prop is None:
        raise validation_error("unknown_property", device=target.name, property=wanted)
    return prop


def find_action(
    target: MiotTarget, name: str | None, siid: int | None = None, aiid: int | None = None
) -> tuple[SpecServiceModel, SpecAction]:
    """An action (with its service) by name or numbers; `unknown_action` when absent."""
    spec = target.spec
    action: SpecAction | None
    if name is not None:
        action = _find_by_name(
            spec, name, ((svc, item, item.name) for svc in spec.services for item in svc.actions)
        )
        wanted = name
    elif siid is not None and aiid is not None:
        action = spec.action(siid, aiid)
        wanted = f"{siid}.{aiid}"
    else:
        raise validation_error("missing_action")
    service = spec.service(action.siid) if action is not None else None
    if action is None or service is None:
        raise validation_error("unknown_action", device=target.name, action=wanted)
    return service, action


# ------------------------------------------------------------------------- validation
def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            float(value.strip())
        except ValueError:
            return False
        return True
    return False


def allowed_range(prop: SpecProperty) -> str:
    """The numeric range a property allows, in words (`1..100 step 1`)."""
    if prop.value_range is not None:
        return prop.value_range.describe()
    low, high = INT_RANGES.get(prop.format, (0, 0))
    return f"{low}..{high}" if prop.format in INT_RANGES else "any number"


def validate_value(target: MiotTarget, prop: SpecProperty, value: Any, *, label: str) -> Any:
    """The value to send, or a translated error: wrong type, out of range, not in the list."""
    if prop.format == "string" and _is_number(value) and not isinstance(value, str):
        value = str(value)  # templates render "42" as a number
    try:
        return prop.coerce(value)
    except MiotInvalidValueError:
        pass
    placeholders = {"device": target.name, "property": label, "value": repr(value)}
    if prop.value_list:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            options = ", ".join(
                f"{item.value} ({item.label(target.language)})" for item in prop.value_list
            )
            raise validation_error("not_in_list", options=options, **placeholders)
    elif (prop.format in INT_RANGES or prop.format == "float") and _is_number(value):
        raise validation_error("out_of_range", range=allowed_range(prop), **placeholders)
    raise validation_error("wrong_type", expected=prop.allowed(), **placeholders)


def validate_arguments(
    target: MiotTarget,
    service: SpecServiceModel,
    action: SpecAction,
    arguments: Mapping[str, Any] | None,
) -> list[Any]:
    """Named inputs → the positional `in` values, each checked against the spec."""
    given = dict(arguments or {})
    expected = input_properties(service, action)
    label = action_name(target.spec, action)
    values: list[Any] = []
    for name, prop in expected:
        if name not in given:
            raise validation_error(
                "missing_argument",
                action=label,
                argument=name,
                expected=prop.allowed() if prop is not None else "a value",
            )
        value = given.pop(name)
        values.append(
            validate_value(target, prop, value, label=f"{label} {name}")
            if prop is not None
            else value
        )
    if given:
        raise validation_error(
            "unknown_argument",
            action=label,
            argument=", ".join(sorted(given)),
            arguments=", ".join(name for name, _ in expected) or "none",
        )
    return values


def input_properties(
    service: SpecServiceModel, action: SpecAction
) -> list[tuple[str, SpecProperty | None]]:
    """Names and properties of an action's inputs."""
    return _arguments(service, action.in_piids)


def _arguments(
    service: SpecServiceModel, piids: Sequence[int]
) -> list[tuple[str, SpecProperty | None]]:
    result: list[tuple[str, SpecProperty | None]] = []
    for piid in piids:
        prop = service.property(piid)
        result.append((prop.name if prop is not None else str(piid), prop))
    return result


def named_outputs(
    service: SpecServiceModel, action: SpecAction, out: Sequence[Any]
) -> dict[str, Any]:
    """The `out` values of an action by property name (extra values as `out<n>`)."""
    names = [name for name, _ in _arguments(service, action.out_piids)]
    named: dict[str, Any] = dict(zip(names, out, strict=False))
    for index in range(len(names), len(out)):
        named[f"out{index}"] = out[index]
    return named


# ------------------------------------------------------------- automation item names
@dataclass(slots=True, frozen=True)
class AutomationItem[T]:
    """A spec event or action as a device trigger or device action: `type` and `subtype`."""

    type: str
    subtype: str
    service: SpecServiceModel
    item: T


def _subtype(spec: DeviceSpec, service: SpecServiceModel) -> str:
    """Service short name; devices that repeat a service get `name-siid`."""
    if len(spec.find_services(service.name)) > 1:
        return f"{service.name}-{service.iid}"
    return service.name


def event_items(spec: DeviceSpec) -> list[AutomationItem[SpecEvent]]:
    """Every spec event of a device, as device triggers."""
    return [
        AutomationItem(event.name, _subtype(spec, service), service, event)
        for service in spec.services
        for event in service.events
    ]


def action_items(spec: DeviceSpec) -> list[AutomationItem[SpecAction]]:
    """Every spec action of a device, as device actions."""
    return [
        AutomationItem(action.name, _subtype(spec, service), service, action)
        for service in spec.services
        for action in service.actions
    ]


def find_item[T](items: Iterable[AutomationItem[T]], type_: str, subtype: str) -> T | None:
    """The item with this type and subtype."""
    return next(
        (item.item for item in items if item.type == type_ and item.subtype == subtype), None
    )


# ------------------------------------------------------------------------ cloud errors
def _cloud_failure(target: MiotTarget, err: MiotError) -> HomeAssistantError:
    if isinstance(err, MiotAuthError):
        target.coordinator.entry.async_start_reauth(target.coordinator.hass)
        return _failure("auth_failed")
    return _failure("request_failed", device=target.name, error=err)


def _raise_failures(
    done: list[MiotTarget], failed: list[tuple[MiotTarget, HomeAssistantError]]
) -> None:
    """Say exactly which devices failed; a single failure keeps its own message."""
    if not failed:
        return
    reasons = "; ".join(f"{target.name}: {err}" for target, err in failed)
    if done:
        raise _failure(
            "partly_applied",
            done=_names(done),
            failed=_names(target for target, _ in failed),
            error=reasons,
        ) from failed[0][1]
    if len(failed) == 1:
        raise failed[0][1]
    raise _failure(
        "all_failed", devices=_names(target for target, _ in failed), error=reasons
    ) from failed[0][1]


async def run_all(targets: Sequence[MiotTarget], calls: Sequence[Any]) -> list[Any]:
    """Await one call per target; failures are reported together once all finished."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    done: list[MiotTarget] = []
    failed: list[tuple[MiotTarget, HomeAssistantError]] = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, HomeAssistantError):
            failed.append((target, result))
        elif isinstance(result, BaseException):  # pragma: no cover - programming errors
            raise result
        else:
            done.append(target)
    _raise_failures(done, failed)
    return results


# ---------------------------------------------------------------------------- handlers
async def _async_set_property(call: ServiceCall) -> None:
    targets = async_resolve_targets(call.hass, call)
    name: str | None = call.data.get(ATTR_PROPERTY)
    siid: int | None = call.data.get(ATTR_SIID)
    piid: int | None = call.data.get(ATTR_PIID)
    writes: list[tuple[MiotTarget, SpecProperty, Any]] = []
    # Everything is checked for every device before anything is sent.
    for target in targets:
        prop = find_property(target, name, siid, piid)
        label = property_name(target.spec, prop)
        if not prop.writable:
            raise validation_error("read_only", device=target.name, property=label)
        writes.append(
            (target, prop, validate_value(target, prop, call.data[ATTR_VALUE], label=label))
        )
    await run_all(
        targets,
        [
            target.coordinator.async_set_property(target.did, prop.siid, prop.iid, value)
            for target, prop, value in writes
        ],
    )


async def _async_get_properties(call: ServiceCall) -> ServiceResponse:
    targets = async_resolve_targets(call.hass, call)
    names: list[str] | None = call.data.get(ATTR_PROPERTIES)
    wanted: list[tuple[MiotTarget, list[SpecProperty]]] = []
    for target in targets:
        if names:
            props = [find_property(target, name) for name in names]
            for prop in props:
                if not prop.readable:
                    raise validation_error(
                        "not_readable",
                        device=target.name,
                        property=property_name(target.spec, prop),
                    )
        else:
            props = [prop for prop in target.spec.properties() if prop.readable]
        wanted.append((target, props))
    # Reads issued together share cloud requests (the client batches them).
    answers = await asyncio.gather(
        *(
            target.coordinator.device_api.get_properties(
                [(target.did, prop.siid, prop.iid) for prop in props]
            )
            for target, props in wanted
        ),
        return_exceptions=True,
    )
    response: dict[str, Any] = {}
    failures = 0
    offline = 0
    asked = 0
    for (target, props), results in zip(wanted, answers, strict=True):
        if isinstance(results, MiotError):
            raise _cloud_failure(target, results) from results
        if isinstance(results, BaseException):  # pragma: no cover - programming errors
            raise results
        # Fresh values also update the entities.
        target.coordinator.async_apply_results(results)
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for prop, result in zip(props, results, strict=True):
            label = property_name(target.spec, prop)
            if result.ok:
                values[label] = result.value
            else:
                errors[label] = describe_code(result.code)
                offline += result.code == CODE_OFFLINE
        asked += len(props)
        failures += len(errors)
        entry: dict[str, Any] = {"did": target.did, "name": target.name, "properties": values}
        if errors:
            entry["errors"] = errors
        response[target.device_id] = entry
    if asked and failures == asked:
        # Nothing could be read at all: say why instead of answering with nothing.
        if offline == failures and len(targets) == 1:
            raise _failure("device_offline", device=targets[0].name)
        first = next(e for e in response.values() if "errors" in e)
        raise _failure(
            "read_failed", devices=_names(targets), error=next(iter(first["errors"].values()))
        )
    return response


async def _async_call_action(call: ServiceCall) -> ServiceResponse:
    targets = async_resolve_targets(call.hass, call)
    name: str | None = call.data.get(ATTR_ACTION)
    siid: int | None = call.data.get(ATTR_SIID)
    aiid: int | None = call.data.get(ATTR_AIID)
    runs: list[tuple[MiotTarget, SpecServiceModel, SpecAction, list[Any]]] = []
    for target in targets:
        service, action = find_action(target, name, siid, aiid)
        values = validate_arguments(target, service, action, call.data.get(ATTR_ARGUMENTS))
        runs.append((target, service, action, values))
    results = await run_all(
        targets,
        [
            target.coordinator.async_call_action(target.did, action.siid, action.iid, values)
            for target, _, action, values in runs
        ],
    )
    if not call.return_response:
        return None
    return {
        target.device_id: {
            "did": target.did,
            "name": target.name,
            "action": action_name(target.spec, action),
            "out": named_outputs(service, action, out),
        }
        for (target, service, action, _), out in zip(runs, results, strict=True)
    }


async def _async_refresh(call: ServiceCall) -> None:
    hass = call.hass
    if not TargetSelection(call.data).has_any_target:
        coordinators = loaded_coordinators(hass)
        if not coordinators:
            raise validation_error("not_loaded")
        for coordinator in coordinators:
            try:
                await coordinator.async_refresh_device_list()
            except MiotError as err:
                raise _failure("refresh_failed", error=err) from err
        return
    targets = async_resolve_targets(hass, call)
    by_coordinator: dict[int, tuple[MiotCoordinator, list[str]]] = {}
    for target in targets:
        by_coordinator.setdefault(id(target.coordinator), (target.coordinator, []))[1].append(
            target.did
        )
    for coordinator, dids in by_coordinator.values():
        try:
            await coordinator.async_refresh_devices(dids)
        except MiotError as err:
            raise _failure("refresh_failed", error=err) from err


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services (once, independent of entries)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_PROPERTY, _async_set_property, schema=SET_PROPERTY_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_PROPERTIES,
        _async_get_properties,
        schema=GET_PROPERTIES_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL_ACTION,
        _async_call_action,
        schema=CALL_ACTION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(DOMAIN, SERVICE_REFRESH, _async_refresh, schema=REFRESH_SCHEMA)
