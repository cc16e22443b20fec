"""Buttons: spec actions without input that no other entity consumes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity
from homeassistant.const import EntityCategory, Platform

from .discovery import MiotSchema, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

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


async_setup_entry = platform_setup_entry(Platform.BUTTON, MiotButton)
