"""MIoT Connect: the Xiaomi MIoT cloud in Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import async_build_clients
from .const import CONF_TOKEN, DOMAIN
from .coordinator import MiotCoordinator
from .miot import OAuthToken

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = []

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


@dataclass(slots=True)
class MiotRuntimeData:
    """What a loaded entry holds."""

    coordinator: MiotCoordinator


type MiotConfigEntry = ConfigEntry[MiotRuntimeData]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register what does not depend on an entry."""
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
    entry.runtime_data = MiotRuntimeData(coordinator)

    async def _async_stop(_event: Event) -> None:
        await coordinator.async_shutdown()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop))
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _async_options_updated(hass: HomeAssistant, entry: MiotConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: MiotConfigEntry) -> bool:
    """Stop push, timers and entities."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.async_shutdown()
    return unloaded
