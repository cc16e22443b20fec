"""Fixtures of the connector tests.

The library is loaded as the top-level package `miot` straight from its directory, so
these tests never load the Home Assistant side of the integration (the integration's own
directory is NOT put on sys.path: its platform modules, e.g. `select.py`, would shadow
the standard library).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
import sys
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB_PARENT = ROOT / "custom_components" / "miot_connect"
# The 181 real spec documents (copied from the shared set, with their SOURCES.md).
SPECS_DIR = Path(__file__).resolve().parents[1] / "data" / "shared_specs"
LIB_DIR = LIB_PARENT / "miot"
if str(ROOT) not in sys.path:  # pragma: no cover - pytest usually did it
    sys.path.insert(0, str(ROOT))


from tests.standalone import load_standalone  # noqa: E402

load_standalone("miot", LIB_DIR)

from miot import (  # noqa: E402
    CloudEndpoints,
    MiotAuth,
    MiotCloudClient,
    OAuthToken,
    async_ssl_context,
)


@dataclass
class Harness:
    """A simulator with a connected library: session, auth, client and control helpers."""

    sim: Any
    session: aiohttp.ClientSession
    endpoints: CloudEndpoints
    auth: MiotAuth
    client: MiotCloudClient
    saved: list[OAuthToken] = field(default_factory=list)

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the simulator's `/_sim/` API."""
        context = await async_ssl_context(self.endpoints.ca_file)
        async with self.session.request(
            method, f"{self.sim.base_url}/_sim/{path}", json=body, ssl=context or True
        ) as response:
            assert response.status < 300, await response.text()
            return await response.json()

    async def auth_ssl(self) -> Any:
        """The SSL argument for direct requests."""
        return await async_ssl_context(self.endpoints.ca_file) or True

    async def counters(self) -> dict[str, Any]:
        """HTTP and MQTT counters."""
        result: dict[str, Any] = await self.control("GET", "counters")
        return result

    async def http_count(self, path: str) -> int:
        """Requests the simulator saw on a path."""
        return int((await self.counters())["http"].get(path, 0))

    async def reset_counters(self) -> None:
        """Zero the counters."""
        await self.control("DELETE", "counters")

    async def fault(self, **fault: Any) -> None:
        """Inject a fault."""
        await self.control("POST", "faults", fault)


def endpoints_for(sim: Any) -> CloudEndpoints:
    """Endpoints pointing at a simulator."""
    return CloudEndpoints.for_region(
        "de",
        base_url=sim.base_url,
        mqtt_host=sim.mqtt_host,
        mqtt_port=sim.mqtt_port,
        ca_file=sim.ca_file,
    )


async def make_harness(sim: Any, **client_args: Any) -> Harness:
    """Library objects logged in to `sim` with freshly issued tokens."""
    session = aiohttp.ClientSession()
    endpoints = endpoints_for(sim)
    saved: list[OAuthToken] = []
    auth = MiotAuth(
        session,
        endpoints,
        token=OAuthToken.from_dict(sim.issue_tokens()),
        on_token_update=saved.append,
    )
    client_args.setdefault("read_window", 0.02)
    client = MiotCloudClient(auth, **client_args)
    return Harness(sim, session, endpoints, auth, client, saved)


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA and server certificate for every simulator of the session."""
    return tmp_path_factory.mktemp("certs")


type SimFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_sim(
    socket_enabled: None, tmp_path: Path, cert_dir: Path
) -> AsyncIterator[SimFactory]:
    """Start simulators (generated homes from the shared specs) with a logged-in library."""
    from simulator import Simulator

    started: list[Harness] = []

    async def factory(
        devices: int = 12,
        *,
        broker: bool = False,
        client_args: dict[str, Any] | None = None,
        **sim_args: Any,
    ) -> Harness:
        sim = Simulator(
            home=None,
            devices=devices,
            state_dir=tmp_path / f"sim{len(started)}",
            broker=broker,
            spec_dirs=[SPECS_DIR],
            cert_dir=cert_dir,
            fault_timeout=5.0,
            **sim_args,
        )
        await sim.start()
        try:
            h = await make_harness(sim, **(client_args or {}))
        except BaseException:  # pragma: no cover - setup failure
            await sim.stop()
            raise
        started.append(h)
        return h

    yield factory
    for h in started:
        await h.client.close()
        await h.session.close()
        await h.sim.stop()


@pytest.fixture
async def harness(make_sim: SimFactory) -> Harness:
    """A small generated home, HTTP only."""
    return await make_sim(12)
