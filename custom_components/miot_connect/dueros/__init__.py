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

from ..const import DOMAIN
from .config import ASSIST, DuerOSConfig
from .const import CONF_ENTRY_TYPE, CONF_OPEN_UIDS, ENTRY_TYPE_DUEROS
from .http import DuerOSView, loaded_bridge
from .report import DuerOSReporter

DATA_VIEW = "miot_connect_dueros_view"


@dataclass(slots=True)
class DuerOSBridge:
    """What a loaded DuerOS entry holds (its runtime data; one bridge per Home Assistant)."""

    entry: ConfigEntry
    config: DuerOSConfig
    reporter: DuerOSReporter
    options: dict[str, Any]


def is_dueros_entry(entry: ConfigEntry) -> bool:
    """True for the DuerOS bridge entry type, False for a Xiaomi account."""
    return entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_DUEROS


async def async_setup_dueros_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Serve the skill endpoint and start reporting. The view is registered once, here and not
    when the integration loads: Home Assistant's router accepts routes after start (it never
    freezes), and a view registered before any bridge exists would only answer 404."""
    if not hass.data.get(DATA_VIEW):
        hass.http.register_view(DuerOSView())
        hass.data[DATA_VIEW] = True
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
    entry.runtime_data = DuerOSBridge(entry, config, reporter, dict(entry.options))

    @callback
    def exposure_changed() -> None:
        create_task(reporter.async_device_sync(), "miot_connect dueros sync")

    entry.async_on_unload(reporter.async_start())
    entry.async_on_unload(async_listen_entity_updates(hass, ASSIST, exposure_changed))
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


async def _async_entry_updated(hass: HomeAssistant, entry: ConfigEntry) -> None:
    bridge = loaded_bridge(hass)
    if bridge is not None and dict(entry.options) != bridge.options:
        # The exposure changed: reload (new filter) and tell DuerOS to discover again.
        await hass.config_entries.async_reload(entry.entry_id)
        if (new := loaded_bridge(hass)) is not None:
            await new.reporter.async_device_sync()


async def async_unload_dueros_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Stop serving (the view answers 404 without a loaded bridge) and stop reporting (the
    listeners and background tasks end with the entry)."""
    return True


def dueros_health(hass: HomeAssistant) -> str:
    """The system health line: whether a bridge is set up and how many DuerOS users linked it."""
    entries = [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if is_dueros_entry(entry)
    ]
    if not entries:
        return "not set up"
    linked = sum(len(entry.data.get(CONF_OPEN_UIDS, [])) for entry in entries)
    return f"{linked} linked" if linked else "not linked yet"


def dueros_diagnostics(entry: ConfigEntry) -> dict[str, Any]:
    """Diagnostics of the bridge entry (the DuerOS users' open ids are redacted)."""
    bridge: DuerOSBridge = entry.runtime_data
    data = {**entry.data, CONF_OPEN_UIDS: len(entry.data.get(CONF_OPEN_UIDS, []))}
    return {
        "entry": {"data": data, "options": dict(entry.options)},
        "exposed": [entity.entity_id for entity in bridge.config.exposed()],
        "pushes": {"sent": bridge.reporter.sent, "failed": bridge.reporter.failed},
    }
