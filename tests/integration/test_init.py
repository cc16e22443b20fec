"""Entry lifecycle and the coordinator: setup, errors, push, polling, dynamic devices, repairs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.miot_connect.const import (
    CONF_EXCLUDED_DEVICES,
    CONF_PUSH,
    CONF_SYNC_AREAS,
    DEVICE_MISSING_GRACE,
    DOMAIN,
)
from custom_components.miot_connect.coordinator import EVENT_MIOT, MiotCoordinator
from simulator import Fault, Simulator

from .conftest import entry_data, registry_device

LAMP = "100001"  # yeelink.light.color2 in the demo home


def _coordinator(entry: MockConfigEntry) -> MiotCoordinator:
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


def _on_key(coordinator: MiotCoordinator, did: str = LAMP) -> tuple[int, int]:
    prop = coordinator.specs[did].find_property("light", "on")
    assert prop is not None
    return prop.siid, prop.iid


async def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    """Wait until `condition()` is true (push arrives over the real broker)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_setup_and_unload_repeatedly(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Load and unload three times; every read of the demo home is batched."""
    for _ in range(3):
        simulator.cloud.reset_counters()
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        assert config_entry.state is ConfigEntryState.LOADED
        coordinator = _coordinator(config_entry)
        readable = sum(
            1 for spec in coordinator.specs.values() for prop in spec.properties() if prop.readable
        )
        assert coordinator.values
        # Only what enabled entities show is read, in batches of 150.
        needed = len(coordinator.wanted_keys())
        assert 0 < needed < readable
        reads = simulator.cloud.counters()["http"].get("/app/v2/miotspec/prop/get", 0)
        assert reads == -(-needed // 150)
        assert await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()
        assert config_entry.state is ConfigEntryState.NOT_LOADED


async def test_cloud_unreachable_retries(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A cloud failure at setup means 'not ready', with the reason."""
    simulator.cloud.faults.append(Fault(status=503, path="/app/v2/homeroom"))
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "Cannot reach the Xiaomi cloud" in (config_entry.reason or "")


async def test_revoked_token_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """When even the refresh is refused, the user is asked to sign in again."""
    simulator.cloud.revoke_tokens()
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_expired_token_is_refreshed_and_saved(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An expired access token is refreshed once and the new one lands in the entry."""
    old = config_entry.data["token"]["access_token"]
    simulator.cloud.expire_tokens()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert config_entry.data["token"]["access_token"] != old
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_push_updates_values_events_and_availability(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Property changes, events and online state arrive by push without polling."""
    coordinator = _coordinator(init_integration)
    assert coordinator.push is not None
    await asyncio.wait_for(coordinator.push.wait_connected(), 5)
    await _wait_for(lambda: coordinator.stats.push_connected)
    siid, piid = _on_key(coordinator)
    current = coordinator.value(LAMP, siid, piid)
    woken: list[bool] = []
    unsub = coordinator.async_add_listener(LAMP, lambda: woken.append(True))
    simulator.cloud.set_property(LAMP, siid, piid, not current)
    await _wait_for(lambda: coordinator.value(LAMP, siid, piid) is (not current))
    assert woken
    unsub()

    events: list[Event] = []
    hass.bus.async_listen(EVENT_MIOT, events.append)
    button = next(
        did for did, spec in coordinator.specs.items() if any(s.events for s in spec.services)
    )
    spec = coordinator.specs[button]
    service = next(s for s in spec.services if s.events)
    event = service.events[0]
    seen: list[Any] = []
    remove = coordinator.async_add_event_listener(button, seen.append)
    simulator.cloud.fire_event(button, service.iid, event.iid, [])
    await _wait_for(lambda: bool(events))
    assert events[0].data["did"] == button
    assert events[0].data["event"] == event.name
    assert seen
    remove()

    simulator.cloud.set_online(LAMP, False)
    await _wait_for(lambda: not coordinator.is_available(LAMP))
    simulator.cloud.set_online(LAMP, True)
    await _wait_for(lambda: coordinator.is_available(LAMP))


@pytest.mark.parametrize("entry_options", [{CONF_PUSH: False}])
async def test_polling_without_push(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With push off every readable property is polled on the interval, batched."""
    coordinator = _coordinator(init_integration)
    assert not coordinator.push_enabled
    siid, piid = _on_key(coordinator)
    current = coordinator.value(LAMP, siid, piid)
    simulator.cloud.set_property(LAMP, siid, piid, not current)
    await asyncio.sleep(0.3)
    assert coordinator.value(LAMP, siid, piid) is current
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await _wait_for(lambda: coordinator.value(LAMP, siid, piid) is (not current))
    assert coordinator.stats.polls == 1
    # A failing poll is remembered, not raised.
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/miotspec", count=1))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=122))
    await _wait_for(lambda: coordinator.stats.polls == 2)
    await _wait_for(lambda: any("poll" in err for err in coordinator.stats.recent_errors))


async def test_writes_and_actions(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Writes reach the device; bad values and offline devices give clear errors."""
    coordinator = _coordinator(init_integration)
    siid, piid = _on_key(coordinator)
    await coordinator.async_set_property(LAMP, siid, piid, False)
    assert simulator.cloud.device(LAMP).values[(siid, piid)] is False
    assert coordinator.value(LAMP, siid, piid) is False
    brightness = coordinator.specs[LAMP].find_property("light", "brightness")
    assert brightness is not None
    await coordinator.async_set_properties(
        LAMP, {(siid, piid): True, (brightness.siid, brightness.iid): 42}
    )
    assert simulator.cloud.device(LAMP).values[(brightness.siid, brightness.iid)] == 42
    await coordinator.async_set_properties(LAMP, {(siid, piid): False})
    assert simulator.cloud.device(LAMP).values[(siid, piid)] is False

    with pytest.raises(ServiceValidationError):
        await coordinator.async_set_property(LAMP, brightness.siid, brightness.iid, 1000)
    with pytest.raises(ServiceValidationError):
        await coordinator.async_set_properties(
            LAMP, {(siid, piid): True, (brightness.siid, brightness.iid): -5}
        )
    simulator.cloud.set_online(LAMP, False)
    with pytest.raises(HomeAssistantError, match="offline"):
        await coordinator.async_set_property(LAMP, siid, piid, True)
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/miotspec", count=1))
    with pytest.raises(HomeAssistantError):
        await coordinator.async_set_properties(
            LAMP, {(siid, piid): True, (brightness.siid, brightness.iid): 5}
        )
    simulator.cloud.set_online(LAMP, True)
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/miotspec", count=1))
    with pytest.raises(HomeAssistantError):
        await coordinator.async_set_property(LAMP, siid, piid, True)

    # The device refuses one of two values: the accepted one is applied, the error names the other.
    doc = simulator.cloud.device(LAMP).spec.properties[(brightness.siid, brightness.iid)]
    doc["access"] = ["read", "notify"]
    with pytest.raises(HomeAssistantError, match="brightness"):
        await coordinator.async_set_properties(
            LAMP, {(siid, piid): True, (brightness.siid, brightness.iid): 7}
        )
    # (A push of an earlier write may arrive during this one: then the lamp is asked again.)
    await _wait_for(lambda: coordinator.value(LAMP, siid, piid) is True)
    assert coordinator.value(LAMP, brightness.siid, brightness.iid) == 42

    toggle = coordinator.specs[LAMP].find_action("light", "toggle")
    if toggle is not None:
        assert await coordinator.async_call_action(LAMP, toggle.siid, toggle.iid) == []
    with pytest.raises(HomeAssistantError):
        await coordinator.async_call_action(LAMP, 99, 99)
    simulator.cloud.set_online(LAMP, False)
    with pytest.raises(HomeAssistantError, match="offline"):
        await coordinator.async_call_action(LAMP, 2, 1)

    # A revoked sign-in fails the write and asks the user to sign in again.
    simulator.cloud.revoke_tokens()
    with pytest.raises(HomeAssistantError):
        await coordinator.async_set_property(LAMP, siid, piid, False)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_dynamic_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device added to the account appears; a removed one leaves the registry once it has
    been missing for the grace period."""
    coordinator = _coordinator(init_integration)
    home_id = next(iter(simulator.cloud.homes))
    simulator.cloud.add_device("200001", "New Plug", "cuco.plug.cp1m", home_id=home_id)
    await coordinator.async_refresh_device_list()
    assert "200001" in coordinator.devices
    assert any(key[0] == "200001" for key in coordinator.values)

    registry = dr.async_get(hass)
    device = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "200001")}
    )
    simulator.cloud.remove_device("200001")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await _wait_for(lambda: "200001" in coordinator.missing_since)
    await hass.async_block_till_done()
    assert "200001" in coordinator.devices
    assert not coordinator.is_available("200001")
    assert registry.async_get(device.id) is not None
    coordinator.missing_since["200001"] -= DEVICE_MISSING_GRACE
    await coordinator.async_refresh_device_list()
    await hass.async_block_till_done()
    assert "200001" not in coordinator.devices
    assert not any(key[0] == "200001" for key in coordinator.values)
    assert registry.async_get(device.id) is None


async def test_broken_spec_raises_repair(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A device whose spec cannot be read is skipped and a repair issue names it."""
    home_id = next(iter(simulator.cloud.homes))
    broken = {"type": "urn:miot-spec-v2:device:outlet:0000A002:odd-x1:1", "services": "oops"}
    simulator.cloud.specs.add(broken, "odd.plug.x1")
    simulator.cloud.add_device("300001", "Odd Device", "odd.plug.x1", home_id=home_id)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = _coordinator(config_entry)
    assert "300001" not in coordinator.devices
    assert "300001" in coordinator.spec_errors
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "spec_300001") is not None
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_push_down_raises_repair_and_rereads(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Push down for ten minutes raises a repair; reconnecting clears it and re-reads."""
    coordinator = _coordinator(init_integration)
    assert coordinator.push is not None
    await _wait_for(lambda: coordinator.stats.push_connected)
    coordinator._on_push_connection(False)  # what the push client reports on a drop
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "push_disconnected") is not None
    simulator.cloud.reset_counters()
    coordinator._on_push_connection(True)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, "push_disconnected") is None
    await _wait_for(
        lambda: simulator.cloud.counters()["http"].get("/app/v2/miotspec/prop/get", 0) >= 1
    )


async def test_options_reload_and_exclusion(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Changing options reloads the entry; excluded devices are left out."""
    coordinator = _coordinator(init_integration)
    assert LAMP in coordinator.devices
    assert coordinator.home_names()
    assert LAMP in coordinator.device_names()
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, CONF_EXCLUDED_DEVICES: [LAMP]}
    )
    await hass.async_block_till_done()
    coordinator = _coordinator(init_integration)
    assert LAMP not in coordinator.devices
    assert LAMP in coordinator.device_names(include_excluded=True)


async def test_rooms_become_areas(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Devices land in areas named after their Mi Home rooms; sub-devices hang off the gateway."""
    lamp = registry_device(hass, LAMP)
    assert lamp is not None
    area = ar.async_get(hass).async_get_area(lamp.area_id or "")
    assert area is not None
    assert area.name == "Living Room"
    motion = registry_device(hass, "100008.s1")
    gateway = registry_device(hass, "100008")
    assert motion is not None
    assert gateway is not None
    assert motion.via_device_id == gateway.id


@pytest.mark.parametrize("entry_options", [{CONF_SYNC_AREAS: False}])
async def test_area_sync_off(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """With area sync off, devices get no area."""
    lamp = registry_device(hass, LAMP)
    assert lamp is not None
    assert lamp.area_id is None


async def test_names_in_the_chosen_language(hass: HomeAssistant, simulator: Simulator) -> None:
    """The entry's language picks the spec's translated names (zh-Hans here, HA itself in en)."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=simulator.uid, data=entry_data(simulator, language="zh-Hans")
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    specs = entry.runtime_data.coordinator.specs
    translated = 0
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        did, _, rest = entity.unique_id.partition("_")
        parts = rest.split("_")
        if entity.original_name is None or len(parts) != 2:
            continue
        prop = specs[did].property(int(parts[0]), int(parts[1]))
        chinese, english = prop.label("zh-Hans"), prop.label("en")
        if chinese != english and english:
            # Named from the property or (for some schemas) its service, never in English.
            assert not entity.original_name.endswith(english), entity.unique_id
            translated += entity.original_name.endswith(chinese)
    assert translated > 0
    assert await hass.config_entries.async_unload(entry.entry_id)
