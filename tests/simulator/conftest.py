"""Helpers of the simulator tests: HTTP callers (also for the account and MiNA twins) and a threaded
paho subscriber."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
import json
from pathlib import Path
import ssl
import threading
from typing import Any

import aiohttp
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
import pytest

from simulator import CLIENT_ID, Simulator
from tests.conftest import api_headers, started_simulator


@dataclass
class Api:
    """Calls the simulator over HTTPS."""

    sim: Simulator
    session: aiohttp.ClientSession
    token: str

    async def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
        """POST an API call; returns (status, JSON or text)."""
        headers = api_headers(self.token if token is None else token)
        async with self.session.post(self.sim.base_url + path, json=body, headers=headers) as resp:
            return resp.status, await _body(resp)

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        """GET (no auth headers)."""
        async with self.session.get(self.sim.base_url + path, params=params) as resp:
            return resp.status, await _body(resp)

    async def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call `/_sim/<path>`."""
        async with self.session.request(
            method, f"{self.sim.base_url}/_sim/{path}", json=body
        ) as resp:
            return resp.status, await _body(resp)

    async def result(self, path: str, body: Any) -> Any:
        """POST and return `result`, asserting success."""
        status, data = await self.post(path, body)
        assert status == 200, data
        assert data["code"] == 0
        return data["result"]


async def _body(resp: aiohttp.ClientResponse) -> Any:
    text = await resp.text()
    try:
        return json.loads(text)
    except ValueError:
        return text


@pytest.fixture
async def api(
    simulator: Simulator, simulator_session: aiohttp.ClientSession, simulator_tokens: dict[str, Any]
) -> Api:
    """An API caller with a valid token."""
    return Api(simulator, simulator_session, simulator_tokens["access_token"])


class Subscriber:
    """A paho client with its own network thread (stopped and joined by `close`)."""

    def __init__(self, sim: Simulator, password: str) -> None:
        self.messages: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        self.connack: int | None = None
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="ha.test-subscriber", protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(CLIENT_ID, password)
        self.client.tls_set_context(ssl.create_default_context(cafile=sim.ca_file))
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.sim = sim

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.connack = int(reason.value)
        if self.connack == 0:
            client.subscribe("device/#")

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self.lock:
            self.messages.append((message.topic, json.loads(message.payload)))

    async def start(self) -> int:
        """Connect; returns the CONNACK reason code."""
        self.client.connect(self.sim.mqtt_host, self.sim.mqtt_port)
        self.client.loop_start()
        await wait_for(lambda: self.connack is not None)
        assert self.connack is not None
        if self.connack == 0:
            await asyncio.sleep(0.1)  # let the subscription settle
        return self.connack

    async def wait(self, predicate: Callable[[str, Any], bool], seconds: float = 3.0) -> Any:
        """The first message matching."""

        def find() -> Any:
            with self.lock:
                return next((m for m in self.messages if predicate(*m)), None)

        await wait_for(lambda: find() is not None, seconds)
        return find()

    def close(self) -> None:
        """Disconnect and join the thread."""
        self.client.disconnect()
        self.client.loop_stop()


async def wait_for(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Poll until the condition holds."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def subscriber(
    simulator: Simulator, simulator_tokens: dict[str, Any]
) -> AsyncGenerator[Subscriber]:
    """A connected subscriber to `device/#` using the current access token."""
    sub = Subscriber(simulator, simulator_tokens["access_token"])
    try:
        assert await sub.start() == 0
        yield sub
    finally:
        sub.close()


@dataclass
class Reply:
    """An HTTP answer of the account or MiNA twin."""

    status: int
    text: str
    cookies: dict[str, str]
    headers: dict[str, str]

    def account_json(self) -> Any:
        """An account-service answer: it starts with `&&&START&&&`."""
        assert self.text.startswith("&&&START&&&"), self.text[:40]
        return json.loads(self.text.removeprefix("&&&START&&&"))

    def json(self) -> Any:
        """A plain JSON answer."""
        return json.loads(self.text)


@dataclass
class TwinClient:
    """Raw HTTP to the account and MiNA twins: cookies only as given, redirects not followed."""

    sim: Simulator
    session: aiohttp.ClientSession

    async def request(
        self,
        method: str,
        path: str,
        *,
        cookies: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Reply:
        """Send one request."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
        url = path if path.startswith("http") else self.sim.base_url + path
        async with self.session.request(
            method,
            url,
            params=params,
            data=data,
            json=json_body,
            headers=headers if cookies else None,
            allow_redirects=False,
        ) as resp:
            return Reply(
                resp.status,
                (await resp.read()).decode("utf-8", "replace"),
                {name: morsel.value for name, morsel in resp.cookies.items()},
                dict(resp.headers),
            )


@pytest.fixture
async def twin_sim(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Simulator]:
    """The demo home without a broker (the account and MiNA twins need none)."""
    async with started_simulator(tmp_path / "twin", simulator_cert_dir, broker=False) as sim:
        yield sim


@pytest.fixture
async def twin(twin_sim: Simulator) -> AsyncGenerator[TwinClient]:
    """Raw HTTP to the twins (no cookie jar)."""
    context = ssl.create_default_context(cafile=twin_sim.ca_file)
    connector = aiohttp.TCPConnector(ssl=context, resolver=aiohttp.ThreadedResolver())
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        yield TwinClient(twin_sim, session)
