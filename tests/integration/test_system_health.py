"""System health: the panel's lines for the account, the API check against the simulator."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.system_health import get_info
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.miot_connect import system_health as health
from custom_components.miot_connect.const import CONF_EXCLUDED_DEVICES, CONF_PUSH, DOMAIN
from custom_components.miot_connect.coordinator import MiotCoordinator
from simulator import Fault, Simulator

from .conftest import entry_data

LAMP = "100001"  # yeelink.light.color2 in the demo home
PING_PATH = "/app/v2/home/device_list_page"


def _coordinator(entry: MockConfigEntry) -> MiotCoordinator:
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


async def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.fixture
async def system_health(hass: HomeAssistant) -> None:
    """Home Assistant's system health component (the frontend loads it in a real install)."""
    assert await async_setup_component(hass, "system_health", {})


async def _info(hass: HomeAssistant) -> dict[str, Any]:
    info: dict[str, Any] = (await get_info(hass))[DOMAIN]
    return info


@pytest.mark.usefixtures("system_health")
async def test_websocket_panel(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The panel as the frontend gets it: lines at once, the API check as an update."""
    coordinator = _coordinator(init_integration)
    await _wait_for(lambda: coordinator.stats.push_connected)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "system_health/info"})
    assert (await client.receive_json())["success"]
    initial = (await client.receive_json())["event"]
    assert initial["type"] == "initial"
    ours = initial["data"][DOMAIN]
    assert ours["manage_url"] == f"/config/integrations/integration/{DOMAIN}"
    info = ours["info"]
    online = sum(device.online for device in coordinator.devices.values())
    assert online
    assert info == {
        "accounts": 1,
        "region": "cn",
        "api_endpoint_reachable": {"type": "pending"},
        "push": "connected",
        "push_last_message": info["push_last_message"],
        "devices_online": f"{online}/{len(coordinator.devices)}",
        "last_error": "none",
        # Local control is on by default: LAN devices reached so far / LAN devices.
        "lan_devices_reached": f"0/{len(coordinator.local.lan_dids)}",
        "xiaoai_signin": "not signed in",
        "dueros_link": "not set up",
    }
    updates: dict[str, Any] = {}
    while (event := (await client.receive_json())["event"])["type"] != "finish":
        if event["domain"] == DOMAIN:
            updates[event["key"]] = event
    assert updates["api_endpoint_reachable"]["success"] is True
    assert updates["api_endpoint_reachable"]["data"] == "ok"
    assert simulator.cloud.counters()["http"][PING_PATH] >= 1


@pytest.mark.usefixtures("system_health")
async def test_last_push_message_age(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Before any message: never; after one from the broker: its age in seconds."""
    coordinator = _coordinator(init_integration)
    assert coordinator.push is not None
    await _wait_for(lambda: coordinator.stats.push_connected)
    coordinator.push.last_message_at = None
    assert (await _info(hass))["push_last_message"] == "never"
    simulator.cloud.set_online(LAMP, False)
    await _wait_for(lambda: not coordinator.is_available(LAMP))
    info = await _info(hass)
    assert info["push_last_message"] in (0, 1)
    assert info["devices_online"] == (
        f"{sum(d.online for d in coordinator.devices.values())}/{len(coordinator.devices)}"
    )
    assert info["devices_online"].split("/")[0] != info["devices_online"].split("/")[1]


@pytest.mark.usefixtures("system_health")
@pytest.mark.parametrize(
    ("fault", "shown"),
    [
        (Fault(status=503, path=PING_PATH, count=1), "unreachable"),
        (Fault(timeout=True, path=PING_PATH, count=1), "timeout"),
    ],
)
async def test_cloud_fault_shows_unreachable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    fault: Fault,
    shown: str,
) -> None:
    """A cloud that fails the API check shows as failed, with the reason."""
    monkeypatch.setattr(health, "PING_TIMEOUT", 0.5)
    simulator.cloud.faults.append(fault)
    assert (await _info(hass))["api_endpoint_reachable"] == f"Failed: {shown}"
    # The fault was used up: the next check passes again.
    assert (await _info(hass))["api_endpoint_reachable"] == "ok"


@pytest.mark.usefixtures("system_health")
async def test_revoked_token_shows_authentication_failed(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A token the cloud refused (and could not refresh) is named as such."""
    simulator.cloud.revoke_tokens()
    info = await _info(hass)
    assert info["api_endpoint_reachable"] == "Failed: authentication failed"


@pytest.mark.usefixtures("system_health")
async def test_last_error_and_push_states(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A failed poll is the last error; a dropped broker shows as disconnected."""
    coordinator = _coordinator(init_integration)
    await _wait_for(lambda: coordinator.stats.push_connected)
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/miotspec", count=1))
    await coordinator._async_poll()
    info = await _info(hass)
    assert info["last_error"].startswith("poll: ")
    assert "500" in info["last_error"]
    coordinator._on_push_connection(False)  # what the push client reports on a drop
    assert (await _info(hass))["push"] == "disconnected"


@pytest.mark.usefixtures("system_health")
@pytest.mark.parametrize("entry_options", [{CONF_PUSH: False}])
async def test_push_disabled(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """With push turned off in the options the line says so."""
    info = await _info(hass)
    assert info["push"] == "disabled"


@pytest.mark.usefixtures("system_health")
async def test_two_accounts_and_feature_lines(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Each line names the account; feature lines appear once an account provides them."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Office",
        unique_id="second-account",
        data=entry_data(simulator, region="de"),
        options={CONF_PUSH: False, CONF_EXCLUDED_DEVICES: list(simulator.cloud.devices)},
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    demo = _coordinator(init_integration)
    demo.health_info["lan_devices_reached"] = lambda: "3/4"
    demo.health_info["zz_later_feature"] = lambda: "yes"
    _coordinator(second).health_info["xiaoai_signin"] = lambda: "signed in"

    simulator.cloud.faults.append(Fault(status=503, path=PING_PATH, count=1))
    info = await _info(hass)
    assert info["accounts"] == 2
    assert info["region"] == "Demo: cn; Office: de"
    assert info["devices_online"].endswith("; Office: 0/0")
    assert info["push"].endswith("; Office: disabled")
    # One of the two concurrent checks met the fault.
    reachable = info["api_endpoint_reachable"]
    assert reachable.startswith("Failed: ")
    assert "unreachable" in reachable
    assert ": ok" in reachable
    # Reserved feature keys first, in their order; then others.
    assert list(info)[-4:] == [
        "xiaoai_signin",
        "dueros_link",
        "lan_devices_reached",
        "zz_later_feature",
    ]
    assert info["xiaoai_signin"] == "Demo: not signed in; Office: signed in"
    assert info["dueros_link"] == "Demo: not set up; Office: not set up"
    assert info["lan_devices_reached"] == "Demo: 3/4; Office: 0/0"
    assert await hass.config_entries.async_unload(second.entry_id)


@pytest.mark.usefixtures("system_health")
async def test_no_loaded_account(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """After the last account unloads the panel still answers (no account)."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert await _info(hass) == {"accounts": 0}
