"""The twin itself: it rejects answers DuerOS would reject (so end-to-end tests can fail)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

from aiohttp import web
import pytest

from simulator.dueros import DuerOSTwin, LinkError, ProtocolViolation

type Answer = Callable[[dict[str, Any]], Any]

GOOD_APPLIANCE = {
    "applianceId": "light.a",
    "friendlyName": "客厅灯",
    "friendlyDescription": "灯",
    "applianceTypes": ["LIGHT"],
    "actions": ["turnOn"],
    "isReachable": True,
    "manufacturerName": "m",
    "modelName": "m",
    "version": "1",
    "additionalApplianceDetails": {},
}


def reply(request: dict[str, Any], name: str, payload: Any, **header: Any) -> dict[str, Any]:
    return {
        "header": {
            "namespace": request["header"]["namespace"],
            "name": name,
            "messageId": "m-1",
            "payloadVersion": "1",
            **header,
        },
        "payload": payload,
    }


class FakeSkill:
    """A skill endpoint whose answer each test chooses."""

    def __init__(self) -> None:
        self.answer: Answer = lambda request: reply(request, "DiscoverAppliancesResponse", {})
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.status != 200:
            return web.Response(status=self.status)
        return web.json_response(self.answer(body))


async def refuse(request: web.Request) -> web.Response:
    """A login flow that refuses to start."""
    return web.json_response({"message": "no"}, status=400)


@pytest.fixture
async def skill(socket_enabled: None) -> AsyncGenerator[tuple[FakeSkill, DuerOSTwin]]:
    fake = FakeSkill()
    app = web.Application()
    app.router.add_post("/api/miot_connect/dueros", fake.handle)
    app.router.add_post("/auth/login_flow", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    twin = DuerOSTwin(f"http://127.0.0.1:{port}", answer_reports=False)
    await twin.start()
    twin.access_token = "token"
    yield fake, twin
    await twin.stop()
    await runner.cleanup()


def discovery(appliance: dict[str, Any], groups: int = 0) -> Answer:
    return lambda request: reply(
        request,
        "DiscoverAppliancesResponse",
        {
            "discoveredAppliances": [appliance],
            "discoveredGroups": [{"groupName": str(i)} for i in range(groups)],
        },
    )


@pytest.mark.parametrize(
    "answer",
    [
        discovery(GOOD_APPLIANCE, groups=11),
        discovery({**GOOD_APPLIANCE, "applianceId": "bad id!"}),
        discovery({**GOOD_APPLIANCE, "friendlyName": "客厅，灯"}),
        discovery({k: v for k, v in GOOD_APPLIANCE.items() if k != "version"}),
        discovery({**GOOD_APPLIANCE, "applianceTypes": ["SCENE_TRIGGER"]}),
        lambda request: reply(request, "DiscoverAppliancesResponse", {"discoveredAppliances": {}}),
        lambda request: reply(request, "DiscoverAppliancesResponse", []),
        lambda request: reply(request, "X", {}, namespace="DuerOS.ConnectedHome.Control"),
        lambda request: reply(request, "X", {}, payloadVersion="2"),
        lambda request: reply(request, "X", {}, messageId="x" * 200),
    ],
)
async def test_discovery_violations(skill: tuple[FakeSkill, DuerOSTwin], answer: Answer) -> None:
    fake, twin = skill
    fake.answer = answer
    with pytest.raises(ProtocolViolation):
        await twin.discover()


async def test_good_discovery_and_control_names(skill: tuple[FakeSkill, DuerOSTwin]) -> None:
    fake, twin = skill
    fake.answer = discovery(GOOD_APPLIANCE, groups=1)
    await twin.discover()
    assert list(twin.appliances) == ["light.a"]
    assert len(twin.groups) == 1
    fake.answer = lambda request: reply(request, "TurnOnConfirmation", {})
    await twin.control("TurnOnRequest", "light.a")
    fake.answer = lambda request: reply(request, "TargetOfflineError", {})
    await twin.control("TurnOnRequest", "light.a")
    fake.answer = lambda request: reply(request, "TurnOffConfirmation", {})
    with pytest.raises(ProtocolViolation):
        await twin.control("TurnOnRequest", "light.a")
    fake.answer = lambda request: reply(request, "GetStateConfirmation", {})
    with pytest.raises(ProtocolViolation):
        await twin.query("GetStateRequest", "light.a")
    fake.answer = lambda request: reply(request, "InvalidAccessTokenError", {})
    answer = await twin.discover()
    assert answer["header"]["name"] == "InvalidAccessTokenError"
    fake.status = 500
    with pytest.raises(ProtocolViolation):
        await twin.discover()


async def test_link_errors(skill: tuple[FakeSkill, DuerOSTwin]) -> None:
    _fake, twin = skill
    with pytest.raises(LinkError):
        await twin.link_account("u", "p")
    twin.refresh_token = None
    with pytest.raises(LinkError):
        await twin.refresh()


async def test_bad_pushes(skill: tuple[FakeSkill, DuerOSTwin]) -> None:
    """A change report with another bot id is refused; a device sync before linking is kept only."""
    _fake, twin = skill
    twin.access_token = None
    async with twin.session.post(
        twin.base_url + "/saiya/smarthome/changereport",
        json={"header": {"name": "ChangeReportRequest"}, "payload": {"botId": "other"}},
    ) as resp:
        assert (await resp.json())["status"] == 1
    async with twin.session.post(
        twin.base_url + "/saiya/smarthome/devicesync", json={"payload": {}}
    ) as resp:
        assert (await resp.json())["status"] == 0
    await twin.wait_idle()
    assert len(twin.device_syncs) == 1
    assert twin.appliances == {}


async def test_not_started(socket_enabled: None) -> None:
    twin = DuerOSTwin("http://127.0.0.1:9")
    with pytest.raises(RuntimeError):
        _ = twin.session
    async with twin:
        assert twin.base_url.startswith("http://127.0.0.1:")
