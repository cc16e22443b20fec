"""The hook in front of Home Assistant's default agent.

Home Assistant 2026.10 offers integrations no pre-processing step for the default agent; the
supported extension points are intents, custom sentences (the user's config folder), a whole
conversation agent (the user would have to switch the pipeline to it) and sentence triggers
registered on the agent manager. A sentence trigger whose only word is a wildcard sees every
sentence first. Its callback:

1. leaves the sentence to any other sentence trigger that matched it (automations, "ask Xiaoai");
2. reads it with our understanding layer and, when confident, acts through services;
3. else lets Home Assistant's own intents handle it when they match it exactly (strict matching);
4. else answers with Home Assistant's own "not understood" sentence.
"""

from __future__ import annotations

from collections import OrderedDict
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import probatio

from .act import async_carry_out
from .catalog import async_build
from .understand import understand

_LOGGER = logging.getLogger(__name__)
CATCH_ALL: list[str] = ["{miot_connect_sentence}"]
# A sentence trigger's answer always reaches the caller as "action done", even when nothing
# understood the sentence. Callers that must tell the two apart (Xiaoai routing) look up the
# request's context id here; the newest ids are kept.
_NOT_UNDERSTOOD: OrderedDict[str, None] = OrderedDict()
_NOT_UNDERSTOOD_KEPT = 256


def was_not_understood(context_id: str) -> bool:
    """Whether the sentence of this request's context was understood by nothing."""
    return context_id in _NOT_UNDERSTOOD


def _note_not_understood(context_id: str) -> None:
    _NOT_UNDERSTOOD[context_id] = None
    while len(_NOT_UNDERSTOOD) > _NOT_UNDERSTOOD_KEPT:
        _NOT_UNDERSTOOD.popitem(last=False)


def satellite_area(hass: HomeAssistant, user_input: Any) -> str | None:
    """The area of the satellite (or device) the sentence came from."""
    satellite_id: str | None = getattr(user_input, "satellite_id", None)
    device_id: str | None = user_input.device_id
    if satellite_id and (entry := er.async_get(hass).async_get(satellite_id)):
        if entry.area_id:
            return entry.area_id
        device_id = device_id or entry.device_id
    if device_id and (device := dr.async_get(hass).async_get(device_id)):
        return device.area_id
    return None


def make_callback(hass: HomeAssistant) -> Any:
    """The trigger callback (it must know itself to tell other triggers apart)."""
    from homeassistant.components.conversation.agent_manager import get_agent_manager
    from homeassistant.components.conversation.chat_log import current_chat_log

    async def understood(user_input: Any, _result: Any, *_: Any) -> str | None:
        manager = get_agent_manager(hass)
        agent = manager.default_agent
        assert agent is not None
        matched = await agent.async_recognize_sentence_trigger(user_input)
        if matched is not None and any(
            manager.get_trigger_callback(name) is not understood
            for name in matched.matched_triggers
        ):
            return None  # another trigger answers it
        plan = understand(user_input.text, async_build(hass), satellite_area(hass, user_input))
        if plan is not None:
            try:
                return await async_carry_out(hass, plan, user_input.context)
            except (HomeAssistantError, probatio.Invalid) as err:
                _LOGGER.debug("%r failed: %s", user_input.text, err)
                return str(err)
        chat_log = current_chat_log.get()
        if chat_log is not None:
            response = await agent.async_handle_intents(user_input, chat_log)
            if response is not None:
                speech: str = response.speech.get("plain", {}).get("speech", "")
                return speech
        _note_not_understood(user_input.context.id)
        language = user_input.language or hass.config.language
        intents = await agent.async_get_or_load_intents(language)
        text = intents.error_responses.get("no_intent") if intents else None
        return str(text or "Sorry, I couldn't understand that")

    return understood


def async_register_understanding(hass: HomeAssistant) -> None:
    """Put the understanding layer in front of the default agent (a catch-all trigger)."""
    from homeassistant.components.conversation.agent_manager import get_agent_manager

    get_agent_manager(hass).register_trigger(CATCH_ALL, make_callback(hass))
