"""Device actions: spec actions from the automation editor, run against the simulator."""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.miot_connect import device_action
from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.miot import SpecProperty, ValueRange, parse_spec
from custom_components.miot_connect.miot.spec import SpecValue
from custom_components.miot_connect.services import action_items
from simulator import Simulator

from .test_services import LAMP, SPEAKER, VACUUM, device_id, sim_actions, sim_value


def _action(device: str, type_: str, subtype: str, **inputs: Any) -> dict[str, Any]:
    return {"domain": DOMAIN, "device_id": device, "type": type_, "subtype": subtype, **inputs}


async def _run(hass: HomeAssistant, *actions: dict[str, Any]) -> None:
    """Set up an automation with these device actions and trigger it."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "device actions",
                "triggers": [{"trigger": "event", "event_type": "miot_go"}],
                "variables": {"greeting": "Hello"},
                "actions": list(actions),
            }
        },
    )
    hass.bus.async_fire("miot_go")
    await hass.async_block_till_done()


async def test_actions_listed_with_capabilities(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """The editor lists every spec action; inputs come as extra fields."""
    assert await async_setup_component(hass, "device_automation", {})
    speaker = device_id(hass, SPEAKER)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "device_automation/action/list", "device_id": speaker})
    answer = await client.receive_json()
    assert answer["success"], answer
    ours = [
        (item["type"], item["subtype"]) for item in answer["result"] if item["domain"] == DOMAIN
    ]
    assert ("play", "play-control") in ours
    assert ("play-text", "intelligent-speaker") in ours
    assert ("stop-alarm", "clock") in ours
    await client.send_json_auto_id(
        {
            "type": "device_automation/action/capabilities",
            "action": _action(speaker, "execute-text-directive", "intelligent-speaker"),
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    fields = {field["name"]: field for field in answer["result"]["extra_fields"]}
    assert fields["text-content"]["required"] is True
    assert "text" in fields["text-content"]["selector"]
    assert "boolean" in fields["silent-execution"]["selector"]
    await client.send_json_auto_id(
        {
            "type": "device_automation/action/capabilities",
            "action": _action(speaker, "play", "play-control"),
        }
    )
    answer = await client.receive_json()
    assert answer["result"] == {"extra_fields": []}
    assert (
        await device_action.async_get_action_capabilities(
            hass, _action(speaker, "dance", "play-control")
        )
        == {}
    )
    assert await device_action.async_get_actions(hass, "nope") == []
    assert await device_action.async_get_action_capabilities(hass, _action("nope", "x", "y")) == {}


async def test_actions_run(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Actions without inputs, with inputs and with templates reach the device."""
    lamp, speaker, vacuum = device_id(hass, LAMP), device_id(hass, SPEAKER), device_id(hass, VACUUM)
    assert sim_value(simulator, LAMP, 2, 1) is True
    await _run(
        hass,
        _action(lamp, "toggle", "light"),
        _action(speaker, "play-text", "intelligent-speaker", **{"text-content": "{{ greeting }}!"}),
        _action(
            speaker,
            "execute-text-directive",
            "intelligent-speaker",
            **{"text-content": "turn off the lights", "silent-execution": True},
        ),
        _action(vacuum, "start-room-sweep", "vacuum", **{"room-ids": "[16, 17]"}),
    )
    assert sim_value(simulator, LAMP, 2, 1) is False
    said = [call["in"] for call in sim_actions(simulator, SPEAKER)]
    assert said[-2:] == [["Hello!"], ["turn off the lights", True]]
    assert sim_actions(simulator, VACUUM)[-1]["in"] == ["[16, 17]"]


async def test_action_validation(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Unknown actions and bad inputs are refused while the account is loaded."""
    speaker = device_id(hass, SPEAKER)
    for config, message in (
        (_action(speaker, "dance", "intelligent-speaker"), "has no action"),
        (_action(speaker, "play-text", "intelligent-speaker"), "needs the argument text-content"),
        (
            _action(
                speaker,
                "execute-text-directive",
                "intelligent-speaker",
                **{"text-content": "x", "silent-execution": "maybe"},
            ),
            "not a valid value",
        ),
    ):
        with pytest.raises(InvalidDeviceAutomationConfig, match=message):
            await device_action.async_validate_action_config(hass, config)
    templated = _action(
        speaker,
        "execute-text-directive",
        "intelligent-speaker",
        **{"text-content": "x", "silent-execution": "{{ true }}"},
    )
    assert await device_action.async_validate_action_config(hass, templated) == templated
    with pytest.raises(ServiceValidationError) as err:
        await device_action.async_call_action_from_config(
            hass, _action(speaker, "play-text", "intelligent-speaker"), {}, None
        )
    assert err.value.translation_key == "missing_argument"
    await hass.config_entries.async_unload(init_integration.entry_id)
    unknown = _action(speaker, "dance", "intelligent-speaker")
    assert await device_action.async_validate_action_config(hass, unknown) == unknown
    with pytest.raises(ServiceValidationError) as err:
        await device_action.async_call_action_from_config(hass, unknown, {}, None)
    assert err.value.translation_key == "unknown_device"


def _prop(fmt: str, **extra: Any) -> SpecProperty:
    return SpecProperty(siid=2, iid=1, urn="", name="p", description="P", format=fmt, **extra)


def test_input_selectors() -> None:
    """Each input format gets a fitting editor field."""
    select = device_action._selector(
        _prop("uint8", value_list=[SpecValue(1, "Low", "low"), SpecValue(2, "High", "high")]),
        "en",
    )
    assert select.serialize()["selector"]["select"]["options"] == [
        {"value": "1", "label": "Low"},
        {"value": "2", "label": "High"},
    ]
    ranged = device_action._selector(_prop("uint8", value_range=ValueRange(1, 9, 2)), "en")
    assert ranged.serialize()["selector"]["number"] == {
        "min": 1,
        "max": 9,
        "step": 2,
        "mode": "box",
    }
    unstepped = device_action._selector(_prop("float", value_range=ValueRange(0, 1)), "en")
    assert unstepped.serialize()["selector"]["number"]["step"] == "any"
    plain = device_action._selector(_prop("int8"), "en")
    assert plain.serialize()["selector"]["number"]["min"] == -128
    floating = device_action._selector(_prop("float"), "en")
    assert floating.serialize()["selector"]["number"]["step"] == "any"
    assert "text" in device_action._selector(_prop("hex"), "en").serialize()["selector"]


def test_inputs_that_cannot_be_fields() -> None:
    """An input named like a config key, or without a property, hides the action."""
    spec = parse_spec(
        {
            "type": "urn:miot-spec-v2:device:thing:0000A000:demo:1",
            "description": "Thing",
            "services": [
                {
                    "iid": 2,
                    "type": "urn:miot-spec-v2:service:thing:00007800:demo:1",
                    "description": "Thing",
                    "properties": [
                        {
                            "iid": 1,
                            "type": "urn:miot-spec-v2:property:type:00000001:demo:1",
                            "description": "Type",
                            "format": "string",
                            "access": [],
                        }
                    ],
                    "actions": [
                        {
                            "iid": 1,
                            "type": "urn:miot-spec-v2:action:set-type:00002800:demo:1",
                            "in": [1],
                        },
                        {
                            "iid": 2,
                            "type": "urn:miot-spec-v2:action:odd:00002801:demo:1",
                            "in": [7],
                        },
                    ],
                }
            ],
        }
    )
    items = action_items(spec)
    assert [device_action._inputs(item.service, item.item) for item in items] == [None, None]
