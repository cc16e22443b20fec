"""The fault matrix of docs/reliability.md, one test per row (or per group of rows).

Each test injects a fault into the simulator, checks what the user sees (availability, one log
line at the right level, a repair issue), clears the fault and measures how long recovery takes
(simulated seconds of Home Assistant's timers, or wall-clock seconds for push reconnects).
Rows covered elsewhere: malformed or out-of-spec push, device list missing a device, late or
reordered answers, setup cancelled, refused early refresh (tests/integration/test_reliability.py).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
import time
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.coordinator import MiotCoordinator
from simulator import Fault, Simulator

LAMP = "100001"
SET_PATH = "/app/v2/miotspec/prop/set"


def _coordinator(entry: MockConfigEntry) -> MiotCoordinator:
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


def _lamp(hass: HomeAssistant) -> str:
    found = er.async_get(hass).async_get_entity_id("light", DOMAIN, f"{LAMP}_2_1")
    assert found is not None
    return found


def _available(hass: HomeAssistant, eid: str) -> bool:
    state = hass.states.get(eid)
    return state is not None and state.state != STATE_UNAVAILABLE


async def _tick(hass: HomeAssistant, seconds: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


def _logged(caplog: pytest.LogCaptureFixture, level: int, text: str) -> int:
    return sum(1 for r in caplog.records if r.levelno == level and text in r.getMessage())


async def _wait(condition: Any, timeout: float) -> float:
    """Wall-clock seconds until `condition()` holds."""
    start = time.monotonic()
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)
    return time.monotonic() - start


FAULTS = {
    "http_5xx": {"status": 503},
    "http_429": {"rate_limit": True},
    "malformed_json": {"malformed": True},
    "timeout": {"timeout": True},
}


@pytest.mark.parametrize("push_up", [True, False], ids=["push_up", "push_down"])
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_http_faults(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    push_up: bool,
) -> None:
    """Every request failing the same way: with push up entities stay available (push still
    delivers); with push down they are unavailable after two failed reads. Either way one
    warning and a repair issue name the cause; recovery ≤ 16 s after the fault clears; a write
    during the fault fails with an error (not lost silently) and is not applied later."""
    coordinator = _coordinator(init_integration)
    eid = _lamp(hass)
    if not push_up:
        await simulator.run_broker(False)
        await _wait(lambda: not coordinator.stats.push_connected, 10)
    simulator.cloud.faults.append(Fault(path="/app/v2/", **FAULTS[fault]))
    await _tick(hass, 61)
    assert _available(hass, eid)  # one failed read is not an outage
    await _tick(hass, 16)
    assert _available(hass, eid) is push_up
    assert ir.async_get(hass).async_get_issue(DOMAIN, "cloud_unreachable") is not None
    with pytest.raises(HomeAssistantError):
        await coordinator.async_set_property(LAMP, 2, 2, 11)
    for _ in range(3):
        await _tick(hass, 16)
    assert _logged(caplog, logging.WARNING, "cannot be reached") == 1
    simulator.cloud.faults.clear()
    if not push_up:
        await simulator.run_broker(True)
    simulator.cloud.reset_counters()
    await _tick(hass, 16)  # recovery: the next retry
    assert _available(hass, eid)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "cloud_unreachable") is None
    assert _logged(caplog, logging.INFO, "answers again") == 1
    assert simulator.cloud.device(LAMP).values[(2, 2)] != 11  # the failed write was not replayed
    assert SET_PATH not in simulator.cloud.counters()["http"]


async def test_single_http_fault_is_invisible(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One failed poll (a blip): nothing unavailable, nothing above DEBUG, no issue."""
    coordinator = _coordinator(init_integration)
    await simulator.run_broker(False)
    await _wait(lambda: not coordinator.stats.push_connected, 10)
    simulator.cloud.faults.append(Fault(path="/app/v2/", status=500, count=1))
    await _tick(hass, 61)
    await _tick(hass, 16)
    assert _available(hass, _lamp(hass))
    assert coordinator.stats.outage_cause is None
    assert _logged(caplog, logging.WARNING, "cannot be reached") == 0
    await simulator.run_broker(True)


async def test_expired_access_token(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Access token expired: refreshed on the 401, the request is repeated once (the 401 came
    before anything was applied: no write twice); nothing visible."""
    coordinator = _coordinator(init_integration)
    simulator.cloud.expire_tokens()
    await coordinator.async_set_property(LAMP, 2, 2, 23)
    assert simulator.cloud.device(LAMP).values[(2, 2)] == 23
    assert _available(hass, _lamp(hass))
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_revoked_sign_in(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sign-in revoked (refresh refused): unavailable at the first failed read, one warning,
    the reauth flow starts; writes fail with an error."""
    coordinator = _coordinator(init_integration)
    simulator.cloud.revoke_tokens()
    await _tick(hass, 61)
    assert not _available(hass, _lamp(hass))
    with pytest.raises(HomeAssistantError):
        await coordinator.async_set_property(LAMP, 2, 2, 12)
    simulator.cloud.reset_counters()
    await _tick(hass, 16)
    await _tick(hass, 16)
    assert "/app/v2/miotspec/prop/get" not in simulator.cloud.counters()["http"]  # no fast retry
    assert _logged(caplog, logging.WARNING, "refused the sign-in") == 1
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_broker_down_then_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Broker down: entities stay available (everything is polled); push is back ≤ 30 s
    (wall clock) after the broker, and everything is re-read."""
    coordinator = _coordinator(init_integration)
    await simulator.run_broker(False)
    await _wait(lambda: not coordinator.stats.push_connected, 10)
    simulator.cloud.set_property(LAMP, 2, 2, 64)  # missed by push
    await _tick(hass, 61)
    assert _available(hass, _lamp(hass))
    assert coordinator.value(LAMP, 2, 2) == 64  # polled
    await asyncio.sleep(3)  # a few reconnect attempts fail meanwhile
    await simulator.run_broker(True)
    took = await _wait(lambda: coordinator.stats.push_connected, 31)
    print(f"push back {took:.1f} s after the broker")
    assert took <= 30
    simulator.cloud.set_property(LAMP, 2, 2, 65)
    await _wait(lambda: coordinator.value(LAMP, 2, 2) == 65, 10)


async def test_broker_refuses_the_password(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The broker refuses the token: entities stay available (polled); the push client gets a
    fresh token and is connected again ≤ 30 s later without any help."""
    coordinator = _coordinator(init_integration)
    broker = simulator.broker
    assert broker is not None
    old_tokens = len(simulator.cloud.tokens)
    broker.set_client_password(None)
    await simulator.restart_broker()
    start = time.monotonic()
    await _wait(lambda: not coordinator.stats.push_connected, 10)
    assert _available(hass, _lamp(hass))
    await _wait(lambda: coordinator.stats.push_connected, 31)
    took = time.monotonic() - start
    print(f"push back {took:.1f} s after the broker refused the password")
    assert took <= 30
    assert len(simulator.cloud.tokens) > old_tokens  # a refreshed token


async def test_device_offline(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Device offline: its entities unavailable at once (state topic), a write fails naming
    it; back online: available and re-read at once."""
    coordinator = _coordinator(init_integration)
    eid = _lamp(hass)
    simulator.cloud.set_online(LAMP, False)
    await _wait(lambda: not _available(hass, eid), 10)
    with pytest.raises(HomeAssistantError, match="offline"):
        await coordinator.async_set_property(LAMP, 2, 2, 13)
    simulator.cloud.set_online(LAMP, True)
    took = await _wait(lambda: _available(hass, eid), 10)
    print(f"device available {took:.2f} s after it is online")
