"""The conformance suite's own client of the protocol (docs/protocol.md), independent of the
connector: plain aiohttp requests shaped as the facts say, and a paho-mqtt probe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
import json
import ssl
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit
import uuid

import aiohttp
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
import pytest

from simulator import Simulator

APP_ID = "2882303761520251711"  # public client id of the official integration
REDIRECT_URI = "http://homeassistant.local:8123/api/webhook/conformance"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant here (replaces the autouse fixture of tests/conftest.py)."""


async def body_of(resp: aiohttp.ClientResponse) -> Any:
    """JSON when the body is JSON, else the text."""
    text = await resp.text()
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass
class Client:
    """Speaks to one base URL that serves every HTTP role, as protocol.md describes them."""

    base_url: str
    session: aiohttp.ClientSession
    device_id: str = field(default_factory=lambda: f"ha.{uuid.uuid4().hex}")
    access_token: str = ""
    refresh_token: str = ""

    def headers(self, token: str | None = None) -> dict[str, str]:
        """The HTTP API headers of the official client (no space after `Bearer`)."""
        return {
            "X-Client-BizId": "haapi",
            "Content-Type": "application/json",
            "X-Client-AppId": APP_ID,
            "Authorization": f"Bearer{self.access_token if token is None else token}",
        }

    async def api(
        self, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST an HTTP API call."""
        async with self.session.post(
            self.base_url + path, json=body, headers=self.headers() if headers is None else headers
        ) as resp:
            return resp.status, await body_of(resp)

    async def result(self, path: str, body: Any) -> Any:
        """POST and return `result` of a success envelope."""
        status, answer = await self.api(path, body)
        assert status == 200, answer
        assert answer["code"] == 0, answer
        return answer["result"]

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        """GET without credentials (spec service, profile, authorize page)."""
        async with self.session.get(
            self.base_url + path, params=params, allow_redirects=False
        ) as resp:
            return resp.status, await body_of(resp)

    async def get_token(self, data: Any) -> tuple[int, Any]:
        """`get_token` as the official client sends it: GET, `data` = JSON text."""
        async with self.session.get(
            self.base_url + "/app/v2/ha/oauth/get_token",
            params={"data": json.dumps(data)},
            headers={"content-type": "application/x-www-form-urlencoded"},
        ) as resp:
            return resp.status, await body_of(resp)

    def authorize_query(self, **extra: str) -> dict[str, str]:
        """The authorize page's query."""
        return {
            "redirect_uri": REDIRECT_URI,
            "client_id": APP_ID,
            "response_type": "code",
            "device_id": self.device_id,
            "state": "conformance-state",
            **extra,
        }

    async def code_from_page(self, **extra: str) -> str:
        """Walk the authorize page (skipping confirmation) to the redirect; return its code."""
        async with self.session.get(
            self.base_url + "/oauth2/authorize",
            params=self.authorize_query(skip_confirm="true", **extra),
            allow_redirects=False,
        ) as resp:
            assert resp.status == 302
            location = resp.headers["Location"]
        assert location.startswith(REDIRECT_URI + "?")
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == ["conformance-state"]
        return query["code"][0]

    async def sign_in(self) -> dict[str, Any]:
        """Authorization code flow; keeps and returns the token answer."""
        code = await self.code_from_page()
        status, answer = await self.get_token(
            {
                "client_id": int(APP_ID),
                "redirect_uri": REDIRECT_URI,
                "code": code,
                "device_id": self.device_id,
            }
        )
        assert status == 200, answer
        self.access_token = answer["result"]["access_token"]
        self.refresh_token = answer["result"]["refresh_token"]
        return dict(answer["result"])


@pytest.fixture
async def client(simulator: Simulator, simulator_session: aiohttp.ClientSession) -> Client:
    """A signed-in client of the demo home (TLS, broker)."""
    signed_in = Client(simulator.base_url, simulator_session)
    await signed_in.sign_in()
    return signed_in


@pytest.fixture
async def big_client(socket_enabled: None, tmp_path: Any) -> AsyncGenerator[Client]:
    """A signed-in client of a plain-HTTP simulator with 330 generated devices (no broker)."""
    sim = Simulator(home=None, devices=330, state_dir=tmp_path, tls=False, broker=False)
    await sim.start()
    try:
        connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
        async with aiohttp.ClientSession(connector=connector) as session:
            signed_in = Client(sim.base_url, session)
            await signed_in.sign_in()
            yield signed_in
    finally:
        await sim.stop()


class Probe:
    """An MQTT client as protocol.md describes it (TLS, v5, clean start, keepalive 60, client id
    `ha.<uuid>`, user = app id, password = access token), on paho's own thread (joined by
    `close`); records (topic, payload) of the topics it subscribes to."""

    def __init__(self, sim: Simulator, password: str) -> None:
        self.sim = sim
        self.messages: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        self.connack: int | None = None
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"ha.{uuid.uuid4().hex}",
            protocol=mqtt.MQTTv5,
        )
        self.client.username_pw_set(APP_ID, password)
        self.client.tls_set_context(ssl.create_default_context(cafile=sim.ca_file))
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.connack = int(reason.value)

    def _on_subscribe(self, client: Any, userdata: Any, mid: Any, reasons: Any, props: Any) -> None:
        self.subscribed.set()

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self.lock:
            self.messages.append((message.topic, json.loads(message.payload)))

    async def connect(self) -> int:
        """Connect (clean start); returns the CONNACK reason code."""
        self.client.connect(self.sim.mqtt_host, self.sim.mqtt_port, keepalive=60, clean_start=True)
        self.client.loop_start()
        await until(lambda: self.connack is not None)
        assert self.connack is not None
        return self.connack

    async def subscribe(self, topics: list[str]) -> None:
        """Subscribe and wait for the SUBACK."""
        self.subscribed.clear()
        self.client.subscribe([(topic, 0) for topic in topics])
        await until(self.subscribed.is_set)

    async def wait(self, predicate: Callable[[str, Any], bool], seconds: float = 3.0) -> Any:
        """The first recorded message matching."""

        def find() -> tuple[str, Any] | None:
            with self.lock:
                return next((m for m in self.messages if predicate(*m)), None)

        await until(lambda: find() is not None, seconds)
        return find()

    def close(self) -> None:
        """Disconnect and join paho's thread."""
        self.client.disconnect()
        self.client.loop_stop()


async def until(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Poll until the condition holds."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def probes(simulator: Simulator) -> AsyncGenerator[list[Probe]]:
    """MQTT probes made by a test; each is closed afterwards."""
    made: list[Probe] = []
    try:
        yield made
    finally:
        for probe in made:
            probe.close()
