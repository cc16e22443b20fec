"""Diagnostics for the account and for each device, with secrets and personal data redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from . import MiotConfigEntry
from .const import CONF_TOKEN, CONF_UID, CONF_XIAOAI, DOMAIN
from .coordinator import MiotCoordinator
from .dueros import dueros_diagnostics, is_dueros_entry
from .miot import DeviceSpec

TO_REDACT = {
    CONF_TOKEN,
    CONF_UID,
    "access_token",
    "refresh_token",
    "token",
    "uid",
    "owner",
    "local_ip",
    "ip",
    "ssid",
    "bssid",
    "mac",
    "longitude",
    "latitude",
    "address",
    "city_id",
    "device_id",
    "union_id",
    "unique_id",
    # Xiaoai (MiNA) credential: the whole block, and its fields wherever they appear.
    CONF_XIAOAI,
    "user_id",
    "pass_token",
    "service_token",
    "ssecurity",
    "passToken",
    "serviceToken",
}


# Words of property names (`longitude-latitude`, `ip-address`) whose values place the user.
PRIVATE_PROPERTY_WORDS = frozenset(
    {
        "longitude",
        "latitude",
        "location",
        "gps",
        "coordinate",
        "coordinates",
        "address",
        "ssid",
        "bssid",
        "mac",
    }
)


def _is_private(spec: DeviceSpec | None, siid: int, piid: int) -> bool:
    if spec is None or not spec.has_property(siid, piid):
        return False
    return not PRIVATE_PROPERTY_WORDS.isdisjoint(spec.property(siid, piid).name.split("-"))


def _device_info(coordinator: MiotCoordinator, did: str) -> dict[str, Any]:
    device = coordinator.devices.get(did) or coordinator.all_devices[did]
    spec = coordinator.specs.get(did)
    return {
        "device": asdict(device),
        "spec_urn": device.urn,
        "spec_error": coordinator.spec_errors.get(did),
        "services": [service.name for service in spec.services] if spec else [],
        "values": {
            f"{siid}.{piid}": REDACTED if _is_private(spec, siid, piid) else value
            for (value_did, siid, piid), value in coordinator.values.items()
            if value_did == did
        },
    }


def _account_info(coordinator: MiotCoordinator) -> dict[str, Any]:
    return {
        "homes": [asdict(home) for home in coordinator.homes],
        "device_count": len(coordinator.devices),
        "push": {
            "enabled": coordinator.push_enabled,
            "connected": coordinator.stats.push_connected,
            "pushed_properties": coordinator.stats.pushed_properties,
            "pushed_events": coordinator.stats.pushed_events,
        },
        "polls": coordinator.stats.polls,
        "recent_errors": list(coordinator.stats.recent_errors),
        "spec_errors": dict(coordinator.spec_errors),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MiotConfigEntry
) -> dict[str, Any]:
    """The account: homes, devices, specs, push state and recent errors."""
    if is_dueros_entry(entry):
        return dueros_diagnostics(entry)
    coordinator = entry.runtime_data.coordinator
    data = {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        **_account_info(coordinator),
        "devices": {did: _device_info(coordinator, did) for did in coordinator.devices},
        "local_control": coordinator.local.diagnostics(),
        "xiaoai_listening": xiaoai.diagnostics() if (xiaoai := entry.runtime_data.xiaoai) else None,
    }
    return async_redact_data(data, TO_REDACT)


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: MiotConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """One device: its cloud record, spec and current values."""
    coordinator = entry.runtime_data.coordinator
    did = next(ident for domain, ident in device.identifiers if domain == DOMAIN)
    return async_redact_data(
        {"push_connected": coordinator.stats.push_connected, **_device_info(coordinator, did)},
        TO_REDACT,
    )
