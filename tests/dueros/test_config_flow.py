"""Set-up of the bridge from the integration's first form, and its options."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.dueros import DuerOSBridge
from custom_components.miot_connect.dueros.http import loaded_bridge
from custom_components.miot_connect.services import loaded_coordinators
from custom_components.miot_connect.voice import choose_speaker

USER_FORM = {"region": "cn", "language": "zh-Hans", "endpoints": {}, "dueros": True}


async def _start(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_FORM)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "dueros"
    return dict(result)


async def test_set_up_bridge(hass: HomeAssistant, demo_home: None) -> None:
    """The form shows the URLs for the console; the entry serves the skill once created."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.org"})
    result = await _start(hass)
    placeholders = result["description_placeholders"]
    assert placeholders == {
        "service_url": "https://home.example.org/api/miot_connect/dueros",
        "authorize_url": "https://home.example.org/auth/authorize",
        "token_url": "https://home.example.org/auth/token",
        "client_id": "https://xiaodu.baidu.com",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "bot_id": " my-bot ",
            "client_id": "https://xiaodu-dbp.baidu.com",
            "report_url": "https://xiaodu.baidu.com/",
            "expose_assist": True,
            "exclude_entities": ["light.bed_light"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data == {
        "entry_type": "dueros",
        "bot_id": "my-bot",
        "client_id": "https://xiaodu-dbp.baidu.com",
        "report_url": "https://xiaodu.baidu.com",
    }
    assert entry.options == {
        "expose_assist": True,
        "include_entities": [],
        "exclude_entities": ["light.bed_light"],
    }
    await hass.async_block_till_done()
    bridge = loaded_bridge(hass)
    assert isinstance(bridge, DuerOSBridge)
    assert not bridge.config.should_expose("light.bed_light")
    assert bridge.config.should_expose("light.kitchen_lights")
    # A Xiaomi-account code path never trips over the bridge entry.
    assert loaded_coordinators(hass) == []
    assert choose_speaker(hass, None) is None

    # Only one bridge.
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_FORM)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "dueros_configured"

    # Options: change the exposure; the bridge reloads with it.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "dueros_exposure"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"expose_assist": False, "include_entities": ["lock.front_door"], "exclude_entities": []},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    bridge = loaded_bridge(hass)
    assert bridge is not None
    assert bridge.config.should_expose("lock.front_door")
    assert not bridge.config.should_expose("light.kitchen_lights")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_no_external_url(hass: HomeAssistant, demo_home: None) -> None:
    """Without an external address the form says where the address goes."""
    result = await _start(hass)
    assert result["description_placeholders"]["service_url"].startswith("https://<")


async def test_xiaomi_form_unchanged(hass: HomeAssistant) -> None:
    """Without the tick the first form leads to Xiaomi's sign-in as before (not the bridge)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["data_schema"] is not None
    assert "dueros" in result["data_schema"].schema
    hass.config_entries.flow.async_abort(result["flow_id"])


async def test_bridge_and_account_side_by_side(
    hass: HomeAssistant, dueros_entry: MockConfigEntry
) -> None:
    """Unloading the bridge stops it; setting it up again works."""
    assert loaded_bridge(hass) is not None
    assert await hass.config_entries.async_unload(dueros_entry.entry_id)
    assert loaded_bridge(hass) is None
    assert await hass.config_entries.async_setup(dueros_entry.entry_id)
    assert loaded_bridge(hass) is not None


async def test_diagnostics(
    hass: HomeAssistant,
    dueros_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The bridge entry has its own diagnostics, without the DuerOS users' ids."""
    hass.config_entries.async_update_entry(
        dueros_entry, data={**dueros_entry.data, "open_uids": ["secret-open-uid"]}
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, dueros_entry)
    assert diagnostics["entry"]["data"]["open_uids"] == 1
    assert "secret-open-uid" not in str(diagnostics)
    assert "light.kitchen_lights" in diagnostics["exposed"]
    assert diagnostics["pushes"] == {"sent": 0, "failed": 0}
