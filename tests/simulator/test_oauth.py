"""OAuth page, code exchange, refresh and profile."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from simulator import CLIENT_ID, Simulator

from .conftest import Api

REDIRECT = "http://homeassistant.local:8123/api/webhook/abc?x=1"
AUTH_QUERY = {
    "redirect_uri": REDIRECT,
    "client_id": CLIENT_ID,
    "response_type": "code",
    "device_id": "ha.0123456789abcdef0123456789abcdef",
    "state": "s1",
}


# The token answer of Xiaomi's account OAuth (protocol.md): the official client reads `mac_key`.
TOKEN_FIELDS = {
    "access_token",
    "refresh_token",
    "expires_in",
    "scope",
    "token_type",
    "mac_key",
    "mac_algorithm",
    "openId",
}


async def _token(api: Api, data: Any) -> tuple[int, Any]:
    return await api.get("/app/v2/ha/oauth/get_token", data=json.dumps(data))


async def _code_from_page(api: Api, **extra: str) -> str:
    session = api.session
    url = api.sim.base_url + "/oauth2/authorize"
    async with session.get(url, params={**AUTH_QUERY, **extra}, allow_redirects=False) as resp:
        if resp.status == 302:
            location = resp.headers["Location"]
        else:
            assert resp.status == 200
            page = await resp.text()
            href = re.search(r'id="authorize" href="([^"]+)"', page)
            assert href is not None
            link = href.group(1).replace("&amp;", "&")
            async with session.get(api.sim.base_url + link, allow_redirects=False) as confirm:
                assert confirm.status == 302
                location = confirm.headers["Location"]
    parts = urlsplit(location)
    assert location.startswith("http://homeassistant.local:8123/api/webhook/abc?")
    query = parse_qs(parts.query)
    assert query["state"] == ["s1"]
    assert query["x"] == ["1"]
    return query["code"][0]


async def test_page_code_exchange_refresh_profile(api: Api) -> None:
    """The whole browser flow, then refresh and profile."""
    code = await _code_from_page(api)
    data = {
        "client_id": int(CLIENT_ID),
        "redirect_uri": REDIRECT,
        "code": code,
        "device_id": "ha.1",
    }
    status, body = await _token(api, data)
    assert status == 200
    tokens = body["result"]
    assert body["code"] == 0
    assert set(tokens) == TOKEN_FIELDS
    assert tokens["expires_in"] == 7200
    # a code is single use
    assert (await _token(api, data))[0] == 401

    status, body = await api.get("/user/profile", clientId=CLIENT_ID, token=tokens["access_token"])
    assert status == 200
    assert body["data"]["miliaoNick"] == "Demo User"
    assert body["data"]["unionId"]

    refresh = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "refresh_token": tokens["refresh_token"],
    }
    status, body = await _token(api, refresh)
    assert status == 200
    assert body["result"]["access_token"] != tokens["access_token"]
    assert body["result"]["mac_key"] != tokens["mac_key"]
    # the old refresh token is used up
    assert (await _token(api, refresh))[0] == 401


async def test_token_answer_carries_mac_key(api: Api) -> None:
    """Exchange and refresh both answer `mac_key` (with its type and algorithm); the scope
    asked for on the page is kept through refreshes."""
    code = await _code_from_page(api, scope="1 3", skip_confirm="false")
    base = {"client_id": int(CLIENT_ID), "redirect_uri": REDIRECT}
    status, body = await _token(api, {**base, "code": code, "device_id": "ha.1"})
    assert status == 200
    tokens = body["result"]
    assert set(tokens) == TOKEN_FIELDS
    assert isinstance(tokens["mac_key"], str)
    assert len(tokens["mac_key"]) == 27  # 20 random bytes, base64url without padding
    assert tokens["token_type"] == "mac"
    assert tokens["mac_algorithm"] == "HmacSha1"
    assert tokens["scope"] == "1 3"
    assert tokens["openId"].startswith("2.0")
    status, body = await _token(api, {**base, "refresh_token": tokens["refresh_token"]})
    assert status == 200
    assert set(body["result"]) == TOKEN_FIELDS
    assert body["result"]["scope"] == "1 3"
    assert body["result"]["openId"] == tokens["openId"]
    issued = api.sim.issue_tokens()
    assert issued["mac_key"]
    assert issued["scope"] == ""


async def test_skip_confirm_redirects_at_once(api: Api) -> None:
    """`skip_confirm=true` skips the page."""
    assert await _code_from_page(api, skip_confirm="true")


async def test_authorize_page_validation(api: Api) -> None:
    """Missing or wrong parameters are refused."""
    for name in AUTH_QUERY:
        query = {k: v for k, v in AUTH_QUERY.items() if k != name}
        status, text = await api.get("/oauth2/authorize", **query)
        assert status == 400
        assert name in text
    assert (await api.get("/oauth2/authorize", **{**AUTH_QUERY, "client_id": "1"}))[0] == 400
    bad_type = {**AUTH_QUERY, "response_type": "token"}
    assert (await api.get("/oauth2/authorize", **bad_type))[0] == 400
    assert (await api.get("/oauth2/authorize/confirm", state="x"))[0] == 400


async def test_token_errors(api: Api) -> None:
    """Bad codes are 401, bad requests 400."""
    base = {"client_id": int(CLIENT_ID), "redirect_uri": REDIRECT, "device_id": "ha.1"}
    assert (await _token(api, {**base, "code": "nope"}))[0] == 401
    status, body = await api.get("/_sim/oauth/code", redirect_uri=REDIRECT, state="z")
    assert status == 200
    assert body["state"] == "z"
    code = body["code"]
    assert (await _token(api, {**base, "code": code, "redirect_uri": "http://other"}))[0] == 401
    assert (await _token(api, {**base, "client_id": 1, "code": code}))[0] == 401
    assert (await _token(api, {"client_id": int(CLIENT_ID), "code": code}))[0] == 400
    assert (await _token(api, base))[0] == 400
    assert (await _token(api, [1, 2]))[0] == 400
    assert (await api.get("/app/v2/ha/oauth/get_token", data="{bad"))[0] == 400
    assert (await api.get("/_sim/oauth/code"))[0] == 400
    status, _ = await api.get("/user/profile", clientId=CLIENT_ID, token="bad")
    assert status == 401


async def test_expired_codes_refused(api: Api, simulator: Simulator) -> None:
    """An authorization code has a lifetime."""
    code = simulator.cloud.create_code(REDIRECT)
    uri, _, scope = simulator.cloud.codes[code]
    simulator.cloud.codes[code] = (uri, 0.0, scope)
    data = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "code": code, "device_id": "ha.1"}
    assert (await _token(api, data))[0] == 401


async def test_token_ttl(socket_enabled: None, tmp_path: Any, simulator_cert_dir: Any) -> None:
    """A short token lifetime expires access tokens."""
    sim = Simulator(
        home="demo", state_dir=tmp_path, cert_dir=simulator_cert_dir, token_ttl=0.2, broker=False
    )
    await sim.start()
    try:
        tokens = sim.issue_tokens()
        assert tokens["expires_in"] == 0
        connector = aiohttp.TCPConnector(ssl=False, resolver=aiohttp.ThreadedResolver())
        async with aiohttp.ClientSession(connector=connector) as session:
            api = Api(sim, session, tokens["access_token"])
            assert (await api.post("/app/v2/homeroom/gethome", {}))[0] == 200
            sim.cloud.tokens[-1].expires_at = 0
            assert (await api.post("/app/v2/homeroom/gethome", {}))[0] == 401
    finally:
        await sim.stop()
