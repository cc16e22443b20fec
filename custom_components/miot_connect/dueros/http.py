"""The skill's service URL: DuerOS POSTs every directive here with the token in the body."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import SERVICE_PATH
from .smart_home import async_handle_message

if TYPE_CHECKING:
    from . import DuerOSBridge

DATA_BRIDGE = "miot_connect_dueros"


class DuerOSView(HomeAssistantView):
    """POST /api/miot_connect/dueros (no header auth: the token is in the payload)."""

    url = SERVICE_PATH
    name = "api:miot_connect:dueros"
    requires_auth = False

    async def post(self, request: web.Request) -> web.Response:
        hass = request.app[KEY_HASS]
        bridge: DuerOSBridge | None = hass.data.get(DATA_BRIDGE)
        if bridge is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        try:
            body = await request.json()
        except ValueError:
            body = None
        return self.json(await async_handle_message(hass, bridge.config, body))
