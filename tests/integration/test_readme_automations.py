"""The README's automation examples, loaded as they are and run against the simulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
import re
from typing import Any

from homeassistant.components import automation
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.const import DOMAIN
from simulator import Simulator

from .test_services import (
    BUTTON,
    LAMP,
    SPEAKER,
    VACUUM,
    device_id,
    entity_of,
    sim_actions,
    sim_value,
    wait_until,
)

README = Path(__file__).parents[2] / "README.md"
MOTION = "100008.s1"


def readme_examples() -> list[str]:
    """Every ```yaml block between the automations markers."""
    text = README.read_text(encoding="utf-8")
    section = text[
        text.index("<!-- automations:start -->") : text.index("<!-- automations:end -->")
    ]
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)


def _alias(block: str) -> str:
    found = re.search(r"^alias: (.+)$", block, flags=re.MULTILINE)
    assert found is not None, block
    return found.group(1).strip()


def _substitutions(hass: HomeAssistant) -> dict[str, str]:
    """README placeholders and demo entity ids → ids of this test's Home Assistant."""
    return {
        "LAMP_DEVICE_ID": device_id(hass, LAMP),
        "BUTTON_DEVICE_ID": device_id(hass, BUTTON),
        "SPEAKER_DEVICE_ID": device_id(hass, SPEAKER),
        "VACUUM_DEVICE_ID": device_id(hass, VACUUM),
        "event.wireless_button_double_click": entity_of(hass, "event", f"{BUTTON}_e_2_2"),
        "light.living_room_lamp": entity_of(hass, "light", f"{LAMP}_2_1"),
    }


async def _load(hass: HomeAssistant, blocks: list[str]) -> None:
    substitutions = _substitutions(hass)
    configs: list[Any] = []
    for block in blocks:
        text = block
        for placeholder, value in substitutions.items():
            text = text.replace(placeholder, value)
        configs.append(parse_yaml(text))
    assert await async_setup_component(hass, automation.DOMAIN, {automation.DOMAIN: configs})
    await hass.async_block_till_done()
    for config in configs:
        state = next(
            (
                state
                for state in hass.states.async_all(automation.DOMAIN)
                if state.attributes.get("friendly_name") == config["alias"]
            ),
            None,
        )
        assert state is not None, config["alias"]
        assert state.state == "on", config["alias"]


async def _run_automation(hass: HomeAssistant, alias: str) -> None:
    """Trigger an automation with a time trigger now."""
    entity = next(
        state.entity_id
        for state in hass.states.async_all(automation.DOMAIN)
        if state.attributes.get("friendly_name") == alias
    )
    await hass.services.async_call(
        automation.DOMAIN, "trigger", {"entity_id": entity}, blocking=True
    )
    await hass.async_block_till_done()


async def _button_click(hass: HomeAssistant, simulator: Simulator) -> None:
    was = sim_value(simulator, LAMP, 2, 1)
    simulator.cloud.fire_event(BUTTON, 2, 1, [])
    await wait_until(lambda: sim_value(simulator, LAMP, 2, 1) is (not was))


async def _double_click(hass: HomeAssistant, simulator: Simulator) -> None:
    simulator.cloud.set_property(LAMP, 2, 2, 40)
    simulator.cloud.fire_event(BUTTON, 2, 2, [])
    await wait_until(lambda: sim_value(simulator, LAMP, 2, 2) == 100)


async def _long_press(hass: HomeAssistant, simulator: Simulator) -> None:
    simulator.cloud.fire_event(BUTTON, 2, 3, [])
    await wait_until(
        lambda: any(a["in"] == ["Good night"] for a in sim_actions(simulator, SPEAKER))
    )
    assert (
        sim_actions(simulator, SPEAKER)[-1]["siid"],
        sim_actions(simulator, SPEAKER)[-1]["aiid"],
    ) == (5, 1)


async def _motion(hass: HomeAssistant, simulator: Simulator) -> None:
    simulator.cloud.set_property(LAMP, 2, 1, False)
    await wait_until(
        lambda: hass.states.get(entity_of(hass, "light", f"{LAMP}_2_1")).state == "off"  # type: ignore[union-attr]
    )
    simulator.cloud.fire_event(MOTION, 2, 1, [])
    await wait_until(lambda: sim_value(simulator, LAMP, 2, 1) is True)


async def _quiet_night(hass: HomeAssistant, simulator: Simulator) -> None:
    await _run_automation(hass, "Quiet speaker at night")
    assert sim_value(simulator, SPEAKER, 2, 1) == 20


async def _dim_evening(hass: HomeAssistant, simulator: Simulator) -> None:
    simulator.cloud.set_property(LAMP, 2, 1, True)
    simulator.cloud.set_property(LAMP, 2, 2, 80)
    await _run_automation(hass, "Dim the lamp in the evening")
    assert sim_value(simulator, LAMP, 2, 2) == 30
    # Already dim: left alone.
    simulator.cloud.set_property(LAMP, 2, 2, 20)
    await _run_automation(hass, "Dim the lamp in the evening")
    assert sim_value(simulator, LAMP, 2, 2) == 20


async def _vacuum_answer(hass: HomeAssistant, simulator: Simulator) -> None:
    await _run_automation(hass, "Read the vacuum's answer aloud")
    assert sim_actions(simulator, VACUUM)[-1]["in"] == ['{"method": "get_consumable"}']
    assert sim_actions(simulator, SPEAKER)[-1]["in"] == ["The vacuum says: nothing"]


SCENARIOS: dict[str, Callable[[HomeAssistant, Simulator], Awaitable[None]]] = {
    "Button click toggles the lamp": _button_click,
    "Double click sets full brightness": _double_click,
    "Long press says good night": _long_press,
    "Motion turns the lamp on": _motion,
    "Quiet speaker at night": _quiet_night,
    "Dim the lamp in the evening": _dim_evening,
    "Read the vacuum's answer aloud": _vacuum_answer,
}


def test_every_example_has_a_scenario() -> None:
    """The README and this test describe the same examples."""
    assert sorted(_alias(block) for block in readme_examples()) == sorted(SCENARIOS)


@pytest.mark.parametrize("alias", list(SCENARIOS))
async def test_readme_example(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    alias: str,
) -> None:
    """All examples are loaded together; the one under test has its effect on the device."""
    await _load(hass, readme_examples())
    try:
        await SCENARIOS[alias](hass, simulator)
    finally:
        # Time triggers keep timers: switch every automation off before the test ends.
        await hass.services.async_call(
            automation.DOMAIN, "turn_off", {"entity_id": "all"}, blocking=True
        )
        await hass.async_block_till_done()
    assert DOMAIN in hass.config.components
