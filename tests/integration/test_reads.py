"""What is read, polled and written (issue 16): only what enabled entities show or use; a push
wakes only the entities showing the property; a slow cloud never holds Home Assistant's start."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.miot_connect import coordinator as coordinator_module
from custom_components.miot_connect.coordinator import MiotCoordinator
from simulator import Fault, Simulator

type Key = tuple[str, int, int]


def _coordinator(entry: MockConfigEntry) -> MiotCoordinator:
    coordinator: MiotCoordinator = entry.runtime_data.coordinator
    return coordinator


def _shown(
    hass: HomeAssistant, entry: MockConfigEntry, *, enabled: bool
) -> dict[str, tuple[str, set[Key]]]:
    """Entity id → (did, readable properties it shows) of the entry's enabled (or disabled)
    registry entities, from the discovery the entities are built from."""
    coordinator = _coordinator(entry)
    registry = er.async_get(hass)
    by_unique_id = {
        (str(info.platform), info.unique_id(did)): (did, info)
        for did in coordinator.devices
        for info in coordinator.entity_infos(did)
    }
    shown: dict[str, tuple[str, set[Key]]] = {}
    for ent in er.async_entries_for_config_entry(registry, entry.entry_id):
        if ent.disabled == enabled or (ent.domain, ent.unique_id) not in by_unique_id:
            continue
        did, info = by_unique_id[(ent.domain, ent.unique_id)]
        keys = {(did, p.siid, p.iid) for p in info.props.values() if p.readable}
        shown[ent.entity_id] = (did, keys)
    return shown


def _keys(shown: dict[str, tuple[str, set[Key]]]) -> set[Key]:
    return {key for _, keys in shown.values() for key in keys}


async def test_setup_reads_only_what_enabled_entities_show(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Properties of disabled entities are not read at setup; enabling one reads it."""
    simulator.cloud.reset_counters()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    read = set(simulator.cloud.read_items)
    enabled_keys = _keys(_shown(hass, config_entry, enabled=True))
    disabled = _shown(hass, config_entry, enabled=False)
    only_disabled = _keys(disabled) - enabled_keys
    assert only_disabled, "the demo home has disabled entities with their own properties"
    assert read == enabled_keys
    # Every property was asked once (one batched first read, no second read by entities).
    assert set(simulator.cloud.read_items.values()) == {1}

    # Enable one: Home Assistant reloads the entry, and the entity shows the device's value.
    entity_id, (_, keys) = next(
        (eid, item) for eid, item in disabled.items() if item[1] - enabled_keys
    )
    key = next(iter(keys - enabled_keys))
    simulator.cloud.reset_counters()
    er.async_get(hass).async_update_entity(entity_id, disabled_by=None)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert config_entry.state is ConfigEntryState.LOADED
    assert key in simulator.cloud.read_items
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state not in (STATE_UNKNOWN, "unavailable")
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_poll_reads_only_unpushed_properties_of_enabled_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With push up, a poll reads the enabled entities' properties that have no push."""
    coordinator = _coordinator(init_integration)
    expected = {
        key
        for key in _keys(_shown(hass, init_integration, enabled=True))
        if not coordinator.specs[key[0]].property(key[1], key[2]).notifiable
    }
    assert expected
    simulator.cloud.reset_counters()
    async_fire_time_changed(hass, dt_util.utcnow() + coordinator.poll_interval)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert set(simulator.cloud.read_items) == expected


