"""Shared fixtures: the cloud simulator and Home Assistant custom integrations."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager
import logging
from pathlib import Path
import ssl
from typing import Any

import aiohttp
from hypothesis import settings
import pytest

from simulator import CLIENT_ID, Simulator

# Property tests draw the same examples on every run (CI starts from a fresh clone with no
# example database, and must not pass or fail by luck); `--hypothesis-profile=explore` draws
# new, many more examples when looking for bugs.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", max_examples=20_000)
settings.load_profile("ci")

# Test directories whose tests never need a Home Assistant instance.
_NO_HASS_DIRS = ("simulator", "connector", "browser")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Enable custom integrations in Home Assistant tests (not in library/simulator tests)."""
    if request.node.path.parent.name not in _NO_HASS_DIRS:
        request.getfixturevalue("enable_custom_integrations")


class _UsageReports(logging.Handler):
    """Collects Home Assistant's reports of deprecated or wrong API use by this integration."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        lowered = message.lower()
        if "miot_connect" in message and ("please report" in lowered or "deprecated" in lowered):
            self.reports.append(message)
        elif record.name == "homeassistant.helpers.frame":
            # Frame-helper reports that could not name an integration ("Detected code that ...").
            self.reports.append(message)


# Installed for the whole session: reports made while modules are imported (deprecated constants,
# for example) happen before any test runs and fail the session in pytest_sessionfinish.
_USAGE_REPORTS = _UsageReports()
logging.getLogger().addHandler(_USAGE_REPORTS)


@pytest.fixture(autouse=True)
def fail_on_usage_reports() -> Generator[None]:
    """Fail a test when Home Assistant reports deprecated or wrong use of its API by us."""
    before = len(_USAGE_REPORTS.reports)
    yield
    new = _USAGE_REPORTS.reports[before:]
    del _USAGE_REPORTS.reports[before:]
    assert not new, "Home Assistant reported API misuse:\n" + "\n".join(new)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Reports outside any test (at import time) fail the run too."""
    if _USAGE_REPORTS.reports:
        print("\nHome Assistant reported API misuse outside a test:")
        print("\n".join(_USAGE_REPORTS.reports))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def simulator_cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA and server certificate shared by every simulator of the session."""
    return tmp_path_factory.mktemp("simulator-certs")


@asynccontextmanager
async def started_simulator(
    state_dir: Path, cert_dir: Path, **options: Any
) -> AsyncGenerator[Simulator]:
    """The demo home (TLS, broker unless `broker=False`), started here and stopped after."""
    sim = Simulator(
        home="demo", state_dir=state_dir, cert_dir=cert_dir, fault_timeout=5.0, **options
    )
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def simulator(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Simulator]:
    """A started simulator: demo home, TLS, mosquitto broker, on the test's event loop."""
    async with started_simulator(tmp_path / "simulator", simulator_cert_dir) as sim:
        yield sim


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
