"""Which entities DuerOS sees, and the bridge's settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant

from .const import (
    CONF_BOT_ID,
    CONF_CLIENT_ID,
    CONF_EXCLUDE,
    CONF_EXPOSE_ASSIST,
    CONF_INCLUDE,
    CONF_REPORT_URL,
    DEFAULT_CLIENT_ID,
    DEFAULT_REPORT_URL,
    ERR_TARGET_OFFLINE,
    ERR_UNSUPPORTED_TARGET,
)
from .entities import DuerOSEntity, adapter_for
from .messages import DuerOSError

ASSIST: str = "conversation"


@dataclass(slots=True)
class DuerOSConfig:
    """The settings of a DuerOS bridge entry."""

    hass: HomeAssistant
    client_id: str = DEFAULT_CLIENT_ID
    bot_id: str = ""
    report_url: str = DEFAULT_REPORT_URL
    expose_assist: bool = True
    include: frozenset[str] = field(default_factory=frozenset)
    exclude: frozenset[str] = field(default_factory=frozenset)
    # Called with the openUid of a DuerOS user that discovered (kept for change reports).
    open_uid_seen: Callable[[str], None] = lambda _uid: None

    @classmethod
    def from_entry(
        cls, hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any]
    ) -> DuerOSConfig:
        return cls(
            hass=hass,
            client_id=str(data.get(CONF_CLIENT_ID, DEFAULT_CLIENT_ID)),
            bot_id=str(data.get(CONF_BOT_ID, "")),
            report_url=str(data.get(CONF_REPORT_URL, DEFAULT_REPORT_URL)).rstrip("/"),
            expose_assist=bool(options.get(CONF_EXPOSE_ASSIST, True)),
            include=frozenset(options.get(CONF_INCLUDE, [])),
            exclude=frozenset(options.get(CONF_EXCLUDE, [])),
        )

    def should_expose(self, entity_id: str) -> bool:
        """The user's choice: excluded, included, else what Assist sees (if that is on)."""
        if entity_id in self.exclude:
            return False
        if entity_id in self.include:
            return True
        return self.expose_assist and async_should_expose(self.hass, ASSIST, entity_id)

    def exposed(self) -> list[DuerOSEntity]:
        """Every exposed entity DuerOS has a type for, in entity id order."""
        found = []
        for state in sorted(self.hass.states.async_all(), key=lambda s: s.entity_id):
            if not self.should_expose(state.entity_id):
                continue
            if (adapter := adapter_for(self.hass, state)) is not None:
                found.append(adapter)
        return found

    def appliance(self, appliance_id: str) -> DuerOSEntity:
        """The adapter of a request's target, or the protocol's error."""
        state = self.hass.states.get(appliance_id)
        if state is None or not self.should_expose(appliance_id):
            raise DuerOSError(ERR_UNSUPPORTED_TARGET)
        adapter = adapter_for(self.hass, state)
        if adapter is None:
            raise DuerOSError(ERR_UNSUPPORTED_TARGET)
        if not adapter.available:
            raise DuerOSError(ERR_TARGET_OFFLINE)
        return adapter
