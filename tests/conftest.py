"""Shared fixtures: the cloud simulator and Home Assistant custom integrations."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
import ssl
from typing import Any

import aiohttp
import pytest

from simulator import CLIENT_ID, Simulator

# Test directories whose tests never need a Home Assistant instance.
_NO_HASS_DIRS = ("simulator", "connector")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Enable custom integrations in Home Assistant tests (not in library/simulator tests)."""
    if request.node.path.parent.name not in _NO_HASS_DIRS:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture(scope="session")
def simulator_cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA and server certificate shared by every simulator of the session."""
    return tmp_path_factory.mktemp("simulator-certs")


@pytest.fixture
async def simulator(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Simulator]:
    """A started simulator: demo home, TLS, mosquitto broker, on the test's event loop."""
    sim = Simulator(
        home="demo",
        state_dir=tmp_path / "simulator",
        cert_dir=simulator_cert_dir,
        fault_timeout=5.0,
    )
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
def simulator_tokens(simulator: Simulator) -> dict[str, Any]:
    """A token pair issued by the simulator (no browser flow)."""
    return simulator.issue_tokens()


@pytest.fixture
async def simulator_session(simulator: Simulator) -> AsyncGenerator[aiohttp.ClientSession]:
    """An aiohttp session trusting the simulator's CA (threaded resolver: no lingering thread)."""
    context = ssl.create_default_context(cafile=simulator.ca_file)
    connector = aiohttp.TCPConnector(ssl=context, resolver=aiohttp.ThreadedResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


def api_headers(access_token: str) -> dict[str, str]:
    """Headers of the cloud's HTTP API, as the official client sends them."""
    return {
        "X-Client-BizId": "haapi",
        "Content-Type": "application/json",
        "X-Client-AppId": CLIENT_ID,
        "Authorization": f"Bearer{access_token}",
    }
