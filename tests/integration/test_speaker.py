"""Xiaoai speakers: the notify entity and the play_text / execute_text services."""

from __future__ import annotations

from homeassistant.components.notify import ATTR_MESSAGE, ATTR_TITLE
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.const import DOMAIN
from simulator import Simulator

from .test_services import device_id, entity_of

SPEAKER = "100007"  # xiaomi.wifispeaker.lx06: intelligent-speaker is service 5
LAMP = "100001"


def _calls(simulator: Simulator, aiid: int) -> list[list[object]]:
    return [
        call["in"]
        for call in simulator.cloud.device(SPEAKER).actions
        if call["siid"] == 5 and call["aiid"] == aiid
    ]


async def test_notify_speaks(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.send_message makes the speaker say the title and the message."""
    entity_id = entity_of(hass, "notify", f"{SPEAKER}_notify")
    await hass.services.async_call(
        "notify",
        "send_message",
        {ATTR_ENTITY_ID: entity_id, ATTR_MESSAGE: "晚饭好了", ATTR_TITLE: "Dinner"},
        blocking=True,
    )
    assert _calls(simulator, 1) == [["Dinner. 晚饭好了"]]
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state != STATE_UNAVAILABLE
    # Only speakers get one.
    assert hass.states.async_entity_ids("notify") == [entity_id]

    simulator.cloud.set_online(SPEAKER, False)
    with pytest.raises(HomeAssistantError, match="offline"):
        await hass.services.async_call(
            "notify",
            "send_message",
            {ATTR_ENTITY_ID: entity_id, ATTR_MESSAGE: "hello"},
            blocking=True,
        )


async def test_play_and_execute_text(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """play_text speaks; execute_text runs the text, silently when asked."""
    speaker = device_id(hass, SPEAKER)
    await hass.services.async_call(
        DOMAIN, "play_text", {"text": "Good morning"}, target={"device_id": speaker}, blocking=True
    )
    assert _calls(simulator, 1) == [["Good morning"]]
    await hass.services.async_call(
        DOMAIN,
        "execute_text",
        {"text": "打开客厅的灯", "silent": True},
        target={"device_id": speaker},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN,
        "execute_text",
        {"text": "turn off the fan"},
        target={"device_id": speaker},
        blocking=True,
    )
    assert _calls(simulator, 5) == [["打开客厅的灯", True], ["turn off the fan", False]]


async def test_speaker_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device without the action, and an empty text, are refused before anything is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "play_text",
            {"text": "hello"},
            target={"device_id": [device_id(hass, SPEAKER), device_id(hass, LAMP)]},
            blocking=True,
        )
    assert err.value.translation_key == "speaker_action_missing"
    assert _calls(simulator, 1) == []
    with pytest.raises(Exception, match="length"):
        await hass.services.async_call(
            DOMAIN,
            "execute_text",
            {"text": ""},
            target={"device_id": device_id(hass, SPEAKER)},
            blocking=True,
        )


async def test_new_speaker_gets_notify(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A speaker added to the account later gets its notify entity without a restart."""
    home_id = next(iter(simulator.cloud.homes))
    simulator.cloud.add_device(
        "400001", "Bedroom Xiaoai", "xiaomi.wifispeaker.lx06", home_id=home_id, voice_ctrl=2
    )
    await init_integration.runtime_data.coordinator.async_refresh_device_list()
    await hass.async_block_till_done()
    assert entity_of(hass, "notify", "400001_notify")


async def test_text_the_spec_cannot_take(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A speaker model whose play-text input is not free text refuses the text, clearly."""
    spec = init_integration.runtime_data.coordinator.specs[SPEAKER]
    text_input = spec.property(5, 1)
    object.__setattr__(text_input, "format", "uint8")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "play_text",
            {"text": "hello"},
            target={"device_id": device_id(hass, SPEAKER)},
            blocking=True,
        )
    assert err.value.translation_key == "speaker_text_invalid"
    assert _calls(simulator, 1) == []


async def test_one_failing_speaker_stops_no_other(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """play_text / execute_text reach every speaker; the error names only the failed one."""
    home_id = next(iter(simulator.cloud.homes))
    for did in ("200071", "200072"):
        simulator.cloud.add_device(
            did, f"Speaker {did}", "xiaomi.wifispeaker.lx06", home_id=home_id
        )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    simulator.cloud.set_online(SPEAKER, False)
    targets = [device_id(hass, did) for did in (SPEAKER, "200071", "200072")]
    for service, aiid in (("play_text", 1), ("execute_text", 5)):
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(
                DOMAIN, service, {"text": "hi"}, target={"device_id": targets}, blocking=True
            )
        assert err.value.translation_key == "partly_applied"
        placeholders = err.value.translation_placeholders or {}
        assert placeholders["failed"] == "Xiaoai Speaker"
        assert "Speaker 200071" in placeholders["done"]
        assert "Speaker 200072" in placeholders["done"]
        for did in ("200071", "200072"):
            calls = [c for c in simulator.cloud.device(did).actions if c["aiid"] == aiid]
            assert len(calls) == 1
    assert await hass.config_entries.async_unload(config_entry.entry_id)
