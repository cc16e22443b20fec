"""Notify entities: a Xiaoai speaker speaks the message (the spec's play-text action)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.notify import NotifyEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import PLAY_TEXT
from .coordinator import MiotCoordinator, signal_new_devices
from .entity import device_info
from .speaker import action_inputs, speaker_action

if TYPE_CHECKING:
    from . import MiotConfigEntry

PARALLEL_UPDATES = 0


class MiotSpeakerNotify(NotifyEntity):
    """Speaks messages on a Xiaoai speaker."""

    _attr_has_entity_name = True
    _attr_translation_key = "speak"
    _attr_should_poll = False

    def __init__(self, coordinator: MiotCoordinator, did: str) -> None:
        """One per speaker with a play-text action."""
        self.coordinator = coordinator
        self.did = did
        self._attr_unique_id = f"{did}_notify"
        self.device_entry = coordinator.registry_devices.get(did)
        if self.device_entry is None:
            self._attr_device_info = device_info(coordinator, did)

    @property
    def available(self) -> bool:
        """Available while the speaker is online."""
        return self.coordinator.is_available(self.did)

    async def async_added_to_hass(self) -> None:
        """Follow the speaker's availability."""
        self.async_on_remove(
            self.coordinator.async_add_listener(self.did, self.async_write_ha_state, ())
        )

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Speak the title (if any) and the message."""
        spec = self.coordinator.specs[self.did]
        action = speaker_action(spec, PLAY_TEXT)
        assert action is not None
        text = f"{title}. {message}" if title else message
        await self.coordinator.async_call_action(
            self.did, action.siid, action.iid, action_inputs(spec, action, text, False)
        )


def _speakers(coordinator: MiotCoordinator, dids: list[str]) -> list[MiotSpeakerNotify]:
    return [
        MiotSpeakerNotify(coordinator, did)
        for did in dids
        if did in coordinator.specs and speaker_action(coordinator.specs[did], PLAY_TEXT)
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """A notify entity for every speaker, now and when one is added later."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(_speakers(coordinator, list(coordinator.devices)))

    @callback
    def add_new(dids: list[str]) -> None:
        async_add_entities(_speakers(coordinator, dids))

    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_new_devices(entry.entry_id), add_new)
    )
