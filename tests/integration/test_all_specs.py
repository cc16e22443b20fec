"""Every real spec of the test data as a simulator device, loaded in Home Assistant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.miot_connect.const import DOMAIN
from simulator import Simulator
from simulator.homes import generate_devices
from tests.unit.test_discovery import EXPECTED_PRESENT, EXPECTED_PRIMARY, SPEC_DIR

from .conftest import entry_data


@pytest.fixture
async def every_spec_simulator(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Simulator]:
    """A simulator with one generated device per spec document of the test data."""
    sim = Simulator(
        home=None, state_dir=tmp_path / "sim", cert_dir=simulator_cert_dir, spec_dirs=[SPEC_DIR]
    )
    generate_devices(sim.cloud, len(sim.cloud.specs.models()))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def _device_type(urn: str) -> str:
    parts = urn.split(":")
    return parts[3] if len(parts) > 3 else ""


async def test_every_spec_sets_up(
    hass: HomeAssistant, every_spec_simulator: Simulator, snapshot: SnapshotAssertion
) -> None:
    """No spec crashes setup; each device type yields its primary platform; the entity set is
    the snapshot (platform, translation/name, device class, unit, category, enabled)."""
    sim = every_spec_simulator
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=sim.uid, data=entry_data(sim), options={"push": False}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    assert coordinator.spec_errors == {}
    assert len(coordinator.devices) == len(sim.cloud.devices)

    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    platforms: dict[str, set[str]] = defaultdict(set)
    for entity in er.async_entries_for_config_entry(entities, entry.entry_id):
        device = devices.async_get(entity.device_id or "")
        assert device is not None
        model = device.model or ""
        platforms[model].add(entity.domain)
        state = hass.states.get(entity.entity_id)
        if entity.disabled_by is None:
            assert state is not None, entity.entity_id
            assert state.state != STATE_UNAVAILABLE, entity.entity_id
        by_model[model].append(
            {
                "platform": entity.domain,
                "key": entity.unique_id.split("_", 1)[1],
                "name": entity.original_name,
                "translation_key": entity.translation_key,
                "device_class": entity.original_device_class,
                "unit": None
                if entity.unit_of_measurement is None
                else str(entity.unit_of_measurement),
                "category": entity.entity_category,
                "enabled": entity.disabled_by is None,
                "features": entity.supported_features,
            }
        )
    checked = 0
    for device in coordinator.devices.values():
        kind = _device_type(device.urn)
        expected = EXPECTED_PRIMARY.get(kind) or EXPECTED_PRESENT.get(kind)
        if expected is None:
            continue
        assert expected in platforms[device.model], (device.model, kind)
        checked += 1
    assert checked >= 150
    summary = {
        model: sorted(rows, key=lambda row: (row["platform"], row["key"]))
        for model, rows in sorted(by_model.items())
    }
    assert summary == snapshot
    assert await hass.config_entries.async_unload(entry.entry_id)
