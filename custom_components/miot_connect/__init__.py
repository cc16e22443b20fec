"""MIoT Connect: the Xiaomi MIoT cloud in Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import async_build_clients
from .const import CONF_EXCLUDED_DEVICES, CONF_TOKEN, DOMAIN
from .coordinator import MiotCoordinator
from .entity import device_info
from .miot import OAuthToken
from .services import async_setup_services
from .speaker import async_setup_speaker_services
from .voice import async_setup_voice, async_suggest_area_aliases

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.COVER,
    Platform.EVENT,
    Platform.FAN,
    Platform.HUMIDIFIER,
    Platform.LIGHT,
    Platform.LOCK,
    Platform.MEDIA_PLAYER,
    Platform.NOTIFY,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.VACUUM,
    Platform.WATER_HEATER,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


@dataclass(slots=True)
class MiotRuntimeData:
    """What a loaded entry holds."""

    coordinator: MiotCoordinator
    # The options the entry was set up with: only a change of these reloads it (the data
    # changes too, when a refreshed token is saved, and that must not reload).
    options: dict[str, Any]


type MiotConfigEntry = ConfigEntry[MiotRuntimeData]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register what does not depend on an entry."""
    async_setup_services(hass)
    async_setup_speaker_services(hass)
    async_setup_voice(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MiotConfigEntry) -> bool:
    """Connect the account and create its entities."""

    def save_token(token: OAuthToken) -> None:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_TOKEN: token.to_dict()}
        )

    client, specs, push = await async_build_clients(
        hass, async_get_clientsession(hass), dict(entry.data), save_token
    )
    coordinator = MiotCoordinator(hass, entry, client, specs, push)
    try:
        await coordinator.async_setup()
    except Exception:
        await coordinator.async_shutdown()
        raise
    entry.runtime_data = MiotRuntimeData(coordinator, dict(entry.options))

    async def _async_stop(_event: Event) -> None:
        await coordinator.async_shutdown()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop))
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    _async_register_devices(hass, entry)
    async_suggest_area_aliases(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def _async_register_devices(hass: HomeAssistant, entry: MiotConfigEntry) -> None:
    """Create device entries parents first, so sub-devices can name their gateway."""
    coordinator = entry.runtime_data.coordinator
    registry = dr.async_get(hass)
    for did in sorted(coordinator.devices, key=lambda d: coordinator.devices[d].is_sub_device):
        registry.async_get_or_create(
            config_entry_id=entry.entry_id, **device_info(coordinator, did)
        )
    # Devices the user left out (options) leave the registry with their entities.
    excluded = set(entry.options.get(CONF_EXCLUDED_DEVICES) or [])
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if any(domain == DOMAIN and did in excluded for domain, did in device.identifiers):
            registry.async_remove_device(device.id)


async def _async_options_updated(hass: HomeAssistant, entry: MiotConfigEntry) -> None:
    if dict(entry.options) != entry.runtime_data.options:
        await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: MiotConfigEntry) -> bool:
    """Stop push, timers and entities."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.async_shutdown()
    return unloaded
