"""System health: per account the region, API reachability, push, devices and the last error.

One line per key (translated under "system_health.info"). With one account a line shows its
value; with several, each value is prefixed by the entry's title ("Home: cn; Office: de").

Features that live beside the cloud add their own lines through the coordinator's
`health_info` hook (key → getter); the keys reserved for them, already translated, are in
FEATURE_KEYS. A feature line is shown once any account provides it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
import time
from typing import TYPE_CHECKING, Any

from homeassistant.components import system_health
from homeassistant.core import HomeAssistant, callback

from .const import CONF_REGION, DOMAIN
from .miot import MiotAuthError, MiotError, MiotTimeoutError

if TYPE_CHECKING:
    from . import MiotConfigEntry

# The API check gives up after this many seconds (the panel waits for it).
PING_TIMEOUT = 10.0

# Lines reserved for features being added beside the cloud, in the order they are shown:
# Xiaoai password sign-in (MiNA), the DuerOS account link, miio LAN devices reached.
FEATURE_KEYS = ("xiaoai_signin", "dueros_link", "lan_devices_reached")

NOT_PROVIDED = "-"


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback; "manage" opens the integration's page."""
    register.async_register_info(system_health_info, f"/config/integrations/integration/{DOMAIN}")


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """The panel's lines; the API check is a coroutine the panel shows as pending first."""
    entries: list[MiotConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    info: dict[str, Any] = {"accounts": len(entries)}
    if not entries:
        return info

    def each(value: Callable[[MiotConfigEntry], Any]) -> Any:
        if len(entries) == 1:
            return value(entries[0])
        return "; ".join(f"{entry.title}: {value(entry)}" for entry in entries)

    info["region"] = each(lambda entry: entry.data[CONF_REGION])
    info["api_endpoint_reachable"] = _async_check_api(entries)
    info["push"] = each(_push_state)
    info["push_last_message"] = each(_last_message_age)
    info["devices_online"] = each(_devices_online)
    info["last_error"] = each(_last_error)
    provided = [key for entry in entries for key in entry.runtime_data.coordinator.health_info]
    order = {key: index for index, key in enumerate(FEATURE_KEYS)}
    for key in sorted(set(provided), key=lambda key: (order.get(key, len(order)), key)):
        info[key] = each(partial(_feature_value, key=key))
    return info


async def _async_check_api(entries: list[MiotConfigEntry]) -> str | dict[str, str]:
    """Return "ok" when every account's API host answers an authenticated request."""
    errors = await asyncio.gather(*(_async_ping(entry) for entry in entries))
    if not any(errors):
        return "ok"
    if len(entries) == 1:
        error = str(errors[0])
    else:
        error = "; ".join(
            f"{entry.title}: {err or 'ok'}" for entry, err in zip(entries, errors, strict=True)
        )
    return {"type": "failed", "error": error}


async def _async_ping(entry: MiotConfigEntry) -> str | None:
    """None when the API answered, else why not."""
    try:
        async with asyncio.timeout(PING_TIMEOUT):
            await entry.runtime_data.coordinator.client.ping()
    except TimeoutError, MiotTimeoutError:
        return "timeout"
    except MiotAuthError:
        return "authentication failed"
    except MiotError:
        return "unreachable"
    return None


def _push_state(entry: MiotConfigEntry) -> str:
    coordinator = entry.runtime_data.coordinator
    if not coordinator.push_enabled:
        return "disabled"
    return "connected" if coordinator.stats.push_connected else "disconnected"


def _last_message_age(entry: MiotConfigEntry) -> int | str:
    """Seconds since the broker last delivered a message for this account."""
    push = entry.runtime_data.coordinator.push
    last = push.last_message_at if push is not None else None
    if last is None:
        return "never"
    return round(time.monotonic() - last)


def _devices_online(entry: MiotConfigEntry) -> str:
    devices = entry.runtime_data.coordinator.devices.values()
    return f"{sum(device.online for device in devices)}/{len(devices)}"


def _last_error(entry: MiotConfigEntry) -> str:
    errors = entry.runtime_data.coordinator.stats.recent_errors
    return errors[-1] if errors else "none"


def _feature_value(entry: MiotConfigEntry, key: str) -> Any:
    getter = entry.runtime_data.coordinator.health_info.get(key)
    return getter() if getter is not None else NOT_PROVIDED
