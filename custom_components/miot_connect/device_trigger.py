"""Device triggers: every spec event of a device (click, double-click, motion-detected …).

`type` is the event's urn short name, `subtype` the short name of its service (`name-siid` when
the device repeats the service). A speaker that Xiaoai listening hears has `xiaoai_heard` too
(xiaoai.py). Triggers listen to the `miot_connect_event` bus event the
coordinator fires for every pushed spec event, so they work before the entry is loaded too.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio

from .const import DOMAIN
from .coordinator import EVENT_MIOT
from .miot import SpecEvent
from .services import (
    CONF_SUBTYPE,
    AutomationItem,
    async_device_target,
    did_of_device,
    event_items,
    find_item,
)
from .xiaoai import (
    TRIGGER_HEARD,
    TRIGGER_HEARD_SUBTYPE,
    async_attach_heard_trigger,
    listened_speaker,
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {probatio.Required(CONF_TYPE): cv.string, probatio.Required(CONF_SUBTYPE): cv.string}
)


async def async_validate_trigger_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """Check the schema, and that the device has the event when its account is loaded."""
    config = TRIGGER_SCHEMA(config)
    target = async_device_target(hass, config[CONF_DEVICE_ID])
    if target is None or config[CONF_TYPE] == TRIGGER_HEARD:
        # Not loaded yet (or gone): the trigger simply never fires until it is.
        return config
    if find_item(event_items(target.spec), config[CONF_TYPE], config[CONF_SUBTYPE]) is None:
        raise InvalidDeviceAutomationConfig(
            f"{target.name} has no event {config[CONF_TYPE]!r} in {config[CONF_SUBTYPE]!r}"
        )
    return config


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """One trigger per spec event of the device."""
    target = async_device_target(hass, device_id)
    if target is None:
        return []
    triggers = [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: item.type,
            CONF_SUBTYPE: item.subtype,
        }
        for item in event_items(target.spec)
    ]
    if listened_speaker(hass, target.coordinator.entry.entry_id, target.did):
        triggers.append(
            {
                CONF_PLATFORM: "device",
                CONF_DOMAIN: DOMAIN,
                CONF_DEVICE_ID: device_id,
                CONF_TYPE: TRIGGER_HEARD,
                CONF_SUBTYPE: TRIGGER_HEARD_SUBTYPE,
            }
        )
    return triggers


async def _async_describe(
    hass: HomeAssistant, item: AutomationItem[SpecEvent], device_name: str
) -> str:
    """`Wireless Button: Button pressed`, falling back to the spec's own (translated) text."""
    language = hass.config.language
    strings = await async_get_translations(hass, language, "device_automation", [DOMAIN])
    prefix = f"component.{DOMAIN}.device_automation"
    subtype = strings.get(f"{prefix}.trigger_subtype.{item.subtype}") or item.service.label(
        language
    )
    if template := strings.get(f"{prefix}.trigger_type.{item.type}"):
        text = template.replace("{subtype}", subtype)
    else:
        text = item.item.label(language) or item.item.name
    return f"{device_name}: {text}"


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Run `action` whenever the device pushes the event."""
    device_id: str = config[CONF_DEVICE_ID]
    device = dr.async_get(hass).async_get(device_id, include_child_devices=False)
    did = did_of_device(device) if device is not None else None
    if did is None:
        raise InvalidDeviceAutomationConfig(f"Device {device_id} is not a MIoT Connect device")
    type_, subtype = config[CONF_TYPE], config[CONF_SUBTYPE]
    trigger_data = trigger_info["trigger_data"]
    if type_ == TRIGGER_HEARD:
        return async_attach_heard_trigger(hass, config, action, dict(trigger_data), did)
    job = HassJob(action, f"miot_connect device trigger {trigger_info}")
    descriptions: dict[tuple[int, int], str] = {}

    @callback
    def matches(event_data: dict[str, Any]) -> bool:
        return bool(event_data.get("did") == did)

    async def handle(event: Event[dict[str, Any]]) -> None:
        target = async_device_target(hass, device_id)
        if target is None:
            return
        siid, eiid = event.data["siid"], event.data["eiid"]
        item = next(
            (
                item
                for item in event_items(target.spec)
                if item.item.siid == siid and item.item.iid == eiid
            ),
            None,
        )
        if item is None or item.type != type_ or item.subtype != subtype:
            return
        if (siid, eiid) not in descriptions:
            descriptions[siid, eiid] = await _async_describe(hass, item, target.name)
        hass.async_run_hass_job(
            job,
            {
                "trigger": {
                    **trigger_data,
                    CONF_PLATFORM: "device",
                    CONF_DOMAIN: DOMAIN,
                    CONF_DEVICE_ID: device_id,
                    CONF_TYPE: type_,
                    CONF_SUBTYPE: subtype,
                    "did": did,
                    "siid": siid,
                    "eiid": eiid,
                    "event": item.item.name,
                    "arguments": dict(event.data.get("arguments") or {}),
                    "description": descriptions[siid, eiid],
                }
            },
            event.context,
        )

    return hass.bus.async_listen(EVENT_MIOT, handle, event_filter=matches)
