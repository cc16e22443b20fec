"""Voice: aliases that Assist matches, and the "ask Xiaoai to …" intent.

- Each device's main entity gets the English or Chinese form of its type as aliases
  (`voice_names`), and each area made from a Mi Home room gets the other-language form of
  the room's name. Both are added once (marked in the entity's registry options and in
  the entry's data), so what the user edits or deletes later stays as the user left it.
- `MiotConnectAskXiaoai` forwards a command text to a Xiaoai speaker's execute-text action,
  so Assist reaches the scenes and devices only Xiaoai knows. Sentences in English and
  Chinese are registered with the default conversation agent as sentence triggers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING, Any
import weakref

from homeassistant.const import EVENT_COMPONENT_LOADED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    intent,
)
from homeassistant.helpers.translation import async_get_translations
import probatio

from ..const import (
    CONF_VOICE_ALIASES,
    CONF_VOICE_SPEAKER,
    DOMAIN,
    EXECUTE_TEXT,
    default_language,
)
from ..dueros import is_dueros_entry
from ..miot import MiotError
from ..speaker import action_inputs, speaker_action
from ..voice_names import area_aliases, device_aliases
from .assist import async_register_understanding

if TYPE_CHECKING:
    from .. import MiotConfigEntry
    from ..coordinator import MiotCoordinator

_LOGGER = logging.getLogger(__name__)

INTENT_ASK_XIAOAI = "MiotConnectAskXiaoai"
ATTR_COMMAND = "command"
DATA_ALIASED_AREAS = "voice_aliased_areas"
_OPTION_ALIASED = "aliases_suggested"

# hassil templates; `{command}` is a wildcard. Chinese has no spaces between words.
SENTENCES: list[str] = [
    "(ask|tell) (xiaoai|xiao ai|xiaoi) [to] {command}",
    "(让|叫|请)小爱[同学]{command}",
    "小爱同学[，|,]{command}",
]


# ---------------------------------------------------------------------------- aliases
def voice_aliases_enabled(entry: MiotConfigEntry) -> bool:
    """Whether the entry suggests aliases (an option, on by default)."""
    return bool(entry.options.get(CONF_VOICE_ALIASES, True))


@callback
def async_suggest_entity_aliases(
    hass: HomeAssistant, coordinator: MiotCoordinator, did: str, entity_id: str
) -> None:
    """Give a device's main entity the other-language form of its type, once."""
    registry = er.async_get(hass)
    entry = registry.async_get(entity_id)
    if entry is None:
        return
    ours: dict[str, Any] = dict(entry.options.get(DOMAIN) or {})
    if ours.get(_OPTION_ALIASED):
        return
    device = coordinator.devices[did]
    spec = coordinator.specs[did]
    room = coordinator.room_names.get(device.room_id or "")
    unique = _type_counts(coordinator)[(room, spec.name)] == 1
    suggested = device_aliases(device.name, room, spec, unique=unique)
    if suggested:
        aliases = list(entry.aliases)
        aliases.extend(alias for alias in dict.fromkeys(suggested) if alias not in aliases)
        registry.async_update_entity(entity_id, aliases=aliases)
    registry.async_update_entity_options(entity_id, DOMAIN, {**ours, _OPTION_ALIASED: True})


_TYPE_COUNTS: weakref.WeakKeyDictionary[
    MiotCoordinator, tuple[dict[str, Any], Counter[tuple[str | None, str]]]
] = weakref.WeakKeyDictionary()


def _type_counts(coordinator: MiotCoordinator) -> Counter[tuple[str | None, str]]:
    """Devices per (room name, device type), computed once per device list.

    Rooms of the same name in two homes become one area, so names are compared, not ids.
    """
    cached = _TYPE_COUNTS.get(coordinator)
    if cached is not None and cached[0] is coordinator.devices:
        return cached[1]
    counts: Counter[tuple[str | None, str]] = Counter(
        (coordinator.room_names.get(dev.room_id or ""), spec.name)
        for did, dev in coordinator.devices.items()
        if (spec := coordinator.specs.get(did)) is not None
    )
    _TYPE_COUNTS[coordinator] = (coordinator.devices, counts)
    return counts


@callback
def async_suggest_area_aliases(
    hass: HomeAssistant, entry: MiotConfigEntry, coordinator: MiotCoordinator
) -> None:
    """Give each area named after a Mi Home room the other-language form of the name, once."""
    if not (coordinator.sync_areas and voice_aliases_enabled(entry)):
        return
    areas = ar.async_get(hass)
    done: list[str] = list(entry.data.get(DATA_ALIASED_AREAS, []))
    taken = {name.casefold() for area in areas.async_list_areas() for name in _area_names(area)}
    for room in sorted(set(coordinator.room_names.values())):
        area = areas.async_get_area_by_name(room)
        if area is None or area.id in done:
            continue
        new = [alias for alias in area_aliases(room) if alias.casefold() not in taken]
        if new:
            areas.async_update(area.id, aliases=set(area.aliases) | set(new))
            taken.update(alias.casefold() for alias in new)
        done.append(area.id)
    if done != list(entry.data.get(DATA_ALIASED_AREAS, [])):
        hass.config_entries.async_update_entry(entry, data={**entry.data, DATA_ALIASED_AREAS: done})


def _area_names(area: ar.AreaEntry) -> list[str]:
    return [area.name, *area.aliases]


# ---------------------------------------------------------------------------- Xiaoai
@dataclass(slots=True)
class XiaoaiSpeaker:
    """A speaker that can run a text as a voice command."""

    coordinator: MiotCoordinator
    did: str
    name: str
    area_id: str | None
    preferred: bool


