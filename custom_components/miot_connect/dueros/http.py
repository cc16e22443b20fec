"""The skill's service URL: DuerOS POSTs every directive here with the token in the body."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, cast

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from ..const import DOMAIN
from .const import CONF_ENTRY_TYPE, ENTRY_TYPE_DUEROS, SERVICE_PATH
from .smart_home import async_handle_message

if TYPE_CHECKING:
    from . import DuerOSBridge


def loaded_bridge(hass: HomeAssistant) -> DuerOSBridge | None:
    """The runtime data of the loaded bridge entry (None: not set up)."""
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_DUEROS:
            return cast("DuerOSBridge", entry.runtime_data)
    return None


class DuerOSView(HomeAssistantView):
    """POST /api/miot_connect/dueros (no header auth: the token is in the payload)."""

    url = SERVICE_PATH
    name = "api:miot_connect:dueros"
    requires_auth = False

    async def post(self, request: web.Request) -> web.Response:
        hass = request.app[KEY_HASS]
        bridge = loaded_bridge(hass)
        if bridge is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        try:
            body = await request.json()
        except ValueError:
            body = None
        return self.json(await async_handle_message(hass, bridge.config, body))
