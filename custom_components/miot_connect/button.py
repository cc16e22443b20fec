"""Buttons: spec actions without input that no other entity consumes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .discovery import MiotSchema, register_schemas
from .entity import MiotEntity, async_setup_platform

if TYPE_CHECKING:
    from . import MiotConfigEntry

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.BUTTON,
        key="action",
        leftover=True,
        entity_category=EntityCategory.CONFIG,
        extra={"kind": "action"},
    ),
]
register_schemas(Platform.BUTTON, SCHEMAS)


class MiotButton(MiotEntity, ButtonEntity):
    """Runs one spec action."""

    async def async_press(self) -> None:
        """Call the action."""
        assert self.info.action is not None
        await self.async_run(self.info.action)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up buttons."""
    await async_setup_platform(hass, entry, async_add_entities, Platform.BUTTON, MiotButton)
