"""Xiaoai speakers: speak a text, or run a text as if it had been said to the speaker.

The actions are found by their urn names in the spec's `intelligent-speaker` service
(`play-text`, `execute-text-directive`), never by number.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
import probatio

from .const import DOMAIN, EXECUTE_TEXT, PLAY_TEXT, SPEAKER_SERVICE
from .miot import DeviceSpec, MiotInvalidValueError, SpecAction
from .services import async_resolve_targets, run_all, validation_error

SERVICE_PLAY_TEXT = "play_text"
SERVICE_EXECUTE_TEXT = "execute_text"
ATTR_TEXT = "text"
ATTR_SILENT = "silent"

_TEXT = probatio.All(cv.string, probatio.Length(min=1, max=500))
_TARGET: dict[Any, Any] = dict(cv.TARGET_SERVICE_FIELDS)
PLAY_TEXT_SCHEMA = probatio.Schema({**_TARGET, probatio.Required(ATTR_TEXT): _TEXT})
EXECUTE_TEXT_SCHEMA = probatio.Schema(
    {
        **_TARGET,
        probatio.Required(ATTR_TEXT): _TEXT,
        probatio.Optional(ATTR_SILENT, default=False): cv.boolean,
    }
)


def speaker_action(spec: DeviceSpec, action: str) -> SpecAction | None:
    """The speaker action of that urn name, if the device has it."""
    return spec.find_action(SPEAKER_SERVICE, action)


def action_inputs(spec: DeviceSpec, action: SpecAction, text: str, silent: bool) -> list[Any]:
    """`in` values in spec order: the text, and for execute-text the silent flag."""
    values: list[Any] = []
    for piid in action.in_piids:
        prop = spec.property(action.siid, piid)
        values.append(prop.coerce(silent if prop.format == "bool" else text))
    return values


async def _async_speaker_call(call: ServiceCall, action_name: str) -> None:
    targets = async_resolve_targets(call.hass, call)
    text: str = call.data[ATTR_TEXT]
    silent: bool = call.data.get(ATTR_SILENT, False)
    planned = []
    for target in targets:
        action = speaker_action(target.spec, action_name)
        if action is None:
            raise validation_error("speaker_action_missing", device=target.name, action=action_name)
        try:
            values = action_inputs(target.spec, action, text, silent)
        except MiotInvalidValueError as err:
            raise validation_error("speaker_text_invalid", device=target.name, error=err) from err
        planned.append((target, action, values))
    # Every speaker gets the text; failures are reported together, naming each speaker.
    await run_all(
        [target for target, _, _ in planned],
        [
            target.coordinator.async_call_action(target.did, action.siid, action.iid, values)
            for target, action, values in planned
        ],
    )


async def _async_play_text(call: ServiceCall) -> None:
    await _async_speaker_call(call, PLAY_TEXT)


async def _async_execute_text(call: ServiceCall) -> None:
    await _async_speaker_call(call, EXECUTE_TEXT)


def async_setup_speaker_services(hass: HomeAssistant) -> None:
    """Register play_text and execute_text."""
    hass.services.async_register(
        DOMAIN, SERVICE_PLAY_TEXT, _async_play_text, schema=PLAY_TEXT_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_EXECUTE_TEXT, _async_execute_text, schema=EXECUTE_TEXT_SCHEMA
    )
