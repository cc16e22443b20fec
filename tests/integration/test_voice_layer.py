"""The understanding layer around the tables: what it leaves to Home Assistant, where it asks back,
the satellite's area, floors, entities of other integrations, and devices that fail."""

from __future__ import annotations

from homeassistant.components.conversation import async_converse
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    floor_registry as fr,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.voice import assist
from simulator import Simulator

from .test_assist import BEDROOM_FAN, ON, PARENTS_FAN, _converse, _setup_assist, sim_get


async def _say(hass: HomeAssistant, text: str, language: str = "en") -> str:
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": language},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    speech: str = result["response"]["speech"]["plain"]["speech"]  # type: ignore[index]
    return speech


async def test_falls_through(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """What the layer does not understand goes to Home Assistant: its exact sentences answer, and
    else its own "not understood" sentence in the language asked."""
    await _setup_assist(hass)
    response = await _converse(hass, "what time is it", "en")
    assert ":" in response["speech"]["plain"]["speech"]
    assert await _say(hass, "blorp the frobnicator") == "Sorry, I couldn't understand that"
    assert await _say(hass, "呜啦啦", "zh-Hans") == "抱歉，我无法理解您的意思，你可以尝试换个说法"
    assert await _say(hass, "turn on") == "Sorry, I couldn't understand that"
    # Timers are Home Assistant's, even with a number in them.
    assert await _say(hass, "set a timer for 10 minutes") == (
        "Sorry, timers are not supported on this device"
    )


async def test_satellite_area(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A type word alone: the only one in the satellite's area; else asked back, naming them."""
    await _setup_assist(hass)
    assert await _say(hass, "turn on the fan") == (
        "Which one do you mean: Bedroom Fan, Parents' Fan?"
    )
    assert not sim_get(simulator, BEDROOM_FAN, "fan", ON)
    bedroom = ar.async_get(hass).async_get_area_by_name("Bedroom")
    assert bedroom is not None
    satellite = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={("test", "satellite")},
        name="Satellite",
    )
    dr.async_get(hass).async_update_device(satellite.id, area_id=bedroom.id)
    result = await async_converse(
        hass, "打开风扇", None, Context(), language="zh-Hans", device_id=satellite.id
    )
    assert result.response.speech["plain"]["speech"] == "卧室风扇已打开"
    assert sim_get(simulator, BEDROOM_FAN, "fan", ON)
    assert not sim_get(simulator, PARENTS_FAN, "fan", ON)


async def test_floors(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A floor and its aliases name the areas on it."""
    await _setup_assist(hass)
    floor = fr.async_get(hass).async_create("Upstairs", aliases={"楼上"}, level=1)
    bedroom = ar.async_get(hass).async_get_area_by_name("Bedroom")
    assert bedroom is not None
    ar.async_get(hass).async_update(bedroom.id, floor_id=floor.floor_id)
    assert await _say(hass, "what's the humidity upstairs") == ("The humidity in Upstairs is 48%")
    assert await _say(hass, "楼上的风扇开一下", "zh-Hans") == "卧室风扇已打开"
    assert sim_get(simulator, BEDROOM_FAN, "fan", ON)


async def test_other_integrations(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Every exposed entity is understood, not only this integration's."""
    await _setup_assist(hass)
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"guest_mode": {"name": "Guest Mode"}}}
    )
    async_expose_entity(hass, "conversation", "input_boolean.guest_mode", True)
    assert await _say(hass, "could you switch guest mode on") == "Turned on Guest Mode"
    assert hass.states.get("input_boolean.guest_mode").state == "on"  # type: ignore[union-attr]


async def test_device_fails(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device that cannot do it: Home Assistant's error is said."""
    await _setup_assist(hass)
    assert await _say(hass, "打开书房插座", "zh-Hans") == "书房插座现在不可用"
    assert await _say(hass, "turn on the power strip") == "Power Strip is unavailable"


async def test_service_error(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An error while acting is said as Home Assistant words it."""
    await _setup_assist(hass)

    async def refuse(*_: object) -> str:
        raise HomeAssistantError("The kitchen light refused")

    monkeypatch.setattr(assist, "async_carry_out", refuse)
    assert await _say(hass, "turn on the kitchen light") == "The kitchen light refused"
