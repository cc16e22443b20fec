"""Events: every spec event is an event entity; its event type is the event's short name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.event import EventEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MiotCoordinator, MiotEventData
from .discovery import MiotEntityInfo, MiotSchema, register_schemas
from .entity import MiotEntity, async_setup_platform
from .xiaoai import async_add_xiaoai_entities

if TYPE_CHECKING:
    from . import MiotConfigEntry

# Services whose events are what the device is for (enabled by default); others start disabled.
PRIMARY_EVENT_SERVICES = (
    "motion-sensor",
    "magnet-sensor",
    "video-doorbell",
    "remote-button",
    "button",
    "switch-sensor",
    "wireless-switch",
)

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.EVENT,
        key="event",
        services=PRIMARY_EVENT_SERVICES,
        extra={"kind": "event"},
    ),
    MiotSchema(
        platform=Platform.EVENT,
        key="other_event",
        leftover=True,
        enabled_default=False,
        extra={"kind": "event"},
    ),
]
register_schemas(Platform.EVENT, SCHEMAS)


class MiotEvent(MiotEntity, EventEntity):
    """Fires when the cloud pushes the spec event; arguments become event attributes."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """One event type: the spec event's short name."""
        super().__init__(coordinator, did, info)
        assert info.event is not None
        self._event = info.event
        self._attr_event_types = [info.event.name]

    async def async_added_to_hass(self) -> None:
        """Listen to the device's events too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_event_listener(self.did, self._handle_event)
        )

    @callback
    def _handle_event(self, data: MiotEventData) -> None:
        if data.siid != self._event.siid or data.eiid != self._event.iid:
            return
        service = self.info.service
        attributes: dict[str, Any] = {}
        for piid, value in data.arguments.items():
            prop = service.property(piid)
            attributes[prop.name if prop is not None else str(piid)] = value
        self._trigger_event(self._event.name, attributes)
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up event entities."""
    await async_setup_platform(hass, entry, async_add_entities, Platform.EVENT, MiotEvent)
    async_add_xiaoai_entities(entry.runtime_data.xiaoai, async_add_entities)
