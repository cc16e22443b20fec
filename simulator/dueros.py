"""A twin of Baidu DuerOS's smart-home side: it links an account through Home Assistant's OAuth
(the login-flow API behind /auth/authorize, then /auth/token), sends Discovery, Control and Query
directives in the ConnectedHome shapes, checks the answers, and receives change reports and
device syncs on the paths DuerOS serves them (/saiya/smarthome/changereport, /devicesync).

No Home Assistant imports: it speaks to Home Assistant over HTTP only, as DuerOS would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import re
import secrets
import time
from typing import Any
import uuid

import aiohttp
from aiohttp import web

CLIENT_ID = "https://xiaodu.baidu.com"
REDIRECT_URI = "https://xiaodu.baidu.com/saiya/auth/callback"
SKILL_PATH = "/api/miot_connect/dueros"
NAMESPACES = {
    "discovery": "DuerOS.ConnectedHome.Discovery",
    "control": "DuerOS.ConnectedHome.Control",
    "query": "DuerOS.ConnectedHome.Query",
}
APPLIANCE_FIELDS = (
    "applianceId",
    "friendlyName",
    "friendlyDescription",
    "applianceTypes",
    "actions",
    "isReachable",
    "manufacturerName",
    "modelName",
    "version",
    "additionalApplianceDetails",
)
_APPLIANCE_ID = re.compile(r"^[A-Za-z0-9_\-=#;:?@&.]{1,256}$")


class ProtocolViolation(AssertionError):
    """The skill answered in a shape DuerOS would reject."""


class LinkError(RuntimeError):
    """Account linking failed (login refused, code rejected, ...)."""


@dataclass(slots=True)
class Received:
    """A push DuerOS received from the skill."""

    path: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class DuerOSTwin:
    """The DuerOS cloud as one skill sees it."""

    def __init__(
        self,
        skill_base_url: str,
        *,
        client_id: str = CLIENT_ID,
        redirect_uri: str = REDIRECT_URI,
        bot_id: str = "miot-connect-twin-bot",
        open_uid: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        answer_reports: bool = True,
    ) -> None:
        self.skill_base_url = skill_base_url.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.bot_id = bot_id
        self.open_uid = open_uid or secrets.token_hex(16)
        self.host = host
        self.port = port
        self.answer_reports = answer_reports
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.appliances: dict[str, dict[str, Any]] = {}
        self.groups: list[dict[str, Any]] = []
        self.change_reports: list[Received] = []
        self.device_syncs: list[Received] = []
        self.report_states: list[dict[str, Any]] = []
        self.report_event = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """Where the skill pushes change reports and device syncs."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/saiya/smarthome/changereport", self._change_report)
        app.router.add_post("/saiya/smarthome/devicesync", self._device_sync)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> DuerOSTwin:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("twin not started")
        return self._session

    # ------------------------------------------------------------------ account linking
    async def link_account(self, username: str, password: str) -> None:
        """What the user does in the Xiaodu app: sign in on Home Assistant's authorize page
        (its login-flow API), which redirects to DuerOS with a code; DuerOS swaps the code."""
        state = secrets.token_urlsafe(8)
        base = self.skill_base_url
        async with self.session.post(
            f"{base}/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
        ) as resp:
            flow = await resp.json()
            if resp.status != 200 or "flow_id" not in flow:
                raise LinkError(f"login flow refused: {resp.status} {flow}")
        async with self.session.post(
            f"{base}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
        ) as resp:
            result = await resp.json()
        if result.get("type") != "create_entry":
            raise LinkError(f"login refused: {result.get('errors')}")
        # The authorize page now sends the browser to redirect_uri?code=...&state=...
        code = str(result["result"])
        callback = f"{self.redirect_uri}?code={code}&state={state}"
        assert callback.startswith(self.client_id)
        await self._token({"grant_type": "authorization_code", "code": code})

    async def refresh(self) -> None:
        """Swap the refresh token for a new access token (Home Assistant's live 30 minutes)."""
        if self.refresh_token is None:
            raise LinkError("not linked")
        await self._token({"grant_type": "refresh_token", "refresh_token": self.refresh_token})

    async def _token(self, data: dict[str, str]) -> None:
        async with self.session.post(
            f"{self.skill_base_url}/auth/token", data={**data, "client_id": self.client_id}
        ) as resp:
            tokens = await resp.json()
            if resp.status != 200:
                raise LinkError(f"token endpoint: {resp.status} {tokens}")
        self.access_token = str(tokens["access_token"])
        self.refresh_token = str(tokens.get("refresh_token", self.refresh_token))

    # ------------------------------------------------------------------ directives
    def message(
        self, namespace: str, name: str, payload: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        """A directive as DuerOS builds it (the token rides in the payload)."""
        return {
            "header": {
                "namespace": namespace,
                "name": name,
                "messageId": str(uuid.uuid4()),
                "payloadVersion": "1",
            },
            "payload": {"accessToken": token or self.access_token, **payload},
        }

    async def send(self, message: dict[str, Any]) -> dict[str, Any]:
        """POST a directive to the skill and check the envelope of the answer."""
        async with self.session.post(self.skill_base_url + SKILL_PATH, json=message) as resp:
            if resp.status != 200:
                raise ProtocolViolation(f"skill answered HTTP {resp.status}")
            answer: dict[str, Any] = await resp.json()
        header = answer.get("header", {})
        request = message["header"]
        if header.get("namespace") != request["namespace"]:
            raise ProtocolViolation(f"namespace not echoed: {header}")
        if header.get("payloadVersion") != request["payloadVersion"]:
            raise ProtocolViolation(f"payloadVersion not echoed: {header}")
        message_id = header.get("messageId")
        if not isinstance(message_id, str) or not 0 < len(message_id) < 128:
            raise ProtocolViolation(f"bad messageId: {header}")
        if not isinstance(answer.get("payload"), dict):
            raise ProtocolViolation("payload is not an object")
        return answer

    async def discover(self) -> dict[str, Any]:
        """DiscoverAppliancesRequest; keeps and checks the appliances."""
        answer = await self.send(
            self.message(
                NAMESPACES["discovery"], "DiscoverAppliancesRequest", {"openUid": self.open_uid}
            )
        )
        if answer["header"]["name"] != "DiscoverAppliancesResponse":
            return answer
        appliances = answer["payload"].get("discoveredAppliances")
        if not isinstance(appliances, list) or len(appliances) > 300:
            raise ProtocolViolation("discoveredAppliances must be a list of at most 300")
        for appliance in appliances:
            missing = [key for key in APPLIANCE_FIELDS if key not in appliance]
            if missing:
                raise ProtocolViolation(f"appliance lacks {missing}: {appliance}")
            if not _APPLIANCE_ID.match(appliance["applianceId"]):
                raise ProtocolViolation(f"bad applianceId {appliance['applianceId']!r}")
            name = appliance["friendlyName"]
            if not name or len(name) > 128 or not name.replace(" ", "").isalnum():
                raise ProtocolViolation(f"bad friendlyName {name!r}")
            if (
                "SCENE_TRIGGER" in appliance["applianceTypes"]
                and "场景" not in appliance["friendlyDescription"]
            ):
                raise ProtocolViolation("a scene's description must contain 场景")
        groups = answer["payload"].get("discoveredGroups", [])
        if len(groups) > 10:
            raise ProtocolViolation("at most 10 groups")
        self.appliances = {a["applianceId"]: a for a in appliances}
        self.groups = groups
        return answer

    async def control(self, name: str, appliance_id: str, **payload: Any) -> dict[str, Any]:
        """A Control directive (`TurnOnRequest`, ...)."""
        return await self._appliance_directive(NAMESPACES["control"], name, appliance_id, payload)

    async def query(self, name: str, appliance_id: str, **payload: Any) -> dict[str, Any]:
        """A Query directive (`GetTemperatureReadingRequest`, ...)."""
        return await self._appliance_directive(NAMESPACES["query"], name, appliance_id, payload)

    async def _appliance_directive(
        self, namespace: str, name: str, appliance_id: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        details = self.appliances.get(appliance_id, {}).get("additionalApplianceDetails", {})
        message = self.message(
            namespace,
            name,
            {
                "appliance": {"applianceId": appliance_id, "additionalApplianceDetails": details},
                **payload,
            },
        )
        answer = await self.send(message)
        got = answer["header"]["name"]
        suffix = "Confirmation" if namespace == NAMESPACES["control"] else "Response"
        if not got.endswith(("Error", suffix)) or (
            got.endswith(suffix) and got != name.removesuffix("Request") + suffix
        ):
            raise ProtocolViolation(f"{name} answered with {got}")
        return answer

    # ------------------------------------------------------------------ pushes from the skill
    async def _change_report(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.change_reports.append(Received(request.path, body))
        payload = body.get("payload", {})
        if (
            body.get("header", {}).get("name") != "ChangeReportRequest"
            or payload.get("botId") != self.bot_id
        ):
            return web.json_response({"status": 1, "msg": "bad change report"})
        if self.answer_reports and payload.get("openUid") == self.open_uid:
            # DuerOS asks the skill for the attribute values after a change report.
            appliance_id = str(payload.get("appliance", {}).get("applianceId", ""))
            self._spawn(self._report_state(appliance_id))
        self.report_event.set()
        return web.json_response({"status": 0, "msg": "ok"})

    async def _device_sync(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.device_syncs.append(Received(request.path, body))
        if self.access_token is not None:
            self._spawn(self._rediscover())
        return web.json_response({"status": 0, "msg": "ok"})

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report_state(self, appliance_id: str) -> None:
        answer = await self.query("ReportStateRequest", appliance_id)
        self.report_states.append(answer)

    async def _rediscover(self) -> None:
        await self.discover()

    async def wait_idle(self) -> None:
        """Wait until the twin's own follow-up requests are done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
