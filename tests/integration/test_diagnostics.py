"""Diagnostics: useful content, with secrets and personal data redacted."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.miot_connect.const import DOMAIN
from simulator import Simulator

VOLATILE = props("base_url", "ca_file", "mqtt_port", "mqtt_host")


async def test_entry_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """No token, uid, device token, IP, SSID or coordinate leaves in the download."""
    diag = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    dumped = json.dumps(diag, ensure_ascii=False)
    token = init_integration.data["token"]
    for secret in (token["access_token"], token["refresh_token"], simulator.uid):
        assert secret not in dumped
    for device in simulator.cloud.devices.values():
        record = simulator.cloud.device_json(device)
        for key in ("token", "local_ip", "bssid"):
            assert str(record[key]) not in dumped, key
    assert '"MiHome"' not in dumped
    assert diag["device_count"] == len(init_integration.runtime_data.coordinator.devices)
    assert diag["push"]["enabled"] is True
    lamp = diag["devices"]["100001"]
    assert lamp["device"]["token"] == "**REDACTED**"
    assert lamp["spec_urn"].startswith("urn:miot-spec-v2:device:light:")
    assert diag["entry"]["data"]["token"] == "**REDACTED**"
    assert diag["homes"][0]["uid"] == "**REDACTED**"
    assert lamp == snapshot(exclude=VOLATILE)


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """Per-device diagnostics carry the cloud record, spec and values, redacted."""
    registry = dr.async_get(hass)
    device = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "100001")}
    )
    diag = await get_diagnostics_for_device(hass, hass_client, init_integration, device)
    assert diag["device"]["did"] == "100001"
    assert diag["device"]["token"] == "**REDACTED**"
    assert diag["values"]
    assert "light" in diag["services"]


async def test_gps_property_values_are_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A `longitude-latitude` property value (air conditioner 12.16) never leaves."""
    did, where = "100004", "116.397128,39.916527"
    simulator.cloud.set_property(did, 12, 16, where)
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.async_refresh_devices([did])
    coordinator.values[(did, 12, 99)] = 5  # a property the spec does not describe: shown
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, did)}
    )
    diag = await get_diagnostics_for_device(hass, hass_client, init_integration, device)
    assert diag["values"]["12.16"] == "**REDACTED**"
    assert diag["values"]["12.99"] == 5
    entry_diag = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert where not in json.dumps(entry_diag)
