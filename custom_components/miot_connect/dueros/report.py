"""Pushes to DuerOS: ChangeReportRequest when an exposed entity's attribute changes, and a
device sync when the set of exposed entities changes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
import logging
from typing import Any

import aiohttp
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback

from .config import DuerOSConfig
from .const import CHANGE_REPORT_PATH, DEVICE_SYNC_PATH, NAMESPACE_CONTROL, NAMESPACE_DISCOVERY
from .entities import adapter_for
from .messages import build_message

_LOGGER = logging.getLogger(__name__)
_SKIP = {"name"}


def _values(attributes: list[dict[str, Any]]) -> dict[str, Any]:
    return {a["name"]: a["value"] for a in attributes if a["name"] not in _SKIP}


class DuerOSReporter:
    """Sends change reports and device syncs for every linked DuerOS user (open uid)."""

    def __init__(
        self,
        hass: HomeAssistant,
        config: DuerOSConfig,
        session: aiohttp.ClientSession,
        open_uids: list[str],
        create_task: Callable[[Coroutine[Any, Any, None], str], Any],
    ) -> None:
        self._create_task = create_task
        self.hass = hass
        self.config = config
        self.session = session
        self.open_uids = open_uids
        self.sent = 0
        self.failed = 0

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen for state changes; returns the unsubscribe."""
        return self.hass.bus.async_listen(EVENT_STATE_CHANGED, self._state_changed)

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        if not self.open_uids:
            return
        new, old = event.data["new_state"], event.data["old_state"]
        if new is None or not self.config.should_expose(new.entity_id):
            return
        adapter = adapter_for(self.hass, new)
        if adapter is None:
            return
        now = _values(adapter.attributes())
        before: dict[str, Any] = {}
        if old is not None and (old_adapter := adapter_for(self.hass, old)) is not None:
            before = _values(old_adapter.attributes())
        changed = [name for name, value in now.items() if before.get(name) != value]
        for name in changed:
            self._create_task(
                self.async_change_report(new.entity_id, name), "miot_connect dueros report"
            )

    def _payload(self, open_uid: str, **extra: Any) -> dict[str, Any]:
        return {"botId": self.config.bot_id, "openUid": open_uid, **extra}

    async def async_change_report(self, appliance_id: str, attribute_name: str) -> None:
        """ChangeReportRequest: DuerOS answers with a ReportStateRequest to the skill."""
        for open_uid in list(self.open_uids):
            payload = self._payload(
                open_uid, appliance={"applianceId": appliance_id, "attributeName": attribute_name}
            )
            await self._post(
                CHANGE_REPORT_PATH,
                build_message(NAMESPACE_CONTROL, "ChangeReportRequest", payload, "1"),
            )

    async def async_device_sync(self) -> None:
        """Tell DuerOS the user's device set changed (it then discovers again)."""
        for open_uid in list(self.open_uids):
            await self._post(
                DEVICE_SYNC_PATH,
                build_message(
                    NAMESPACE_DISCOVERY, "DeviceSyncRequest", self._payload(open_uid), "1"
                ),
            )

    async def _post(self, path: str, message: dict[str, Any]) -> None:
        try:
            async with self.session.post(
                self.config.report_url + path, json=message, timeout=aiohttp.ClientTimeout(total=10)
            ) as resp:
                resp.raise_for_status()
                self.sent += 1
        except (aiohttp.ClientError, TimeoutError) as err:
            self.failed += 1
            _LOGGER.warning("DuerOS push to %s failed: %s", path, err)
