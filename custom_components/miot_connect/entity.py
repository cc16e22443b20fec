"""Base entity of MIoT Connect and the shared platform setup."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .coordinator import MiotCoordinator, signal_new_devices
from .discovery import MiotEntityInfo
from .miot.spec import SpecAction, SpecProperty
from .voice import async_suggest_entity_aliases, voice_aliases_enabled

if TYPE_CHECKING:
    from . import MiotConfigEntry

_LOGGER = logging.getLogger(__name__)

# Model prefix (vendor) → manufacturer shown in the device registry.
MANUFACTURERS: dict[str, str] = {
    "xiaomi": "Xiaomi",
    "mijia": "Xiaomi",
    "miaomiaoce": "Xiaomi",
    "yeelink": "Yeelight",
    "yeelight": "Yeelight",
    "zhimi": "Smartmi",
    "dmaker": "Dreame/Xiaomi",
    "lumi": "Aqara",
    "chuangmi": "Chuangmi",
    "cuco": "Gosund",
    "philips": "Philips (Xiaomi)",
    "roborock": "Roborock",
    "rockrobo": "Roborock",
    "dreame": "Dreame",
    "viomi": "Viomi",
    "deerma": "Deerma",
    "cgllc": "Qingping",
    "chunmi": "Chunmi",
    "isa": "Xiaomi (Chuangmi)",
    "leshow": "Leshow",
    "careli": "Careli",
    "ijai": "Xiaomi (iJai)",
    "roidmi": "Roidmi",
    "hanyi": "Hanyi",
}


def manufacturer(model: str) -> str:
    """Manufacturer from the model prefix (`yeelink.light.ceila` → `Yeelight`)."""
    prefix = model.split(".", 1)[0].strip().lower()
    if not prefix or prefix.isdigit():
        # Vendors registered only by number (`090615.switch.mesw2`) sell as Mi Home devices.
        return "Xiaomi"
    return MANUFACTURERS.get(prefix, prefix.capitalize())


def device_info(coordinator: MiotCoordinator, did: str) -> DeviceInfo:
    """Device registry entry of a device (one shared dict for all its entities, made again
    when the device list is read again)."""
    cache: dict[str, DeviceInfo] = coordinator.device_info_cache
    if (info := cache.get(did)) is not None:
        return info
    info = _device_info(coordinator, did)
    parent = coordinator.devices[did].parent_id
    if "via_device_id" in info or not parent or parent not in coordinator.devices:
        cache[did] = info  # complete (a gateway not registered yet is looked up again)
    return info


def _device_info(coordinator: MiotCoordinator, did: str) -> DeviceInfo:
    device = coordinator.devices[did]
    info = DeviceInfo(
        identifiers={(DOMAIN, did)},
        name=device.name,
        manufacturer=manufacturer(device.model),
        model=device.model,
    )
    if device.fw_version:
        info["sw_version"] = device.fw_version
    if (
        coordinator.sync_areas
        and device.room_id
        and (room := coordinator.room_names.get(device.room_id))
    ):
        info["suggested_area"] = room
    if (
        device.parent_id
        and device.parent_id in coordinator.devices
        and (
            gateway := dr.async_get(coordinator.hass).async_get_device_by_identifier(
                (DOMAIN, device.parent_id), coordinator.entry.entry_id
            )
        )
    ):
        info["via_device_id"] = gateway.id
    return info


class Writes(dict[tuple[int, int], Any]):
    """Property values to write together, keyed by (siid, piid)."""

    @classmethod
    def of(cls, prop: SpecProperty, value: Any) -> Writes:
        """One value."""
        writes = cls()
        writes.put(prop, value)
        return writes

    def put(self, prop: SpecProperty, value: Any) -> None:
        """Add a value."""
        self[(prop.siid, prop.iid)] = value


class MiotEntity(Entity):
    """An entity backed by spec items of one device; state is pushed by the coordinator."""

    _attr_should_poll = False
    _attr_has_entity_name = True

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Name, ids and registry options come from the discovery info."""
        self.coordinator = coordinator
        self.did = did
        self.info = info
        self._attr_unique_id = info.unique_id(did)
        # The registry entry made at setup when there is one (Home Assistant then skips a
        # device registry update per entity), else the device info.
        self.device_entry = coordinator.registry_devices.get(did)
        if self.device_entry is None:
            self._attr_device_info = device_info(coordinator, did)
        lang = coordinator.language
        self.lang = lang
        if info.translation_key is not None:
            self._attr_translation_key = info.translation_key
        else:
            self._attr_name = info.name(lang)
        self._attr_entity_category = info.entity_category
        self._attr_entity_registry_enabled_default = coordinator.enabled_by_default(did, info)

    @property
    def available(self) -> bool:
        """Online and known to the coordinator."""
        return self.coordinator.is_available(self.did)

    async def async_added_to_hass(self) -> None:
        """Follow pushed values."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_listener(
                self.did,
                self.async_write_ha_state,
                [(prop.siid, prop.iid) for prop in self.info.props.values()],
            )
        )
        if self.info.main and voice_aliases_enabled(self.coordinator.entry):
            async_suggest_entity_aliases(self.hass, self.coordinator, self.did, self.entity_id)

    # --------------------------------------------------------- value access
    def value_of(self, prop: SpecProperty | None) -> Any:
        """Current value of a property (None: unknown or no such property)."""
        if prop is None:
            return None
        return self.coordinator.value(self.did, prop.siid, prop.iid)

    def role_value(self, role: str) -> Any:
        """Current value of the property of a role."""
        return self.value_of(self.info.prop(role))

    def number_of(self, prop: SpecProperty | None) -> float | None:
        """Current value of a numeric property (None when unknown or not a number)."""
        value = self.value_of(prop)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return None

    async def async_write(self, prop: SpecProperty, value: Any) -> None:
        """Write one property through the coordinator."""
        await self.coordinator.async_set_property(self.did, prop.siid, prop.iid, value)

    async def async_write_many(self, values: Writes) -> None:
        """Write several properties in one request."""
        await self.coordinator.async_set_properties(self.did, dict(values))

    async def async_run(self, action: SpecAction, in_values: list[Any] | None = None) -> list[Any]:
        """Run a spec action through the coordinator."""
        return await self.coordinator.async_call_action(
            self.did, action.siid, action.iid, in_values or []
        )


type EntityFactory = Callable[[MiotCoordinator, str, MiotEntityInfo], Entity | None]


def build_entities(
    coordinator: MiotCoordinator,
    dids: Iterable[str],
    platform: Platform,
    factory: EntityFactory,
) -> list[Entity]:
    """Entities of one platform for these devices; a bad spec item is skipped with a debug log."""
    entities: list[Entity] = []
    for did in dids:
        for info in coordinator.entity_infos(did):
            if info.platform != platform:
                continue
            try:
                entity = factory(coordinator, did, info)
            except Exception:
                _LOGGER.debug(
                    "Skipping %s of %s (%s)",
                    info.key,
                    did,
                    coordinator.devices[did].model,
                    exc_info=True,
                )
                continue
            if entity is not None:
                entities.append(entity)
    return entities


async def async_setup_platform(
    hass: HomeAssistant,
    entry: MiotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform: Platform,
    factory: EntityFactory,
) -> None:
    """Add entities for current devices and for devices that appear later."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(build_entities(coordinator, list(coordinator.devices), platform, factory))

    @callback
    def add_new(dids: list[str]) -> None:
        async_add_entities(build_entities(coordinator, dids, platform, factory))

    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_new_devices(entry.entry_id), add_new)
    )


def platform_setup_entry(
    platform: Platform, factory: EntityFactory
) -> Callable[[HomeAssistant, MiotConfigEntry, AddConfigEntryEntitiesCallback], Awaitable[None]]:
    """A platform module's `async_setup_entry`: its entities from every device's discovery."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: MiotConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        await async_setup_platform(hass, entry, async_add_entities, platform, factory)

    return async_setup_entry
