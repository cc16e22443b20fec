"""Selects: writable value-list properties no other entity consumes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory, Platform

from .coordinator import MiotCoordinator
from .discovery import MiotEntityInfo, MiotSchema, PropertyNeed, register_schemas, value_labels
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.SELECT,
        key="mode",
        per_property=True,
        leftover=True,
        properties=(PropertyNeed("value", ("mode",), writable=True, value_list=True),),
    ),
    MiotSchema(
        platform=Platform.SELECT,
        key="leftover_select",
        per_property=True,
        leftover=True,
        properties=(PropertyNeed("value", (), writable=True, value_list=True),),
        entity_category=EntityCategory.CONFIG,
        check=lambda _spec, _service, prop: prop is not None and prop.format != "bool",
    ),
]
register_schemas(Platform.SELECT, SCHEMAS)


class MiotSelect(MiotEntity, SelectEntity):
    """A writable enumeration; options are the spec's value-list labels in Home Assistant's
    language."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Options from the value-list."""
        super().__init__(coordinator, did, info)
        self._prop = info.props["value"]
        pairs = value_labels(self._prop, self.lang)
        self._labels: dict[Any, str] = dict(pairs)
        self._values: dict[str, Any] = {label: value for value, label in pairs}
        self._attr_options = [label for _, label in pairs]

    @property
    def current_option(self) -> str | None:
        """Label of the current value."""
        return self._labels.get(self.value_of(self._prop))

    async def async_select_option(self, option: str) -> None:
        """Write the value of the option."""
        await self.async_write(self._prop, self._values[option])


async_setup_entry = platform_setup_entry(Platform.SELECT, MiotSelect)
