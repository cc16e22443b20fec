"""Reliability (issue 12): bad pushes, glitchy device lists, late answers, outages."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.coordinator import MiotCoordinator
from custom_components.miot_connect.miot import PropertyChange
from simulator import Fault, Simulator
from tests.integration.conftest import registry_device

THERMOMETER = (
    "blt.3.1a2b3c4d5e6f"  # miaomiaoce.sensor_ht.t2: 2.1 temperature, 2.2 humidity, 3.1 battery
)
LAMP = "100001"


def _coordinator(entry: MockConfigEntry) -> MiotCoordinator:
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


def _eid(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def _state(hass: HomeAssistant, eid: str) -> str:
    state = hass.states.get(eid)
    assert state is not None, eid
    return state.state


async def _until(hass: HomeAssistant, condition: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            await hass.async_block_till_done()
            if condition():
                return
            await asyncio.sleep(0.02)


async def test_bad_push_does_not_freeze_the_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A pushed value that breaks the spec is shown as unknown, warned about once, and the
    device's other entities keep updating."""
    temperature = _eid(hass, "sensor", f"{THERMOMETER}_2_1")
    humidity = _eid(hass, "sensor", f"{THERMOMETER}_2_2")
    battery = _eid(hass, "sensor", f"{THERMOMETER}_3_1")
    for _ in range(3):
        simulator.cloud.push_raw(THERMOMETER, 2, 1, "err")
    simulator.cloud.push_raw(THERMOMETER, 3, 1, -99999)
    simulator.cloud.set_property(THERMOMETER, 2, 2, 77)
    await _until(hass, lambda: _state(hass, humidity) == "77")
    assert _state(hass, temperature) == STATE_UNKNOWN
    assert _state(hass, battery) == STATE_UNKNOWN
    simulator.cloud.push_raw(THERMOMETER, 2, 1, 1e308)
    simulator.cloud.set_property(THERMOMETER, 2, 2, 78)
    await _until(hass, lambda: _state(hass, humidity) == "78")
    assert _state(hass, temperature) == STATE_UNKNOWN
    assert "Traceback" not in caplog.text
    warnings = [r for r in caplog.records if "spec does not allow" in r.getMessage()]
    assert len(warnings) == 2  # temperature once, battery once
    simulator.cloud.set_property(THERMOMETER, 2, 1, 21.5)
    await _until(hass, lambda: _state(hass, temperature) == "21.5")


async def test_failing_listener_stops_no_other(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """An entity that fails to update is logged once; the others are still updated."""
    coordinator = _coordinator(init_integration)
    seen: list[int] = []

    def broken() -> None:
        raise ValueError("broken entity")

    remove_broken = coordinator.async_add_listener(LAMP, broken)
    remove_ok = coordinator.async_add_listener(LAMP, lambda: seen.append(1))
    coordinator._notify([LAMP])
    coordinator._notify([LAMP])
    remove_broken()
    remove_ok()
    assert seen == [1, 1]
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in errors] == ["Updating an entity of 100001 failed"]


async def test_device_missing_from_one_list_keeps_everything(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One device-list answer without the lamp: it stays (unavailable) with its area, names and
    renamed entity id, and is available again with all of them when it is listed again."""
    coordinator = _coordinator(init_integration)
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    eid = _eid(hass, "light", f"{LAMP}_2_1")
    area = ar.async_get(hass).async_create("Reading Corner")
    device = registry_device(hass, LAMP)
    assert device is not None
    devices.async_update_device(device.id, area_id=area.id, name_by_user="My Lamp")
    entities.async_update_entity(eid, new_entity_id="light.my_lamp", name="Reading light")
    await hass.async_block_till_done()
    simulator.cloud.hide(LAMP, 1)
    await coordinator.async_refresh_device_list()
    await hass.async_block_till_done()
    assert _state(hass, "light.my_lamp") == STATE_UNAVAILABLE
    assert "missing from the cloud's device list" in caplog.text
    await coordinator.async_refresh_device_list()
    await hass.async_block_till_done()
    assert _state(hass, "light.my_lamp") != STATE_UNAVAILABLE
    assert "listed by the cloud again" in caplog.text
    entry = entities.async_get("light.my_lamp")
    assert entry is not None
    assert entry.unique_id == f"{LAMP}_2_1"
    assert entry.name == "Reading light"
    device = registry_device(hass, LAMP)
    assert device is not None
    assert device.area_id == area.id
    assert device.name_by_user == "My Lamp"


async def test_user_deletes_only_a_missing_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A listed device cannot be deleted (it would come back); a missing one can."""
    assert await async_setup_component(hass, "config", {})
    coordinator = _coordinator(init_integration)
    device = registry_device(hass, LAMP)
    assert device is not None
    client = await hass_ws_client(hass)

    async def remove() -> dict[str, Any]:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device.id,
            }
        )
        response: dict[str, Any] = await client.receive_json()
        return response

    assert not (await remove())["success"]
    simulator.cloud.hide(LAMP, 5)
    await coordinator.async_refresh_device_list()
    assert (await remove())["success"]
    await hass.async_block_till_done()
    assert LAMP not in coordinator.devices
    assert dr.async_get(hass).async_get(device.id) is None


