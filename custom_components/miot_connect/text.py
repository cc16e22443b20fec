"""Texts: names a user sets on the device (a vacuum's map name, a fryer's recipe name).

Other writable strings of the specs are encoded settings (timers, voice packs, zone lists as
JSON) and stay unexposed: typing them by hand is no way to set them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.text import TextEntity, TextMode
from homeassistant.const import MAX_LENGTH_STATE_STATE, EntityCategory, Platform

from .discovery import MiotSchema, PropertyNeed, register_schemas
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

# Writes go through the coordinator's batched cloud client.
PARALLEL_UPDATES = 0


def _name(key: str, prop_name: str) -> MiotSchema:
    return MiotSchema(
        platform=Platform.TEXT,
        key=key,
        translation_key=key,
        per_property=True,
        properties=(
            PropertyNeed(
                "value", (prop_name,), writable=True, readable=True, formats=frozenset({"string"})
            ),
        ),
        entity_category=EntityCategory.CONFIG,
    )


SCHEMAS: list[MiotSchema] = [_name("map_name", "map-name"), _name("recipe_name", "recipe-name")]
register_schemas(Platform.TEXT, SCHEMAS)


class MiotText(MiotEntity, TextEntity):
    """A writable string property."""

    _attr_mode = TextMode.TEXT
    _attr_native_max = MAX_LENGTH_STATE_STATE

    @property
    def native_value(self) -> str | None:
        """Current text."""
        value = self.role_value("value")
        return None if value is None else str(value)

    async def async_set_value(self, value: str) -> None:
        """Write the text."""
        await self.async_write(self.info.props["value"], value)


async_setup_entry = platform_setup_entry(Platform.TEXT, MiotText)