async def test_push_wakes_only_the_entities_showing_the_property(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A pushed change writes the state of the entities that show it, not the device's
    other entities."""
    coordinator = _coordinator(init_integration)
    shown = _shown(hass, init_integration, enabled=True)
    # A device with several enabled entities and a pushed boolean one of them shows.
    did, key = next(
        (did, key)
        for _, (did, keys) in shown.items()
        for key in sorted(keys)
        if sum(1 for other_did, _ in shown.values() if other_did == did) > 2
        and (prop := coordinator.specs[did].property(key[1], key[2])).notifiable
        and prop.format == "bool"
        and prop.writable
    )
    showing = {eid for eid, (_, keys) in shown.items() if key in keys}
    others = {eid for eid, (d, keys) in shown.items() if d == did and key not in keys}
    assert others
    written: list[str] = []

    def record(event: Event[Any]) -> None:
        written.append(event.data["entity_id"])

    unsubs = [
        hass.bus.async_listen(EVENT_STATE_CHANGED, record),
        hass.bus.async_listen(EVENT_STATE_REPORTED, record, event_filter=_every),
    ]
    current = simulator.cloud.device(did).values[(key[1], key[2])]
    simulator.cloud.set_property(did, key[1], key[2], not current)
    async with asyncio.timeout(10):
        while coordinator.value(*key) == current:
            await asyncio.sleep(0.02)
    await hass.async_block_till_done()
    for unsub in unsubs:
        unsub()
    assert showing & set(written)
    assert not others & set(written)


@callback
def _every(_data: Any) -> bool:
    return True


async def test_slow_first_values_do_not_hold_setup(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first values are late: entities are created without them after the wait, Home
    Assistant's own wait for startup tasks does not wait for them, and they come later."""
    monkeypatch.setattr(coordinator_module, "FIRST_VALUES_WAIT", 0.2)
    simulator.cloud.faults.append(Fault(latency=1.5, path="/app/v2/miotspec/prop/get", count=1))
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    # What bootstrap's wrap-up waits for: tracked tasks only, not the read.
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    shown = _shown(hass, config_entry, enabled=True)
    states = [hass.states.get(eid) for eid in shown]
    assert all(state is not None for state in states)
    assert any(state.state == STATE_UNKNOWN for state in states if state is not None)
    await _coordinator(config_entry).async_wait_values()
    await hass.async_block_till_done()
    assert all(
        _coordinator(config_entry).value(*key) is not None
        for key in _keys(shown)
        if simulator.cloud.device(key[0]).online
    )
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_slow_cloud_at_setup_is_retried_later(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A device list that does not come within the setup limit means 'retry later', with the
    reason, instead of holding Home Assistant's start."""
    monkeypatch.setattr(coordinator_module, "SETUP_CLOUD_TIMEOUT", 0.3)
    simulator.cloud.faults.append(Fault(latency=3, path="/app/v2/home", count=1))
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "within 0.3 s" in (config_entry.reason or "")
    assert not er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)


async def test_entity_limit_adds_the_rest_disabled(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Home Assistant refuses enabled entities beyond its limit per entry: main entities are
    enabled first, the rest are registered disabled (nothing is lost), a repair issue says
    so, and only the enabled ones are read."""
    limit = 12
    monkeypatch.setattr(coordinator_module, "MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY", limit)
    simulator.cloud.reset_counters()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = _coordinator(config_entry)
    registry = er.async_get(hass)
    entries = er.async_entries_for_config_entry(registry, config_entry.entry_id)
    discovered = sum(len(coordinator.entity_infos(did)) for did in coordinator.devices)
    assert len(entries) >= discovered  # every entity is registered (and the speaker notify)
    enabled = [entry for entry in entries if not entry.disabled]
    assert len(enabled) == limit
    mains = {
        (str(info.platform), info.unique_id(did))
        for did in coordinator.devices
        for info in coordinator.entity_infos(did)
        if info.main
    }
    assert len(mains) > limit
    assert all(
        (entry.domain, entry.unique_id) in mains for entry in enabled if entry.domain != "notify"
    )
    issue = ir.async_get(hass).async_get_issue("miot_connect", "entity_limit")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["limit"] == str(limit)
    assert int(issue.translation_placeholders["count"]) > len(mains) - limit
    assert set(simulator.cloud.read_items) == _keys(_shown(hass, config_entry, enabled=True))
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_a_removed_entity_is_no_longer_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Disabling an entity removes it: what only it showed is no longer polled."""
    coordinator = _coordinator(init_integration)
    shown = _shown(hass, init_integration, enabled=True)
    entity_id, own = next(
        (eid, own)
        for eid, (_, keys) in shown.items()
        if (
            own := {
                key
                for key in keys
                - {k for other, (_, ks) in shown.items() if other != eid for k in ks}
                if not coordinator.specs[key[0]].property(key[1], key[2]).notifiable
            }
        )
    )
    assert own <= set(coordinator.wanted_keys())
    er.async_get(hass).async_update_entity(entity_id, disabled_by=er.RegistryEntryDisabler.USER)
    await hass.async_block_till_done()
    assert not own & set(coordinator.wanted_keys())
    simulator.cloud.reset_counters()
    await coordinator._async_poll()
    assert simulator.cloud.read_items
    assert not own & set(simulator.cloud.read_items)
