"""OAuth sign-in states and the callback view Xiaomi redirects the user's browser to.

Every sign-in link carries a fresh random `state`. A state belongs to the config flow that made
it, works once and expires after `STATE_TTL`. The callback view checks the state and hands the code
to its flow; when the browser cannot reach the callback, the user pastes the address into the flow
instead, and the flow checks the same state (`async_take_state`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from html import escape

from aiohttp import web
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import OAUTH_CALLBACK_PATH
from .miot import new_oauth_state

STATE_TTL = timedelta(minutes=10)


@dataclass(slots=True)
class _Pending:
    flow_id: str
    expires: datetime


@dataclass(slots=True)
class _OAuthData:
    pending: dict[str, _Pending]
    received: dict[str, tuple[str, str]]
    """flow id → (code, state) delivered by the callback view, until the flow uses it."""


DATA_OAUTH: HassKey[_OAuthData] = HassKey("miot_connect_oauth")
DATA_VIEW_REGISTERED: HassKey[bool] = HassKey("miot_connect_oauth_view")


class StateCheck(StrEnum):
    """Outcome of presenting a state."""

    OK = "ok"
    UNKNOWN = "unknown"
    """Never issued, already used, or made by another flow."""
    EXPIRED = "expired"


_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width'><title>MIoT Connect</title></head>"
    "<body style='font-family: sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em'>"
    "<h1>MIoT Connect</h1><p lang='en'>{message}</p><p lang='zh-Hans'>{chinese}</p></body></html>"
)
_NO_CODE = (
    "Xiaomi did not send a sign-in code (the sign-in was cancelled or refused). "
    "Go back to Home Assistant and use the sign-in link again.",
    "小米没有返回登录 code（登录已取消或被拒绝）。请回到 Home Assistant 重新使用登录链接。",
)
_EXPIRED = (
    "This sign-in link has expired. Go back to Home Assistant and use the new link.",
    "此登录链接已过期。请回到 Home Assistant 使用新的链接。",
)
_INVALID = (
    "This sign-in link is invalid or was already used.",
    "此登录链接无效或已被使用。",
)
_SIGNED_IN = (
    "Signed in. Go back to Home Assistant and select Submit to continue. You can close this tab.",
    "已登录。请回到 Home Assistant 选择“提交”继续。可以关闭此标签页。",
)


def _data(hass: HomeAssistant) -> _OAuthData:
    if (data := hass.data.get(DATA_OAUTH)) is None:
        data = hass.data[DATA_OAUTH] = _OAuthData(pending={}, received={})
    return data


@callback
def async_new_state(hass: HomeAssistant, flow_id: str) -> str:
    """A new single-use state for this flow."""
    if not hass.data.get(DATA_VIEW_REGISTERED):
        hass.http.register_view(MiotOAuthCallbackView())
        hass.data[DATA_VIEW_REGISTERED] = True
    data = _data(hass)
    _drop_expired(data)
    state = new_oauth_state()
    data.pending[state] = _Pending(flow_id, dt_util.utcnow() + STATE_TTL)
    return state


@callback
def async_take_state(hass: HomeAssistant, state: str, flow_id: str | None = None) -> StateCheck:
    """Use up `state` if it is pending (and, with `flow_id`, belongs to that flow)."""
    data = _data(hass)
    item = data.pending.get(state)
    if item is None or (flow_id is not None and item.flow_id != flow_id):
        return StateCheck.UNKNOWN
    del data.pending[state]
    if item.expires <= dt_util.utcnow():
        return StateCheck.EXPIRED
    return StateCheck.OK


@callback
def async_pop_received(hass: HomeAssistant, flow_id: str) -> tuple[str, str] | None:
    """The (code, state) the callback view received for this flow, once."""
    return _data(hass).received.pop(flow_id, None)


@callback
def async_forget_flow(hass: HomeAssistant, flow_id: str) -> None:
    """Drop the pending states and any received code of a flow (the flow ended)."""
    data = _data(hass)
    for state in [state for state, item in data.pending.items() if item.flow_id == flow_id]:
        del data.pending[state]
    data.received.pop(flow_id, None)


def _drop_expired(data: _OAuthData) -> None:
    now = dt_util.utcnow()
    for state in [state for state, item in data.pending.items() if item.expires <= now]:
        del data.pending[state]


class MiotOAuthCallbackView(HomeAssistantView):
    """Receive the authorization code and keep it for the waiting config flow."""

    requires_auth = False
    url = OAUTH_CALLBACK_PATH
    name = "api:miot_connect:oauth"

    async def get(self, request: web.Request) -> web.Response:
        """Check the state; a request without a code leaves the state usable."""
        hass = request.app[KEY_HASS]
        state = request.query.get("state", "")
        code = request.query.get("code", "")
        if not code:
            return self._page(_NO_CODE, 400)
        data = _data(hass)
        item = data.pending.get(state)
        flow_id = item.flow_id if item is not None else None
        check = async_take_state(hass, state)
        if check is StateCheck.EXPIRED:
            return self._page(_EXPIRED, 400)
        if check is not StateCheck.OK or flow_id is None:
            return self._page(_INVALID, 400)
        data.received[flow_id] = (code, state)
        return self._page(_SIGNED_IN, 200)

    @staticmethod
    def _page(message: tuple[str, str], status: int) -> web.Response:
        text = _PAGE.format(message=escape(message[0]), chinese=escape(message[1]))
        return web.Response(status=status, content_type="text/html", text=text)
