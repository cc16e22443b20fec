"""MIoT Connect: the Xiaomi MIoT cloud in Home Assistant."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import async_build_clients
from .const import CONF_EXCLUDED_DEVICES, CONF_TOKEN, DOMAIN
from .coordinator import MiotCoordinator
from .dueros import (
    async_setup_dueros_entry,
    async_unload_dueros_entry,
    dueros_health,
    is_dueros_entry,
)
from .entity import device_info
from .miot import OAuthToken
from .services import async_setup_services
from .speaker import async_setup_speaker_services
from .voice import async_setup_voice, async_suggest_area_aliases
from .xiaoai import XiaoaiListener, async_build_xiaoai

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.ALARM_CONTROL_PANEL,
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.COVER,
    Platform.DEVICE_TRACKER,
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
    Platform.SIREN,
    Platform.SWITCH,
    Platform.TEXT,
    Platform.TIME,
    Platform.VACUUM,
    Platform.VALVE,
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
    # Xiaoai listening, when the entry has a MiNA sign-in (xiaoai.py).
    xiaoai: XiaoaiListener | None = None


type MiotConfigEntry = ConfigEntry[MiotRuntimeData]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register what does not depend on an entry."""
    async_setup_services(hass)
    async_setup_speaker_services(hass)
    async_setup_voice(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MiotConfigEntry) -> bool:
    """Connect the account and create its entities."""
    if is_dueros_entry(entry):
        return await async_setup_dueros_entry(hass, entry)

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
        # The first read runs meanwhile; entities are created with its values.
        _async_register_devices(hass, entry, coordinator)
        _async_remove_moved_entities(hass, coordinator)
        async_suggest_area_aliases(hass, entry, coordinator)
        await coordinator.async_first_values()
    except BaseException:
        # Failed or cancelled (CancelledError is no Exception): stop push, its MQTT session,
        # the first read and the timers started so far, shielded from a second cancellation.
        await asyncio.shield(coordinator.async_shutdown())
        raise
    xiaoai = async_build_xiaoai(hass, entry, coordinator)
    entry.runtime_data = MiotRuntimeData(coordinator, dict(entry.options), xiaoai)
    # System health lines of the features that run beside the account.
    coordinator.health_info["xiaoai_signin"] = (
        xiaoai.health if xiaoai is not None else lambda: "not signed in"
    )
    coordinator.health_info["dueros_link"] = lambda: dueros_health(hass)

    async def _async_stop(_event: Event) -> None:
        await coordinator.async_shutdown()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop))
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if xiaoai is not None:
        xiaoai.async_start()
        entry.async_on_unload(xiaoai.async_stop)
    return True


def _async_register_devices(
    hass: HomeAssistant, entry: MiotConfigEntry, coordinator: MiotCoordinator
) -> None:
    """Create device entries parents first, so sub-devices can name their gateway; entities
    are then attached to these entries directly (entity.py)."""
    registry = dr.async_get(hass)
    for did in sorted(coordinator.devices, key=lambda d: coordinator.devices[d].is_sub_device):
        coordinator.registry_devices[did] = registry.async_get_or_create(
            config_entry_id=entry.entry_id, **device_info(coordinator, did)
        )
    # Devices the user left out (options) leave the registry with their entities.
    excluded = set(entry.options.get(CONF_EXCLUDED_DEVICES) or [])
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if any(domain == DOMAIN and did in excluded for domain, did in device.identifiers):
            registry.async_remove_device(device.id)


def _async_remove_moved_entities(hass: HomeAssistant, coordinator: MiotCoordinator) -> None:
    """Remove registry entries whose spec item is now exposed by another platform (the unique id
    stays `<did>_<siid>_<piid>`; a gateway's arming-mode select became its alarm panel) or is now
    a part of another entity (the gateway's alarm select, now the panel's triggered state), so
    that no orphaned entity is left behind."""
    entry = coordinator.entry
    platform_of: dict[str, str | None] = {}
    for did in coordinator.specs:
        if did not in coordinator.devices:
            continue
        infos = coordinator.entity_infos(did)
        for info in infos:
            platform_of[info.unique_id(did)] = str(info.platform)
        for info in infos:
            for prop in info.props.values():
                platform_of.setdefault(f"{did}_{prop.siid}_{prop.iid}", None)
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.unique_id not in platform_of:
            continue
        platform = platform_of[entity.unique_id]
        if platform != entity.domain:
            _LOGGER.debug("%s is now part of a %s entity", entity.entity_id, platform)
            registry.async_remove(entity.entity_id)


async def _async_options_updated(hass: HomeAssistant, entry: MiotConfigEntry) -> None:
    if dict(entry.options) != entry.runtime_data.options:
        await hass.config_entries.async_reload(entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MiotConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Let the user delete a device the cloud no longer lists (one still listed would come
    back at the next start: exclude it in the options instead)."""
    coordinator = entry.runtime_data.coordinator
    dids = [ident for domain, ident in device_entry.identifiers if domain == DOMAIN]
    if any(did in coordinator.devices and did not in coordinator.missing_since for did in dids):
        return False
    await coordinator.async_forget_devices(dids)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MiotConfigEntry) -> bool:
    """Stop push, timers and entities."""
    if is_dueros_entry(entry):
        return await async_unload_dueros_entry(hass, entry)
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.async_shutdown()
    return unloaded
