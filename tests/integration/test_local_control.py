"""Local control through Home Assistant: Wi-Fi devices answer on the LAN first (the simulator's
LAN twin), the cloud is the fallback, the options choose the mode, no token leaks."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miot_connect.const import CONF_LAN_DIRECTORY, DOMAIN
from simulator import Simulator
from tests.conftest import started_simulator

from .conftest import entry_data
from .test_services import wait_until

LAMP = "100001"  # yeelink.light.color2, Wi-Fi
THERMOMETER = "blt.3.1a2b3c4d5e6f"  # BLE: always the cloud
PROP_SET = "/app/v2/miotspec/prop/set"


@pytest.fixture
async def simulator(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Simulator]:
    """The demo home with its LAN twin."""
    async with started_simulator(tmp_path / "simulator", simulator_cert_dir, lan=True) as sim:
        yield sim


@pytest.fixture
async def config_entry(
    hass: HomeAssistant, simulator: Simulator, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """The demo account with the twin's LAN address list (the only configuration difference)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Demo",
        unique_id=simulator.uid,
        data=entry_data(simulator, **{CONF_LAN_DIRECTORY: f"{simulator.base_url}/_sim/lan"}),
        options=entry_options,
    )
    entry.add_to_hass(hass)
    return entry


def _lamp(hass: HomeAssistant) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("light", DOMAIN, f"{LAMP}_2_1")
    assert entity_id is not None
    return entity_id


def _requests(simulator: Simulator) -> int:
    assert simulator.lan is not None
    return int(simulator.lan.counts["request"])


async def test_writes_go_over_the_lan(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Switching the lamp takes no cloud request; the value reaches the device and the state."""
    lamp = _lamp(hass)
    router = init_integration.runtime_data.coordinator.local.router
    assert router.route(LAMP) == "lan"
    assert router.route(THERMOMETER) == "cloud"
    simulator.cloud.reset_counters()
    before = _requests(simulator)
    await hass.services.async_call("light", "turn_on", {"entity_id": lamp}, blocking=True)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": lamp, "brightness_pct": 30}, blocking=True
    )
    assert simulator.cloud.counters()["http"].get(PROP_SET, 0) == 0
    assert _requests(simulator) > before
    device = simulator.cloud.device(LAMP)
    assert device.values[(2, 1)] is True
    assert device.values[(2, 2)] == 30
    await wait_until(lambda: hass.states.get(lamp).attributes.get("brightness") == 76)  # type: ignore[union-attr]


async def test_silent_device_falls_back_to_the_cloud(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device that stops answering on the LAN is switched through the cloud in the same call."""
    assert simulator.lan is not None
    simulator.lan.device(LAMP).faults.silent = True
    simulator.cloud.reset_counters()
    lamp = _lamp(hass)
    await hass.services.async_call("light", "turn_off", {"entity_id": lamp}, blocking=True)
    assert simulator.cloud.counters()["http"].get(PROP_SET, 0) == 1
    assert simulator.cloud.device(LAMP).values[(2, 1)] is False
    router = init_integration.runtime_data.coordinator.local.router
    assert router.route(LAMP) == "cloud"


async def test_changed_token_is_read_from_the_cloud(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device with a new token fails on the LAN once; the device list gives the new token and
    the LAN is used again."""
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.local.lan is not None
    simulator.cloud.device(LAMP).token = "00112233445566778899aabbccddeeff"
    lamp = _lamp(hass)
    await hass.services.async_call("light", "turn_on", {"entity_id": lamp}, blocking=True)
    await wait_until(
        lambda: (
            coordinator.local.lan is not None
            and coordinator.local.lan.device(LAMP).same_token("00112233445566778899aabbccddeeff")
        )
    )
    coordinator.local.router._cloud_until.clear()  # skip the pause before the LAN is tried again
    simulator.cloud.reset_counters()
    await hass.services.async_call("light", "turn_off", {"entity_id": lamp}, blocking=True)
    assert simulator.cloud.counters()["http"].get(PROP_SET, 0) == 0
    assert simulator.cloud.device(LAMP).values[(2, 1)] is False


@pytest.mark.parametrize(
    "entry_options",
    [{"local_control": {"lan_mode": "cloud", "local_only_devices": [LAMP]}}],
)
async def test_modes_from_the_options(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Cloud for every device but the lamp, which is local only."""
    router = init_integration.runtime_data.coordinator.local.router
    assert router.route(LAMP) == "lan"
    assert router.route("100004") == "cloud"
    assert simulator.lan is not None
    simulator.lan.device(LAMP).faults.silent = True
    router.retry_after = 0
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("light", "toggle", {"entity_id": _lamp(hass)}, blocking=True)


async def test_diagnostics_show_routes_not_tokens(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Diagnostics tell which devices use the LAN; no device token or address appears."""
    await hass.services.async_call("light", "toggle", {"entity_id": _lamp(hass)}, blocking=True)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    local = diagnostics["local_control"]
    assert local["mode"] == "auto"
    assert LAMP in local["lan_devices"]
    assert local["lan_devices_reached"] >= 1
    coordinator = init_integration.runtime_data.coordinator
    reached, total = coordinator.health_info["lan_devices_reached"]().split("/")
    assert int(reached) >= 1
    assert int(total) == len(local["lan_devices"])
    text = json.dumps(diagnostics)
    assert simulator.cloud.device(LAMP).token not in text
    assert simulator.lan is not None
    assert f":{simulator.lan.device(LAMP).port}" not in text.replace(simulator.base_url, "")