def _speakers(hass: HomeAssistant) -> list[XiaoaiSpeaker]:
    devices = dr.async_get(hass)
    found: list[XiaoaiSpeaker] = []
    entries: list[MiotConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    for entry in entries:
        if is_dueros_entry(entry):
            continue
        coordinator = entry.runtime_data.coordinator
        preferred = entry.options.get(CONF_VOICE_SPEAKER)
        for did, name in coordinator.speaker_names().items():
            device_entry = devices.async_get_device_by_identifier((DOMAIN, did), entry.entry_id)
            found.append(
                XiaoaiSpeaker(
                    coordinator=coordinator,
                    did=did,
                    name=name,
                    area_id=device_entry.area_id if device_entry else None,
                    preferred=did == preferred,
                )
            )
    return sorted(found, key=lambda speaker: (not speaker.preferred, speaker.name))


def choose_speaker(hass: HomeAssistant, satellite_id: str | None) -> XiaoaiSpeaker | None:
    """The speaker chosen in the options; else one in the voice satellite's area; else the
    first online one by name."""
    speakers = [s for s in _speakers(hass) if s.coordinator.is_available(s.did)]
    if not speakers:
        return None
    if speakers[0].preferred:
        return speakers[0]
    if satellite_id and (satellite := dr.async_get(hass).async_get(satellite_id)) is not None:
        for speaker in speakers:
            if satellite.area_id and speaker.area_id == satellite.area_id:
                return speaker
    return speakers[0]


async def _async_response(hass: HomeAssistant, language: str, key: str, **values: str) -> str:
    """A sentence of ours, in the conversation's language (`zh-TW` → zh-Hant, `zh-CN` → zh-Hans)."""
    lang = default_language(language) if language.lower().startswith("zh") else language
    strings = await async_get_translations(hass, lang, "conversation", [DOMAIN])
    text = strings.get(f"component.{DOMAIN}.conversation.{key}", key)
    return text.format(**values)


class AskXiaoaiIntentHandler(intent.IntentHandler):
    """Run a command on a Xiaoai speaker as if it had been said to it."""

    intent_type = INTENT_ASK_XIAOAI
    description = (
        "Forwards a voice command to a Xiaoai speaker (Mi Home), which carries it out "
        "as if it had been spoken to the speaker"
    )
    platforms = None

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The command text."""
        return {
            probatio.Required(ATTR_COMMAND): probatio.All(
                cv.string, probatio.Length(min=1, max=500)
            )
        }

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Forward the command."""
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        command = str(slots[ATTR_COMMAND]["value"]).strip(" ，,。.？?！!")
        language = intent_obj.language
        response = intent_obj.create_response()
        speaker = choose_speaker(hass, intent_obj.device_id)
        if speaker is None:
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS,
                await _async_response(hass, language, "no_speaker"),
            )
            return response
        spec = speaker.coordinator.specs[speaker.did]
        action = speaker_action(spec, EXECUTE_TEXT)
        assert action is not None  # only such speakers are chosen
        try:
            values = action_inputs(spec, action, command, silent=False)
            await speaker.coordinator.async_call_action(
                speaker.did, action.siid, action.iid, values
            )
        except (MiotError, HomeAssistantError) as err:
            _LOGGER.debug("Xiaoai speaker %s refused %r: %s", speaker.did, command, err)
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                await _async_response(hass, language, "failed", speaker=speaker.name),
            )
            return response
        response.async_set_results(
            success_results=[
                intent.IntentResponseTarget(
                    type=intent.IntentResponseTargetType.DEVICE,
                    name=speaker.name,
                    id=speaker.did,
                )
            ]
        )
        response.async_set_speech(
            await _async_response(hass, language, "forwarded", speaker=speaker.name)
        )
        return response


# ---------------------------------------------------------------------------- setup
def _register_trigger(hass: HomeAssistant, handler: Callable[..., Awaitable[str | None]]) -> None:
    """Register `SENTENCES` as sentence triggers on the conversation agent manager (where Home
    Assistant's own conversation trigger registers them), and our understanding in front of the
    default agent. They stay for Home Assistant's lifetime, like the intent."""
    from homeassistant.components.conversation.agent_manager import get_agent_manager

    get_agent_manager(hass).register_trigger(SENTENCES, handler)
    async_register_understanding(hass)


@callback
def async_setup_voice(hass: HomeAssistant) -> None:
    """Register the intent, and its sentences once the conversation integration is loaded."""
    intent.async_register(hass, AskXiaoaiIntentHandler())

    async def triggered(user_input: Any, result: Any, *_: Any) -> str:
        """A sentence matched: handle the intent and return what to say."""
        response = await intent.async_handle(
            hass,
            DOMAIN,
            INTENT_ASK_XIAOAI,
            {ATTR_COMMAND: {"value": result.entities[ATTR_COMMAND].text}},
            text_input=user_input.text,
            context=user_input.context,
            language=user_input.language,
            device_id=user_input.device_id,
        )
        speech: str = response.speech.get("plain", {}).get("speech", "")
        return speech

    if "conversation" in hass.config.components:
        _register_trigger(hass, triggered)
        return

    @callback
    def loaded(event: Event[Any]) -> None:
        if event.data.get("component") == "conversation":
            unsub()
            _register_trigger(hass, triggered)

    unsub = hass.bus.async_listen(EVENT_COMPONENT_LOADED, loaded)
