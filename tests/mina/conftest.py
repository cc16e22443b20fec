"""Fixtures of the MiNA connector tests: the library loaded on its own, and the simulator twins.

The library is loaded as the top-level package `mina` straight from its directory, so these
tests never load the Home Assistant side of the integration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp
from aiohttp import web
import pytest

ROOT = Path(__file__).resolve().parents[2]
MINA_DIR = ROOT / "custom_components" / "miot_connect" / "mina"
if str(ROOT) not in sys.path:  # pragma: no cover - pytest usually did it
    sys.path.insert(0, str(ROOT))


from tests.standalone import load_standalone  # noqa: E402

load_standalone("mina", MINA_DIR)

from mina import (  # noqa: E402
    MinaAuth,
    MinaClient,
    MinaCredential,
    MinaEndpoints,
    MinaSignIn,
    SignInStep,
)

from simulator import Simulator  # noqa: E402
from simulator.passport import DEFAULT_PASSWORD  # noqa: E402
from tests.conftest import started_simulator  # noqa: E402

SPEAKER = "100007"  # xiaomi.wifispeaker.lx06 in the demo home


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """These tests need no Home Assistant (overrides the root conftest's autouse fixture)."""


def new_session() -> aiohttp.ClientSession:
    """A session as the connector wants it: no cookie jar (no lingering resolver thread)."""
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())


@pytest.fixture
async def sim(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncIterator[Simulator]:
    """The demo home with the account and MiNA twins, TLS, no broker."""
    async with started_simulator(tmp_path / "sim", simulator_cert_dir, broker=False) as simulator:
        yield simulator


@pytest.fixture
async def session(sim: Simulator) -> AsyncIterator[aiohttp.ClientSession]:
    """The injected session."""
    async with new_session() as client_session:
        yield client_session


@pytest.fixture
def endpoints(sim: Simulator) -> MinaEndpoints:
    """Every role pointed at the simulator."""
    return MinaEndpoints.for_region("cn", base_url=sim.base_url, ca_file=sim.ca_file)


@dataclass
class Harness:
    """A signed-in client and the simulator's control API."""

    sim: Simulator
    session: aiohttp.ClientSession
    endpoints: MinaEndpoints
    auth: MinaAuth
    client: MinaClient
    saved: list[MinaCredential]

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call `/_sim/<path>`; returns the JSON answer."""
        async with self.session.request(
            method, f"{self.sim.base_url}/_sim/{path}", json=body, ssl=await self.ssl()
        ) as response:
            assert response.status < 300, await response.text()
            return await response.json()

    async def ssl(self) -> Any:
        """The SSL argument for direct requests."""
        from mina import async_ssl_context

        return await async_ssl_context(self.endpoints.ca_file)

    async def http_count(self, path: str) -> int:
        """Requests the simulator saw on a path."""
        return int((await self.control("GET", "counters"))["http"].get(path, 0))

    async def fault(self, **fault: Any) -> None:
        """Inject a fault."""
        await self.control("POST", "faults", fault)

    async def miot_action(self, did: str, siid: int, aiid: int, ins: list[Any]) -> Any:
        """Run a MIoT action through the simulator's HTTP API."""
        from tests.conftest import api_headers

        token = self.sim.issue_tokens()["access_token"]
        async with self.session.post(
            f"{self.sim.base_url}/app/v2/miotspec/action",
            json={"params": {"did": did, "siid": siid, "aiid": aiid, "in": ins}},
            headers=api_headers(token),
            ssl=await self.ssl(),
        ) as response:
            assert response.status == 200
            return (await response.json())["result"]


async def sign_in(
    session: aiohttp.ClientSession, endpoints: MinaEndpoints, user: str = "demo@example.com"
) -> MinaCredential:
    """A password sign-in of an account without challenges."""
    flow = MinaSignIn(session, endpoints)
    result = await flow.start(user, DEFAULT_PASSWORD)
    assert result.step is SignInStep.OK
    assert result.credential is not None
    return result.credential


@pytest.fixture
async def harness(
    sim: Simulator, session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> Harness:
    """The demo account signed in, with a client."""
    saved: list[MinaCredential] = []
    credential = await sign_in(session, endpoints)
    auth = MinaAuth(session, endpoints, credential, on_credential_update=saved.append)
    return Harness(sim, session, endpoints, auth, MinaClient(auth), saved)


# ----------------------------------------------------------------------------- scripted server
type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LOGIN_FORM = {"code": 70016, "_sign": "S", "qs": "q", "sid": "micoapi", "callback": "cb"}


def account(body: Any, *, status: int = 200, cookies: dict[str, str] | None = None) -> Handler:
    """A handler answering `&&&START&&&<json>`."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.Response(text="&&&START&&&" + json.dumps(body), status=status)
        for name, value in (cookies or {}).items():
            response.set_cookie(name, value)
        return response

    return handler


def raw(
    text: str = "", *, status: int = 200, cookies: dict[str, str] | None = None, **headers: str
) -> Handler:
    """A handler answering plain text."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.Response(text=text, status=status, headers=headers)
        for name, value in (cookies or {}).items():
            response.set_cookie(name, value)
        return response

    return handler


def session_answer(location: str = "/sts?t=1", **extra: Any) -> dict[str, Any]:
    """A signed-in answer."""
    return {
        "code": 0,
        "userId": 42,
        "passToken": "PT",
        "ssecurity": "SEC",
        "nonce": "7",
        "location": location,
        **extra,
    }


@dataclass
class Seen:
    """A request the scripted server received."""

    path: str
    query: dict[str, str]
    cookies: dict[str, str]
    form: dict[str, str]


@dataclass
class Scripted:
    """A scripted account service: `routes[(method, path)]` answers."""

    base_url: str
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    @property
    def endpoints(self) -> MinaEndpoints:
        """Every role at the scripted server."""
        return MinaEndpoints.for_region("de", base_url=self.base_url + "/")


async def start_scripted() -> tuple[Scripted, web.AppRunner]:
    """A scripted server on 127.0.0.1 (plain HTTP) and its runner."""
    state = Scripted("")

    async def dispatch(request: web.Request) -> web.StreamResponse:
        form = {key: str(value) for key, value in (await request.post()).items()}
        state.seen.append(Seen(request.path, dict(request.query), dict(request.cookies), form))
        handler = state.routes.get((request.method, request.path))
        if handler is None:
            return web.Response(status=404, text="not scripted")
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server)
    state.base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    state.routes[("GET", "/pass/serviceLogin")] = account(LOGIN_FORM)
    return state, runner


@pytest.fixture
async def scripted(socket_enabled: None) -> AsyncIterator[Scripted]:
    """A scripted account service (and MiNA API) on 127.0.0.1."""
    state, runner = await start_scripted()
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
async def other_host(socket_enabled: None) -> AsyncIterator[Scripted]:
    """A second scripted server: another origin."""
    state, runner = await start_scripted()
    try:
        yield state
    finally:
        await runner.cleanup()
