"""Local control of an entry: the LAN client, the local-first router and the LAN address book.

Wi-Fi devices answer the miio protocol on UDP port 54321 at the `local_ip` the cloud lists, with
the device token the cloud lists. The router (`miot.router`) sends reads, writes and actions there
first and falls back to the cloud (mode `auto`), or keeps a device on one path (`local`, `cloud`).
Push stays on the cloud's MQTT: miio devices do not push on the LAN.

A twin of the LAN (the simulator) answers on 127.0.0.1 with one port per device; the optional
`lan_directory` endpoint override names a JSON document (the simulator's `/_sim/lan`) mapping each
did to its host and port. The real service needs no such override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
import logging
from typing import Any, Final

import aiohttp
from homeassistant.core import HomeAssistant

from .const import (
    CONF_CA_FILE,
    CONF_LAN_CLOUD_DEVICES,
    CONF_LAN_DIRECTORY,
    CONF_LAN_LOCAL_DEVICES,
    CONF_LAN_MODE,
    SECTION_LOCAL_CONTROL,
)
from .miot import (
    LAN_MODES,
    Device,
    LanMode,
    MiotDeviceApi,
    MiotDeviceRouter,
    MiotLanClient,
    PropertyResult,
    async_ssl_context,
)

_LOGGER = logging.getLogger(__name__)
DEFAULT_LAN_MODE: Final[LanMode] = "auto"


def lan_settings(options: Mapping[str, Any]) -> tuple[LanMode, dict[str, LanMode]]:
    """The entry's mode and the per-device modes from its options."""
    section: Mapping[str, Any] = options.get(SECTION_LOCAL_CONTROL) or {}
    mode = section.get(CONF_LAN_MODE, DEFAULT_LAN_MODE)
    if mode not in LAN_MODES:
        mode = DEFAULT_LAN_MODE
    modes: dict[str, LanMode] = {}
    for did in section.get(CONF_LAN_CLOUD_DEVICES) or []:
        modes[str(did)] = "cloud"
    for did in section.get(CONF_LAN_LOCAL_DEVICES) or []:
        modes[str(did)] = "local"
    return mode, modes


class LocalControl:
    """The LAN client and the router of one entry; `router` is what the coordinator calls."""

    def __init__(
        self,
        hass: HomeAssistant,
        data: Mapping[str, Any],
        options: Mapping[str, Any],
        cloud: MiotDeviceApi,
        session: aiohttp.ClientSession,
        *,
        on_values: Callable[[list[PropertyResult]], None],
        on_token_error: Callable[[str], None],
    ) -> None:
        """Nothing is opened before `async_sync`."""
        self.hass = hass
        self.data = data
        self.session = session
        mode, modes = lan_settings(options)
        self.lan: MiotLanClient | None = None
        self.router = MiotDeviceRouter(
            cloud, None, mode=mode, modes=modes, on_values=on_values, on_token_error=on_token_error
        )
        self.lan_dids: list[str] = []

    @property
    def enabled(self) -> bool:
        """Whether any device may use the LAN."""
        return self.router.mode != "cloud" or any(
            mode != "cloud" for mode in self.router.modes.values()
        )

    async def async_sync(self, devices: Iterable[Device]) -> None:
        """Take the LAN devices of the device list (tokens and addresses may have changed)."""
        if not self.enabled:
            return
        if self.lan is None:
            self.lan = MiotLanClient()
            self.router.lan = self.lan
        addresses = await self._async_directory()
        self.lan_dids = await self.lan.sync_devices(devices, addresses)

    async def _async_directory(self) -> dict[str, tuple[str, int]] | None:
        """Host and port per did from the `lan_directory` override (a twin's), if set."""
        url = self.data.get(CONF_LAN_DIRECTORY)
        if not url:
            return None
        try:
            ssl = await async_ssl_context(self.data.get(CONF_CA_FILE))
            async with self.session.get(
                str(url), ssl=ssl if ssl is not None else True, timeout=aiohttp.ClientTimeout(10)
            ) as resp:
                resp.raise_for_status()
                document = await resp.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            _LOGGER.warning("Cannot read the LAN address list at %s: %s", url, err)
            return None
        devices = document.get("devices") if isinstance(document, dict) else None
        addresses: dict[str, tuple[str, int]] = {}
        for did, entry in (devices or {}).items():
            if isinstance(entry, dict) and entry.get("host") and entry.get("port"):
                addresses[str(did)] = (str(entry["host"]), int(entry["port"]))
        return addresses

    def health(self) -> str:
        """`reached/LAN devices` for the system health panel."""
        return f"{len(self.router.stats.lan_reached)}/{len(self.lan_dids)}"

    def diagnostics(self) -> dict[str, Any]:
        """Mode, counts and which devices are LAN devices (no tokens, no addresses)."""
        return {
            "mode": self.router.mode,
            "device_modes": dict(self.router.modes),
            "lan_devices": sorted(self.lan_dids),
            "routes": {did: self.router.route(did) for did in sorted(self.lan_dids)},
            **self.router.stats.as_dict(),
        }

    async def async_close(self) -> None:
        """End re-reads and close every LAN endpoint."""
        await self.router.close()
        if self.lan is not None:
            lan, self.lan = self.lan, None
            self.router.lan = None
            await lan.close()
