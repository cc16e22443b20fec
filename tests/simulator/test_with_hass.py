"""The simulator fixture runs next to Home Assistant's `hass` fixture on the same loop."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant

from simulator import Simulator

from .conftest import Api, Subscriber


async def test_simulator_beside_hass(
    hass: HomeAssistant, simulator: Simulator, api: Api, simulator_tokens: dict[str, Any]
) -> None:
    """HTTP and MQTT work from a Home Assistant test."""
    assert hass.loop is asyncio.get_running_loop()
    result = await api.result("/app/v2/homeroom/gethome", {})
    assert result["homelist"]
    sub = Subscriber(simulator, simulator_tokens["access_token"])
    try:
        assert await sub.start() == 0
        await api.control("POST", "devices/100001/online", {"online": False})
        await sub.wait(lambda topic, payload: topic.endswith("/state/offline"))
    finally:
        sub.close()
