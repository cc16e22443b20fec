"""Mi Home devices through DuerOS: the Xiaomi simulator's demo home, driven by the DuerOS side."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.const import DOMAIN
from simulator import Simulator
from tests.integration.conftest import entry_data

from .conftest import Send


@pytest.fixture
async def demo_home(hass: HomeAssistant, simulator: Simulator) -> AsyncGenerator[None]:
    """The simulator's demo home (Mi Home devices) instead of Home Assistant's demo entities."""
    assert await async_setup_component(hass, "homeassistant", {})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Demo",
        unique_id=simulator.uid,
        data=entry_data(simulator),
        options={
            "homes": [],
            "poll_interval": 60,
            "push": True,
            "excluded_devices": [],
            "sync_areas": True,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await asyncio.wait_for(coordinator.push.wait_subscribed(), 10)
    yield
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_mi_home_through_dueros(
    hass: HomeAssistant, send: Send, simulator: Simulator
) -> None:
    """ "小度小度，打开客厅台灯": DuerOS → Home Assistant → the Xiaomi cloud → the device."""
    answer = await send("DiscoverAppliancesRequest", openUid="u1")
    found: dict[str, Any] = {a["applianceId"]: a for a in answer["payload"]["discoveredAppliances"]}
    aircon = found["climate.living_room_ke_ting_kong_diao"]
    assert aircon["friendlyName"] == "客厅空调"
    assert aircon["applianceTypes"] == ["AIR_CONDITION"]
    groups = {g["groupName"]: g["applianceIds"] for g in answer["payload"]["discoveredGroups"]}
    assert "light.living_room_living_room_lamp" in groups["Living Room"]
    lamp = "light.living_room_living_room_lamp"
    device = simulator.cloud.device("100001")
    await send("TurnOffRequest", lamp)
    assert device.values[(2, 1)] is False
    await send("TurnOnRequest", lamp)
    assert device.values[(2, 1)] is True
    answer = await send("SetBrightnessPercentageRequest", lamp, brightness={"value": 30})
    assert answer["header"]["name"] == "SetBrightnessPercentageConfirmation"
    assert device.values[(2, 2)] == 30
    answer = await send("GetAirPM25Request", "sensor.living_room_air_purifier_pm2_5_density")
    assert answer["header"]["name"] == "GetAirPM25Response"
    assert isinstance(answer["payload"]["PM25"]["value"], float)
    # The device goes offline in the Xiaomi cloud: DuerOS hears TargetOfflineError.
    simulator.cloud.set_online("100001", False)
    async with asyncio.timeout(10):
        while hass.states.get(lamp).state != "unavailable":  # type: ignore[union-attr]
            await asyncio.sleep(0.05)
    answer = await send("TurnOnRequest", lamp)
    assert answer["header"]["name"] == "TargetOfflineError"
