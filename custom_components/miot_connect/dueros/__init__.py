"""DuerOS bridge: Xiaodu speakers control Home Assistant through a smart-home skill.

Shaped like Home Assistant's alexa integration: `messages` (envelope and errors), `entities`
(domain → appliance type, actions, attributes), `handlers` (request name → service call),
`smart_home` (token check and dispatch), `http` (the skill's service URL), `report`
(change reports and device sync pushed to DuerOS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_listen_entity_updates
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .config import ASSIST, DuerOSConfig
from .const import CONF_ENTRY_TYPE, CONF_OPEN_UIDS, ENTRY_TYPE_DUEROS
from .http import DATA_BRIDGE, DuerOSView
from .report import DuerOSReporter


@dataclass(slots=True)
class DuerOSBridge:
    """What a loaded DuerOS entry holds (in hass.data: one bridge per Home Assistant)."""

    entry: ConfigEntry
    config: DuerOSConfig
    reporter: DuerOSReporter
    options: dict[str, Any]


def is_dueros_entry(entry: ConfigEntry) -> bool:
    """True for the DuerOS bridge entry type, False for a Xiaomi account."""
    return entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_DUEROS


@callback
def async_setup_dueros(hass: HomeAssistant) -> None:
    """Register the skill endpoint when the integration loads (the router freezes once Home
    Assistant's server runs, and a bridge entry may be added later); without a bridge entry it
    answers 404."""
    hass.http.register_view(DuerOSView())


async def async_setup_dueros_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Start answering on the skill endpoint and start reporting."""
    config = DuerOSConfig.from_entry(hass, entry.data, entry.options)
    open_uids: list[str] = list(entry.data.get(CONF_OPEN_UIDS, []))

    def create_task(coro: Any, name: str) -> None:
        entry.async_create_background_task(hass, coro, name)

    reporter = DuerOSReporter(hass, config, async_get_clientsession(hass), open_uids, create_task)

    @callback
    def remember_open_uid(open_uid: str) -> None:
        if open_uid in open_uids:
            return
        open_uids.append(open_uid)
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_OPEN_UIDS: list(open_uids)}
        )

    config.open_uid_seen = remember_open_uid
    bridge = DuerOSBridge(entry, config, reporter, dict(entry.options))
    hass.data[DATA_BRIDGE] = bridge

    @callback
    def exposure_changed() -> None:
        create_task(reporter.async_device_sync(), "miot_connect dueros sync")

    entry.async_on_unload(reporter.async_start())
    entry.async_on_unload(async_listen_entity_updates(hass, ASSIST, exposure_changed))
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


async def _async_entry_updated(hass: HomeAssistant, entry: ConfigEntry) -> None:
    bridge: DuerOSBridge | None = hass.data.get(DATA_BRIDGE)
    if bridge is not None and dict(entry.options) != bridge.options:
        # The exposure changed: reload (new filter) and tell DuerOS to discover again.
        await hass.config_entries.async_reload(entry.entry_id)
        if (new := hass.data.get(DATA_BRIDGE)) is not None:
            await new.reporter.async_device_sync()


async def async_unload_dueros_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Stop serving (the view answers 404 without a bridge) and stop reporting."""
    hass.data.pop(DATA_BRIDGE, None)
    return True
