"""Local first, cloud as the fallback: the router against the LAN twin and the cloud twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from miot import (
    MiotDeviceApi,
    MiotDeviceRouter,
    MiotLanError,
    MiotLanTimeoutError,
    MiotPropertyError,
    PropertyResult,
)
import pytest

from .test_lan import LAMP, LAMP_BRIGHTNESS, LAMP_ON, Lan, _start, _stop

BLE = "blt.3.1a2b3c4d5e6f"  # a BLE thermometer: never on the LAN
PROP_GET = "/app/v2/miotspec/prop/get"
PROP_SET = "/app/v2/miotspec/prop/set"
ACTION = "/app/v2/miotspec/action"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def lan(socket_enabled: None, tmp_path: Path, cert_dir: Path) -> AsyncIterator[Lan]:
    """Demo home with its LAN twin (no broker)."""
    setup = await _start(tmp_path, cert_dir, broker=False)
    try:
        yield setup
    finally:
        await _stop(setup)


def _router(lan: Lan, **kwargs: Any) -> MiotDeviceRouter:
    return MiotDeviceRouter(lan.h.client, lan.client, **kwargs)


async def test_router_is_a_device_api(lan: Lan) -> None:
    """The coordinator can hold the router where it held the cloud client."""
    router = _router(lan)
    assert isinstance(router, MiotDeviceApi)
    await router.close()


async def test_auto_reads_lan_devices_locally_and_the_rest_on_the_cloud(lan: Lan) -> None:
    """One call: the lamp is read over the LAN, the BLE thermometer through the cloud."""
    router = _router(lan)
    await lan.h.reset_counters()
    before = (await lan.counts()).get("request", 0)
    results = await router.get_properties([(LAMP, *LAMP_ON), (BLE, 2, 1), (LAMP, 2, 99)])
    assert [r.ok for r in results] == [True, True, False]
    assert results[0].value is lan.h.sim.cloud.device(LAMP).values[LAMP_ON]
    assert (await lan.counts())["request"] > before
    assert await lan.h.http_count(PROP_GET) == 1  # the thermometer only
    assert router.route(LAMP) == "lan"
    assert router.route(BLE) == "cloud"
    assert router.stats.as_dict()["lan_devices_reached"] == 1
    assert await router.get_property(LAMP, *LAMP_ON) in (True, False)
    with pytest.raises(MiotPropertyError):
        await router.get_property(LAMP, 2, 99)
    await router.close()


async def test_silent_device_falls_back_within_one_call_and_comes_back(lan: Lan) -> None:
    """A device that stops answering on the LAN is answered by the cloud in the same call, stays
    on the cloud for retry_after, then the LAN is tried again."""
    clock = Clock()
    router = _router(lan, retry_after=60, clock=clock)
    await lan.lan_control(LAMP, silent=True)
    await lan.h.reset_counters()
    (result,) = await router.get_properties([(LAMP, *LAMP_BRIGHTNESS)])
    assert result.ok
    assert await lan.h.http_count(PROP_GET) == 1
    assert router.route(LAMP) == "cloud"
    assert router.stats.fallbacks == 1
    await router.set_property(LAMP, *LAMP_BRIGHTNESS, 42)
    assert await lan.h.http_count(PROP_SET) == 1
    assert lan.h.sim.cloud.device(LAMP).values[LAMP_BRIGHTNESS] == 42
    # The device answers again; after retry_after the LAN is used again.
    await lan.lan_control(LAMP, silent=False)
    clock.now += 61
    assert router.route(LAMP) == "lan"
    await router.set_property(LAMP, *LAMP_BRIGHTNESS, 43)
    assert await lan.h.http_count(PROP_SET) == 1  # no new cloud write
    assert lan.h.sim.cloud.device(LAMP).values[LAMP_BRIGHTNESS] == 43
    await router.close()


async def test_local_mode_has_no_fallback_and_cloud_mode_no_lan(lan: Lan) -> None:
    """`local`: a silent device is an error; `cloud`: the LAN is never used."""
    router = _router(lan, modes={LAMP: "local"})
    await lan.lan_control(LAMP, silent=True)
    with pytest.raises(MiotLanTimeoutError):
        await router.get_properties([(LAMP, *LAMP_ON)])
    with pytest.raises(MiotLanError):
        await router.set_property(LAMP, *LAMP_ON, True)
    with pytest.raises(MiotLanError):
        await router.call_action(LAMP, 2, 1)
    await router.close()
    await lan.lan_control(LAMP, silent=False)
    router = _router(lan, mode="cloud")
    before = (await lan.counts()).get("request", 0)
    await router.set_property(LAMP, *LAMP_ON, True)
    assert (await lan.counts()).get("request", 0) == before
    assert router.route(LAMP) == "cloud"
    await router.close()
    assert MiotDeviceRouter(lan.h.client).route(LAMP) == "cloud"  # no LAN client at all


async def test_writes_refusals_and_reread(lan: Lan) -> None:
    """A local write is read back once over the LAN; a refused item is the device's answer (no
    cloud retry); the single-write error is raised as the clients do."""
    values: list[list[PropertyResult]] = []
    router = _router(lan, reread_delay=0.01, on_values=values.append)
    await lan.h.reset_counters()
    results = await router.set_properties([(LAMP, *LAMP_BRIGHTNESS, 55), (LAMP, 2, 99, 1)])
    assert [r.ok for r in results] == [True, False]
    async with asyncio.timeout(2):
        while not values:
            await asyncio.sleep(0.01)
    assert [(r.siid, r.piid, r.value) for r in values[0]] == [(*LAMP_BRIGHTNESS, 55)]
    with pytest.raises(MiotPropertyError):
        await router.set_property(LAMP, 2, 99, 1)
    with pytest.raises(MiotPropertyError):
        await router.set_property(BLE, 2, 99, 1)  # the cloud's refusal, the same way
    assert await lan.h.http_count(PROP_SET) == 1
    await router.close()


async def test_actions_fall_back_and_token_errors_are_reported(lan: Lan) -> None:
    """An action goes over the LAN, or the cloud when the LAN fails; a wrong token is reported
    once so the owner can fetch the new token from the cloud."""
    reported: list[str] = []
    clock = Clock()
    router = _router(lan, clock=clock, on_token_error=reported.append)
    spec = lan.h.sim.cloud.device(LAMP).spec
    siid, aiid = next(iter(spec.actions))
    await lan.h.reset_counters()
    await router.call_action(LAMP, siid, aiid)
    assert await lan.h.http_count(ACTION) == 0
    await lan.lan_control(LAMP, wrong_token=True)
    await router.call_action(LAMP, siid, aiid)
    assert await lan.h.http_count(ACTION) == 1
    assert reported == [LAMP]
    clock.now += 120
    await router.get_properties([(LAMP, *LAMP_ON)])
    assert reported == [LAMP]  # once per failure streak
    await router.close()


async def test_close_ends_pending_rereads(lan: Lan) -> None:
    """A re-read still waiting when the router closes is cancelled, not left behind."""
    values: list[list[PropertyResult]] = []
    router = _router(lan, reread_delay=30, on_values=values.append)
    await router.set_property(LAMP, *LAMP_ON, True)
    await router.close()
    assert values == []
    await router.set_property(LAMP, *LAMP_ON, False)  # after close: no new re-read task
