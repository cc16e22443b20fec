"""OAuth callback: Xiaomi redirects the user's browser here with `code` and `state`."""

from __future__ import annotations

from html import escape

from aiohttp import web
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .const import OAUTH_CALLBACK_PATH

DATA_PENDING_STATES: HassKey[dict[str, str]] = HassKey("miot_connect_oauth_states")
DATA_VIEW_REGISTERED: HassKey[bool] = HassKey("miot_connect_oauth_view")

_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>MIoT Connect</title></head>"
    "<body><p>{message}</p><script>window.close()</script></body></html>"
)


@callback
def async_register_state(hass: HomeAssistant, state: str, flow_id: str) -> None:
    """Remember which config flow waits for an authorization with this state."""
    if not hass.data.get(DATA_VIEW_REGISTERED):
        hass.http.register_view(MiotOAuthCallbackView())
        hass.data[DATA_VIEW_REGISTERED] = True
    hass.data.setdefault(DATA_PENDING_STATES, {})[state] = flow_id


@callback
def async_forget_flow(hass: HomeAssistant, flow_id: str) -> None:
    """Drop every pending state of a flow (the flow ended)."""
    pending = hass.data.get(DATA_PENDING_STATES, {})
    for state in [state for state, owner in pending.items() if owner == flow_id]:
        del pending[state]


class MiotOAuthCallbackView(HomeAssistantView):
    """Receive the authorization code and resume the waiting config flow."""

    requires_auth = False
    url = OAUTH_CALLBACK_PATH
    name = "api:miot_connect:oauth"

    async def get(self, request: web.Request) -> web.Response:
        """Hand the code to the flow that issued the state; each state works once."""
        hass = request.app[KEY_HASS]
        state = request.query.get("state", "")
        code = request.query.get("code", "")
        flow_id = hass.data.get(DATA_PENDING_STATES, {}).pop(state, None)
        if flow_id is None or not code:
            return self._page("This authorization link is invalid or was already used.", 400)
        await hass.config_entries.flow.async_configure(
            flow_id=flow_id, user_input={"code": code, "state": state}
        )
        return self._page("Authorization received. You can close this window.", 200)

    @staticmethod
    def _page(message: str, status: int) -> web.Response:
        return web.Response(
            status=status, content_type="text/html", text=_PAGE.format(message=escape(message))
        )
