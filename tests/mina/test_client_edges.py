"""MiNA answers the twin never gives, and the exact requests, from a scripted server."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Any

from aiohttp import web
from mina import (
    MinaAuth,
    MinaClient,
    MinaCloudUnavailableError,
    MinaCodeError,
    MinaCredential,
)
import pytest

from .conftest import Handler, Scripted, new_session

CREDENTIAL = MinaCredential("42", "PT", "ST", "SEC", "DEV")


def mina(data: Any) -> Handler:
    """A handler answering the MiNA envelope with `data`."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"code": 0, "message": "Success", "data": data})

    return handler


@pytest.fixture
async def client(scripted: Scripted) -> AsyncIterator[MinaClient]:
    """A client of the scripted server."""
    async with new_session() as session:
        yield MinaClient(MinaAuth(session, scripted.endpoints, CREDENTIAL))


async def test_requests(scripted: Scripted, client: MinaClient) -> None:
    """Cookies, requestId, the form-encoded ubus body and the conversation query."""
    scripted.routes[("POST", "/remote/ubus")] = mina(None)
    await client.text_to_speech("D1", "你好")
    ubus = scripted.seen[-1]
    assert ubus.cookies == {"userId": "42", "serviceToken": "ST"}
    assert ubus.form["requestId"].startswith("app_ios_")
    assert (ubus.form["deviceId"], ubus.form["path"], ubus.form["method"]) == (
        "D1",
        "mibrain",
        "text_to_speech",
    )
    assert ubus.form["message"] == '{"text": "你好"}'

    scripted.routes[("GET", "/device_profile/v2/conversation")] = mina('{"records": []}')
    assert await client.get_conversations("D1", "LX06", limit=3, timestamp_ms=123) == []
    request = scripted.seen[-1]
    assert request.cookies == {"userId": "42", "serviceToken": "ST", "deviceId": "D1"}
    assert request.query["source"] == "dialogu"
    assert (request.query["hardware"], request.query["timestamp"], request.query["limit"]) == (
        "LX06",
        "123",
        "3",
    )
    assert request.query["requestId"].startswith("app_ios_")

    scripted.routes[("GET", "/admin/v2/device_list")] = mina([{"deviceID": "D1"}, "junk"])
    assert [s.device_id for s in await client.device_list()] == ["D1"]
    assert scripted.seen[-1].query["master"] == "0"


@pytest.mark.parametrize(
    ("info", "status"),
    [(json.dumps({"status": 1, "volume": 20}), 1), ({"status": 2}, 2)],
)
async def test_play_status_info(
    scripted: Scripted, client: MinaClient, info: Any, status: int
) -> None:
    """`info` as a JSON string (usual) or an object."""
    scripted.routes[("POST", "/remote/ubus")] = mina({"code": 0, "info": info})
    assert (await client.player_get_play_status("D1")).status == status


@pytest.mark.parametrize("info", ["{oops", None, "[1]"])
async def test_play_status_malformed(scripted: Scripted, client: MinaClient, info: Any) -> None:
    """Garbage `info`."""
    scripted.routes[("POST", "/remote/ubus")] = mina({"code": 0, "info": info})
    with pytest.raises(MinaCloudUnavailableError, match="info"):
        await client.player_get_play_status("D1")


async def test_malformed_data(scripted: Scripted, client: MinaClient) -> None:
    """A device list that is not a list; a speaker code that is not a number."""
    scripted.routes[("GET", "/admin/v2/device_list")] = mina({"oops": 1})
    with pytest.raises(MinaCloudUnavailableError, match="device_list"):
        await client.device_list()
    scripted.routes[("POST", "/remote/ubus")] = mina({"code": "E"})
    with pytest.raises(MinaCodeError) as err:
        await client.player_play_operation("D1", "play")
    assert err.value.code == -1
