"""Client branches driven by a tiny scripted HTTP server (shapes the simulator never sends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from miot import (
    CloudEndpoints,
    MiotAuth,
    MiotAuthError,
    MiotCloudClient,
    MiotCloudUnavailableError,
    MiotError,
    OAuthToken,
)
from miot.errors import MiotCodeError
import pytest


@dataclass
class Script:
    """Answers by path: a callable returning (status, body) or a JSON value."""

    answers: dict[str, Callable[[dict[str, Any]], tuple[int, Any]]] = field(default_factory=dict)
    seen: list[tuple[str, Any]] = field(default_factory=list)

    def json(self, path: str, body: Any, status: int = 200) -> None:
        self.answers[path] = lambda _req: (status, body)


@dataclass
class Rig:
    script: Script
    client: MiotCloudClient
    auth: MiotAuth


@pytest.fixture
async def rig(socket_enabled: None) -> AsyncIterator[Rig]:
    """A scripted server and a client logged in with a fake token."""
    script = Script()

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.method == "POST" else dict(request.query)
        script.seen.append((request.path, body))
        if (slow := getattr(script, "slow", None)) is not None:
            return await slow(request)
        answer = script.answers.get(request.path)
        if answer is None:
            return web.Response(status=404)
        status, data = answer(body)
        if isinstance(data, str):
            return web.Response(status=status, text=data)
        return web.json_response(data, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    endpoints = CloudEndpoints.for_region("cn", base_url=str(server.make_url("")))
    auth = MiotAuth(session, endpoints, token=OAuthToken("acc", "ref", 3600))
    yield Rig(script, MiotCloudClient(auth, read_window=0.01), auth)
    await session.close()
    await server.close()


def ok(result: Any) -> dict[str, Any]:
    return {"code": 0, "message": "ok", "result": result}


async def test_top_level_codes_and_shapes(rig: Rig) -> None:
    """Non-zero codes, missing code, HTTP 4xx are errors with clear messages."""
    path = "/app/v2/homeroom/gethome"
    rig.script.json(path, {"code": -8, "message": "bad thing"})
    with pytest.raises(MiotCodeError, match="bad thing") as err:
        await rig.client.get_homes()
    assert err.value.code == -8
    rig.script.json(path, {"code": "x"})
    with pytest.raises(MiotCodeError):
        await rig.client.get_homes()
    rig.script.json(path, {"result": []})
    with pytest.raises(MiotCloudUnavailableError, match="malformed answer"):
        await rig.client.get_homes()
    rig.script.json(path, {"code": 1}, status=403)
    with pytest.raises(MiotCloudUnavailableError, match="HTTP 403"):
        await rig.client.get_homes()


async def test_profile_shapes(rig: Rig) -> None:
    """Profile answers without data or with an error code."""
    rig.script.json("/user/profile", {"code": 0})
    with pytest.raises(MiotCloudUnavailableError, match="malformed"):
        await rig.client.get_user_profile()
    rig.script.json("/user/profile", {"code": 5, "data": {}})
    rig.script.json(
        "/app/v2/ha/oauth/get_token",
        ok({"access_token": "a2", "refresh_token": "r2", "expires_in": 60}),
    )
    with pytest.raises(MiotAuthError, match="refused"):
        await rig.client.get_user_profile()  # refused again after one refresh
    rig.script.json("/user/profile", {"data": {"miliaoNick": "Nick", "unionId": "u"}})
    profile = await rig.client.get_user_profile()
    assert (profile.nickname, profile.union_id, profile.icon) == ("Nick", "u", None)


async def test_token_answers(rig: Rig) -> None:
    """Token endpoint: non-object, refused codes, redirect uri kept for refresh."""
    path = "/app/v2/ha/oauth/get_token"
    rig.script.json(path, [1, 2])
    with pytest.raises(MiotCloudUnavailableError, match="malformed answer"):
        await rig.auth.refresh()
    rig.script.json(path, {"code": 3, "result": None})
    with pytest.raises(MiotAuthError, match="refused"):
        await rig.auth.refresh()
    rig.script.json(path, ok({"access_token": "a2", "refresh_token": "r2", "expires_in": 60}))
    token = await rig.auth.exchange_code("code", "http://other/cb")
    assert rig.auth.redirect_uri == "http://other/cb"
    assert token.access_token == "a2"
    remove = rig.auth.add_token_listener(lambda _t: None)
    remove()
    remove()


async def test_room_pages_merge(rig: Rig) -> None:
    """get_dev_room_page merges dids into existing and new rooms of known homes."""
    rig.script.json(
        "/app/v2/homeroom/gethome",
        ok(
            {
                "homelist": [
                    {
                        "id": 1,
                        "name": "A",
                        "dids": ["d1"],
                        "roomlist": [{"id": 10, "dids": ["d2"]}],
                    },
                    "junk",
                ],
                "share_home_list": [{"id": 2, "name": "Shared", "dids": ["s1"]}],
                "has_more": True,
                "max_id": "5",
            }
        ),
    )
    pages = iter(
        [
            ok(
                {
                    "info": [
                        {
                            "id": 1,
                            "dids": ["d1", "d3"],
                            "roomlist": [
                                {"id": 10, "dids": ["d2", "d4"]},
                                {"id": 11, "name": "New", "dids": ["d5"]},
                                "junk",
                            ],
                        },
                        {"id": 99, "dids": ["x"]},
                        "junk",
                    ],
                    "has_more": True,
                    "max_id": "9",
                }
            ),
            ok({"info": [], "has_more": False}),
        ]
    )
    rig.script.answers["/app/v2/homeroom/get_dev_room_page"] = lambda _b: (200, next(pages))
    homes = await rig.client.get_homes()
    a, shared = homes
    assert shared.shared
    assert shared.dids == ["s1"]
    assert a.dids == ["d1", "d3"]
    assert [(room.room_id, room.dids) for room in a.rooms] == [("10", ["d2", "d4"]), ("11", ["d5"])]
    starts = [body["start_id"] for path, body in rig.script.seen if path.endswith("room_page")]
    assert starts == ["5", "9"]
    rig.script.json("/app/v2/homeroom/get_dev_room_page", ok("bad"))
    with pytest.raises(MiotCloudUnavailableError, match="get_dev_room_page"):
        await rig.client.get_homes()


async def test_devices_paging_and_placement(rig: Rig) -> None:
    """start_did paging, junk entries skipped, home and room ids filled in."""
    pages = iter(
        [
            ok(
                {
                    "list": [{"did": "d1", "parent_id": "zz"}, {"name": "no did"}, "junk"],
                    "has_more": True,
                    "next_start_did": "d2",
                }
            ),
            ok({"list": [{"did": "d2"}], "has_more": True, "next_start_did": ""}),
        ]
    )
    rig.script.answers["/app/v2/home/device_list_page"] = lambda _b: (200, next(pages))
    from miot import Home, Room

    home = Home("1", "A", rooms=[Room("10", "R", "1", ["d2", "gone"])], dids=["d1", "gone2"])
    devices = await rig.client.get_devices(["d1", "d2", "d1"], [home])
    assert [(d.did, d.home_id, d.room_id) for d in devices] == [
        ("d1", "1", None),
        ("d2", "1", "10"),
    ]
    assert devices[0].parent_id == "zz"
    assert devices[0].sub_devices == []
    bodies = [body for path, body in rig.script.seen if path.endswith("device_list_page")]
    assert "start_did" not in bodies[0]
    assert bodies[1]["start_did"] == "d2"


async def test_property_shapes(rig: Rig) -> None:
    """Junk items in read/write answers are skipped; missing items get code -1."""
    rig.script.json(
        "/app/v2/miotspec/prop/get",
        ok(
            [
                "junk",
                {"did": "d", "siid": 1, "piid": 1, "value": 5},
                {"did": "d", "siid": 1, "piid": 2, "code": 1, "value": 6},
            ]
        ),
    )
    results = await rig.client.get_properties([("d", 1, 1), ("d", 1, 2), ("d", 1, 3)])
    assert [(r.ok, r.value) for r in results] == [(True, 5), (True, 6), (False, None)]
    rig.script.json(
        "/app/v2/miotspec/prop/set", ok(["junk", {"did": "d", "siid": 1, "piid": 1, "code": 1}])
    )
    results = await rig.client.set_properties([("d", 1, 1, 1), ("d", 1, 2, 2)])
    assert [r.ok for r in results] == [True, False]
    rig.script.json("/app/v2/miotspec/action", ok({"code": 0, "out": "nope"}))
    assert await rig.client.call_action("d", 1, 1) == []


async def test_failure_of_one_chunk_fails_its_readers(rig: Rig) -> None:
    """Readers whose keys were in a failed request get the error."""
    rig.script.json("/app/v2/miotspec/prop/get", {"code": 0}, status=502)
    with pytest.raises(MiotCloudUnavailableError, match="502"):
        await rig.client.get_properties([("d", 1, 1)])


async def test_close_with_running_flush(rig: Rig) -> None:
    """close() cancels an in-flight flush; its readers get an error instead of hanging."""
    import asyncio

    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(_request: web.Request) -> web.Response:
        started.set()
        await release.wait()
        return web.json_response(ok([]))

    rig.script.answers["/app/v2/miotspec/prop/get"] = lambda _b: (200, ok([]))
    rig.client.read_window = 0
    rig.script.slow = slow  # type: ignore[attr-defined]
    task = asyncio.create_task(rig.client.get_properties([("d", 1, 1)]))
    async with asyncio.timeout(5):
        await started.wait()
    await rig.client.close()
    release.set()
    with pytest.raises(MiotError, match="closed"):
        await task


async def test_early_refresh_failure_keeps_valid_token(rig: Rig) -> None:
    """Past 70 % but before expiry, a failing refresh falls back to the current token."""
    token = rig.auth.token
    assert token is not None
    rig.script.json("/app/v2/ha/oauth/get_token", {"code": 0}, status=503)
    rig.auth._clock = lambda: token.obtained_at + token.expires_in * 0.8
    assert await rig.auth.access_token() == "acc"
    rig.auth._clock = lambda: token.obtained_at + token.expires_in + 1
    with pytest.raises(MiotCloudUnavailableError):
        await rig.auth.access_token()


async def test_refused_early_refresh_keeps_valid_token(rig: Rig) -> None:
    """A refused early refresh does not end a token that still works; the next attempt
    waits a while (no refresh on every request)."""
    token = rig.auth.token
    assert token is not None
    rig.script.json("/app/v2/ha/oauth/get_token", {"code": 401, "message": "refused"})
    rig.auth._clock = lambda: token.obtained_at + token.expires_in * 0.8
    assert await rig.auth.access_token() == "acc"
    assert await rig.auth.access_token() == "acc"
    assert [path for path, _ in rig.script.seen] == ["/app/v2/ha/oauth/get_token"]
    rig.auth._clock = lambda: token.obtained_at + token.expires_in + 1
    with pytest.raises(MiotAuthError):
        await rig.auth.access_token()


async def test_spec_with_plain_text_names(rig: Rig) -> None:
    """multiLanguage answering plain text (unknown urn on the real service): no names."""
    from miot import SpecService

    urn = "urn:miot-spec-v2:device:outlet:0000A002:test-x:1"
    rig.script.json(
        "/miot-spec-v2/instance",
        {"type": urn, "services": [{"iid": 2, "type": "urn:miot-spec-v2:service:switch:1:x:1"}]},
    )
    rig.script.answers["/instance/v2/multiLanguage"] = lambda _b: (200, "no such urn")
    specs = SpecService(rig.auth.session, rig.auth.endpoints)
    spec = await specs.get_spec(urn)
    assert spec.find_service("switch") is not None
    assert spec.services[0].names == {}
    rig.script.json("/instance/v2/multiLanguage", {"data": "odd"})
    specs.clear_memory()
    assert (await specs.get_spec(urn)).services[0].names == {}