async def test_late_write_answer_keeps_newer_push(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Brightness 30 is written; the lamp then reports 70 before the write's answer arrives:
    70 stays (the answer is older than the push)."""
    coordinator = _coordinator(init_integration)
    simulator.cloud.faults.append(
        Fault(latency=1.0, late=True, path="/app/v2/miotspec/prop/set", count=1)
    )
    write = asyncio.create_task(coordinator.async_set_property(LAMP, 2, 2, 30))
    await _until(hass, lambda: simulator.cloud.device(LAMP).values[(2, 2)] == 30)
    simulator.cloud.set_property(LAMP, 2, 2, 70)
    await _until(hass, lambda: coordinator.value(LAMP, 2, 2) == 70)
    await write
    await hass.async_block_till_done()
    assert coordinator.value(LAMP, 2, 2) == 70
    state = hass.states.get(_eid(hass, "light", f"{LAMP}_2_1"))
    assert state is not None
    assert state.attributes["brightness"] == round(70 * 255 / 100)


async def _tick(hass: HomeAssistant, seconds: float) -> None:
    """Let `seconds` pass for Home Assistant's timers and wait for what they start."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


def _warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and text in r.getMessage()
    ]


async def test_whole_cloud_down_is_visible_and_recovers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Broker down and every request failing: after two failed reads the entities are
    unavailable, one warning and a repair issue name the cause; when the cloud is back they
    are available again within one retry (15 s) and the issue is gone."""
    coordinator = _coordinator(init_integration)
    eid = _eid(hass, "light", f"{LAMP}_2_1")
    await simulator.run_broker(False)
    await _until(hass, lambda: not coordinator.stats.push_connected)
    simulator.cloud.faults.append(Fault(status=503, path="/app/v2/"))
    await _tick(hass, 61)  # the regular poll fails once: still trusted
    assert _state(hass, eid) != STATE_UNAVAILABLE
    await _tick(hass, 16)  # the retry fails too: outage
    assert _state(hass, eid) == STATE_UNAVAILABLE
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "cloud_unreachable")
    assert issue is not None
    assert "503" in (issue.translation_placeholders or {})["error"]
    for _ in range(4):
        await _tick(hass, 16)
    assert len(_warnings(caplog, "cannot be reached")) == 1
    assert _state(hass, eid) == STATE_UNAVAILABLE
    simulator.cloud.faults.clear()
    await simulator.run_broker(True)
    await _tick(hass, 16)
    assert _state(hass, eid) != STATE_UNAVAILABLE
    assert ir.async_get(hass).async_get_issue(DOMAIN, "cloud_unreachable") is None
    assert "answers again" in caplog.text


async def test_http_down_with_push_up_stays_available(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Requests fail but push is connected: pushed values are still trusted (the repair issue
    tells the user); losing push too makes the entities unavailable."""
    coordinator = _coordinator(init_integration)
    eid = _eid(hass, "light", f"{LAMP}_2_1")
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/"))
    for _ in range(3):
        await _tick(hass, 61)
    assert coordinator.stats.outage_cause is not None
    assert _state(hass, eid) != STATE_UNAVAILABLE
    coordinator._on_push_connection(False)  # what the push client reports on a drop
    await hass.async_block_till_done()
    assert _state(hass, eid) == STATE_UNAVAILABLE
    simulator.cloud.faults.clear()
    coordinator._on_push_connection(True)  # reconnect: everything is re-read
    await hass.async_block_till_done(wait_background_tasks=True)
    assert coordinator.stats.outage_cause is None
    assert _state(hass, eid) != STATE_UNAVAILABLE


async def test_revoked_sign_in_is_visible(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A revoked sign-in: entities unavailable at the first failed read, one warning, the
    reauth flow (Home Assistant's own repair) starts."""
    eid = _eid(hass, "light", f"{LAMP}_2_1")
    await simulator.run_broker(False)
    simulator.cloud.revoke_tokens()
    await _tick(hass, 61)
    assert _state(hass, eid) == STATE_UNAVAILABLE
    await _tick(hass, 16)
    assert len(_warnings(caplog, "refused the sign-in")) == 1
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_refused_early_refresh_does_not_fail_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """At 80 % of its life the access token still works: a refused refresh is no reason for
    reauthentication; setup succeeds."""
    token = dict(config_entry.data["token"])
    token["obtained_at"] -= token["expires_in"] * 0.8
    hass.config_entries.async_update_entry(config_entry, data={**config_entry.data, "token": token})
    for record in simulator.cloud.tokens:
        record.refresh_valid = False
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_setup_cancelled_midway_leaves_nothing_running(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Setup cancelled while it reads the first values (push already started): the push
    task, its MQTT session and every timer are stopped (the test fails on lingering ones)."""
    simulator.cloud.faults.append(Fault(latency=5, path="/app/v2/miotspec/prop/get", count=1))
    task = asyncio.create_task(hass.config_entries.async_setup(config_entry.entry_id))
    await _until(
        hass,
        lambda: simulator.cloud.counters()["http"].get("/app/v2/miotspec/prop/get", 0) >= 1,
    )
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await hass.async_block_till_done()
    assert not getattr(config_entry, "runtime_data", None)


async def test_missing_device_is_checked_again_within_30_s(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device gone from one list answer is listed again 30 s later, not 10 minutes."""
    eid = _eid(hass, "light", f"{LAMP}_2_1")
    simulator.cloud.hide(LAMP, 1)
    simulator.cloud.hide("100002", 1)  # two at once: one recheck
    await _tick(hass, 601)  # the regular device-list refresh
    assert _state(hass, eid) == STATE_UNAVAILABLE
    await _tick(hass, 31)
    assert _state(hass, eid) != STATE_UNAVAILABLE
    assert not _coordinator(init_integration).missing_since


async def test_push_of_a_property_the_spec_lacks_is_kept(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A property the spec does not describe cannot be checked: its value is kept as pushed."""
    coordinator = _coordinator(init_integration)
    coordinator._on_push_property(PropertyChange(did=LAMP, siid=2, piid=99, value="odd"))
    assert coordinator.value(LAMP, 2, 99) == "odd"
