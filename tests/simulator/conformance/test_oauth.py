"""OAuth 2.0 and profile (docs/protocol.md, "OAuth 2.0")."""

from __future__ import annotations

from collections.abc import Callable
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from . import shapes
from .conftest import APP_ID, REDIRECT_URI, Client

AUTHORIZE_PARAMS = ("redirect_uri", "client_id", "response_type", "device_id", "state")


async def test_authorize_page_then_redirect_with_code_and_state(client: Client) -> None:
    """Without `skip_confirm` the page is shown; approving redirects to `redirect_uri` with
    `code` and `state` added to its query (existing query kept)."""
    redirect = REDIRECT_URI + "?keep=1"
    status, page = await client.get(
        "/oauth2/authorize", **client.authorize_query(redirect_uri=redirect)
    )
    assert status == 200
    assert isinstance(page, str)
    link = re.search(r'href="([^"]+)"', page)
    assert link is not None
    async with client.session.get(
        client.base_url + link.group(1).replace("&amp;", "&"), allow_redirects=False
    ) as resp:
        assert resp.status == 302
        location = resp.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(REDIRECT_URI + "?")
    assert query["keep"] == ["1"]
    assert query["state"] == ["conformance-state"]
    assert query["code"][0]


@pytest.mark.parametrize("missing", AUTHORIZE_PARAMS)
async def test_authorize_needs_every_parameter(client: Client, missing: str) -> None:
    """(simulator) A request without one of the required parameters is refused with HTTP 400."""
    query = {k: v for k, v in client.authorize_query().items() if k != missing}
    assert (await client.get("/oauth2/authorize", **query))[0] == 400


async def test_code_exchange_answer(client: Client) -> None:
    """Exchange: `{"code": 0, "result": {...token answer...}}` with `mac_key`."""
    code = await client.code_from_page(scope="1 3")
    status, answer = await client.get_token(
        {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "code": code,
            "device_id": client.device_id,
        }
    )
    assert status == 200
    shapes.check(answer, {"code": Eq0, "result": shapes.TOKEN})
    assert answer["result"]["expires_in"] > 0
    assert answer["result"]["scope"] == "1 3"


Eq0 = shapes.Eq(0)

# (case, how the token request is made from a fresh code and refresh token, HTTP status)
TOKEN_CASES: list[tuple[str, Callable[[str, str, str], Any], int]] = [
    (
        "unknown code",
        lambda code, refresh, did: {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "code": "C3_unknown",
            "device_id": did,
        },
        401,
    ),
    (
        "other redirect_uri",
        lambda code, refresh, did: {
            "client_id": int(APP_ID),
            "redirect_uri": "http://elsewhere",
            "code": code,
            "device_id": did,
        },
        401,
    ),
    (
        "other client_id",
        lambda code, refresh, did: {
            "client_id": 1,
            "redirect_uri": REDIRECT_URI,
            "code": code,
            "device_id": did,
        },
        401,
    ),
    (
        "unknown refresh token",
        lambda code, refresh, did: {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "refresh_token": "R3_unknown",
        },
        401,
    ),
    (
        "refresh",
        lambda code, refresh, did: {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "refresh_token": refresh,
        },
        200,
    ),
    # (simulator) requests missing a field are 400
    (
        "exchange without device_id",
        lambda code, refresh, did: {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "code": code,
        },
        400,
    ),
    (
        "neither code nor refresh_token",
        lambda code, refresh, did: {"client_id": int(APP_ID), "redirect_uri": REDIRECT_URI},
        400,
    ),
    ("not an object", lambda code, refresh, did: [1, 2], 400),
]


@pytest.mark.parametrize(("case", "make", "status"), TOKEN_CASES, ids=[c[0] for c in TOKEN_CASES])
async def test_token_requests(
    client: Client, case: str, make: Callable[[str, str, str], Any], status: int
) -> None:
    """Refusals are HTTP 401 (protocol.md); malformed requests (simulator) 400."""
    code = await client.code_from_page()
    got, answer = await client.get_token(make(code, client.refresh_token, client.device_id))
    assert got == status, answer
    if status == 200:
        shapes.check(answer, {"code": Eq0, "result": shapes.TOKEN})


async def test_code_is_single_use_and_refresh_rotates(client: Client) -> None:
    """A code works once; a refresh answers a new pair and uses up the refresh token; the new
    access token works on the API."""
    code = await client.code_from_page()
    exchange = {
        "client_id": int(APP_ID),
        "redirect_uri": REDIRECT_URI,
        "code": code,
        "device_id": client.device_id,
    }
    assert (await client.get_token(exchange))[0] == 200
    assert (await client.get_token(exchange))[0] == 401
    refresh = {
        "client_id": int(APP_ID),
        "redirect_uri": REDIRECT_URI,
        "refresh_token": client.refresh_token,
    }
    status, answer = await client.get_token(refresh)
    assert status == 200
    shapes.check(answer, {"code": Eq0, "result": shapes.TOKEN})
    assert answer["result"]["access_token"] != client.access_token
    assert (await client.get_token(refresh))[0] == 401
    client.access_token = answer["result"]["access_token"]
    assert (await client.api("/app/v2/homeroom/gethome", {}))[0] == 200


async def test_expired_access_token(client: Client, simulator: Any) -> None:
    """An expired access token is HTTP 401 on the API; its refresh token still refreshes."""
    simulator.cloud.expire_tokens()
    assert (await client.api("/app/v2/homeroom/gethome", {}))[0] == 401
    status, answer = await client.get_token(
        {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "refresh_token": client.refresh_token,
        }
    )
    assert status == 200
    client.access_token = answer["result"]["access_token"]
    assert (await client.api("/app/v2/homeroom/gethome", {}))[0] == 200


async def test_profile(client: Client) -> None:
    """`/user/profile?clientId&token` answers `data.miliaoNick` and `unionId`; a bad token 401."""
    status, answer = await client.get("/user/profile", clientId=APP_ID, token=client.access_token)
    assert status == 200
    shapes.check(answer, shapes.PROFILE)
    assert (await client.get("/user/profile", clientId=APP_ID, token="bad"))[0] == 401
    assert (await client.get("/user/profile", clientId="1", token=client.access_token))[0] == 401
