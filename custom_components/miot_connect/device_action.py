"""Device actions: every spec action of a device, its inputs as extra fields.

`type` is the action's urn short name and `subtype` the short name of its service, as for the
device triggers. Inputs are top-level keys named after their spec property (`text-content`);
values may be templates.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_TYPE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.helpers.template import Template, is_template_string
from homeassistant.helpers.typing import ConfigType
import probatio

from .const import DOMAIN
from .miot import SpecAction, SpecProperty, SpecServiceModel
from .miot.spec import INT_RANGES
from .services import (
    CONF_SUBTYPE,
    MiotTarget,
    action_items,
    action_name,
    async_device_target,
    find_item,
    input_properties,
    validate_arguments,
    validate_value,
    validation_error,
)

ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(
    {probatio.Required(CONF_TYPE): cv.string, probatio.Required(CONF_SUBTYPE): cv.string},
    extra=probatio.ALLOW_EXTRA,
)

# Keys of the action config itself; an input with one of these names cannot be an extra field.
_RESERVED = frozenset(
    {
        CONF_DEVICE_ID,
        CONF_DOMAIN,
        CONF_TYPE,
        "entity_id",
        "metadata",
        "alias",
        "enabled",
        "continue_on_error",
    }
)


def _inputs(service: SpecServiceModel, action: SpecAction) -> list[tuple[str, SpecProperty]] | None:
    """Inputs as (name, property), or None when they cannot be offered as fields."""
    inputs: list[tuple[str, SpecProperty]] = []
    for name, prop in input_properties(service, action):
        if prop is None or name in _RESERVED:
            return None
        inputs.append((name, prop))
    return inputs


def _selector(prop: SpecProperty, language: str) -> selector.Selector[Any]:
    """The editor field for an input property."""
    if prop.format == "bool":
        return selector.BooleanSelector()
    if prop.value_list:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=str(item.value), label=item.label(language))
                    for item in prop.value_list
                ],
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        )
    if prop.format in INT_RANGES or prop.format == "float":
        config = selector.NumberSelectorConfig(mode=selector.NumberSelectorMode.BOX)
        if (value_range := prop.value_range) is not None:
            config["min"] = value_range.min
            config["max"] = value_range.max
        elif prop.format in INT_RANGES:
            config["min"], config["max"] = INT_RANGES[prop.format]
        if value_range is not None and value_range.step:
            config["step"] = value_range.step
        elif prop.format == "float":
            config["step"] = "any"
        return selector.NumberSelector(config)
    return selector.TextSelector()


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """One action per spec action whose inputs can be offered as fields."""
    target = async_device_target(hass, device_id)
    if target is None:
        return []
    return [
        {
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: item.type,
            CONF_SUBTYPE: item.subtype,
        }
        for item in action_items(target.spec)
        if _inputs(item.service, item.item) is not None
    ]


def _find(target: MiotTarget, config: ConfigType) -> tuple[SpecServiceModel, SpecAction]:
    items = action_items(target.spec)
    action = find_item(items, config[CONF_TYPE], config[CONF_SUBTYPE])
    if action is None:
        raise validation_error(
            "unknown_action",
            device=target.name,
            action=f"{config[CONF_SUBTYPE]}.{config[CONF_TYPE]}",
        )
    service = next(item.service for item in items if item.item is action)
    return service, action


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, probatio.Schema]:
    """The action's inputs as extra fields."""
    target = async_device_target(hass, config[CONF_DEVICE_ID])
    if target is None:
        return {}
    try:
        service, action = _find(target, config)
    except ServiceValidationError:
        return {}
    inputs = _inputs(service, action)
    if not inputs:
        return {}
    return {
        "extra_fields": probatio.Schema(
            {probatio.Required(name): _selector(prop, target.language) for name, prop in inputs}
        )
    }


async def async_validate_action_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """Check the schema, and the action and its inputs when the account is loaded."""
    config = ACTION_SCHEMA(config)
    target = async_device_target(hass, config[CONF_DEVICE_ID])
    if target is None:
        return config
    try:
        service, action = _find(target, config)
        label = action_name(target.spec, action)
        for name, prop in input_properties(service, action):
            if name not in config:
                raise validation_error(
                    "missing_argument",
                    action=label,
                    argument=name,
                    expected=prop.allowed() if prop is not None else "a value",
                )
            if prop is not None and not _is_template(config[name]):
                validate_value(target, prop, config[name], label=f"{label} {name}")
    except ServiceValidationError as err:
        raise InvalidDeviceAutomationConfig(str(err)) from err
    return config


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and is_template_string(value)


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: dict[str, Any],
    context: Context | None,
) -> None:
    """Run the spec action with the configured (rendered) inputs."""
    target = async_device_target(hass, config[CONF_DEVICE_ID])
    if target is None:
        raise validation_error("unknown_device", target=config[CONF_DEVICE_ID])
    service, action = _find(target, config)
    arguments: dict[str, Any] = {}
    for name, _ in input_properties(service, action):
        if name not in config:
            continue
        value = config[name]
        if _is_template(value):
            value = Template(value, hass).async_render(variables)
        arguments[name] = value
    values = validate_arguments(target, service, action, arguments)
    await target.coordinator.async_call_action(target.did, action.siid, action.iid, values)
