"""The `/_sim/` control API: devices and faults."""

from __future__ import annotations

import asyncio
from pathlib import Path
import time

import aiohttp

from simulator import Fault, Simulator

from .conftest import Api, wait_for

GETHOME = "/app/v2/homeroom/gethome"


async def test_devices_list_detail_add_remove(api: Api, simulator: Simulator) -> None:
    """List, detail, add and remove devices."""
    status, devices = await api.control("GET", "devices")
    assert status == 200
    assert len(devices) == 29
    lamp = next(d for d in devices if d["did"] == "100001")
    assert lamp["urn"].startswith("urn:miot-spec-v2:device:light")
    assert lamp["room_id"] == "20001"
    status, detail = await api.control("GET", "devices/100001")
    assert detail["properties"]["2.2"] == 60
    assert detail["actions"] == []
    assert (await api.control("GET", "devices/nope"))[0] == 404

    new = {"did": "555", "name": "New Lamp", "model": "yeelink.light.mono4", "room": "20003"}
    status, body = await api.control("POST", "devices", new)
    assert status == 201
    assert body["urn"] == "urn:miot-spec-v2:device:light:0000A001:yeelink-mono4:1"
    assert simulator.cloud.devices["555"].home_id == "10001"
    by_urn = {
        "did": "556",
        "urn": "urn:miot-spec-v2:device:light:0000A001:yeelink-mono4:1",
        "model": "yeelink.light.mono4",
        "home_id": "10002",
        "properties": {"2.2": 5},
    }
    assert (await api.control("POST", "devices", by_urn))[0] == 201
    assert simulator.cloud.devices["556"].room_id is None
    assert simulator.cloud.devices["556"].values[(2, 2)] == 5
    result = await api.result(GETHOME, {"fetch_share": True, "fetch_share_dev": True})
    assert "555" in result["homelist"][0]["roomlist"][2]["dids"]
    assert result["share_home_list"][0]["dids"] == ["556"]
    for bad in (
        new,  # duplicate
        {"did": "557", "model": "no.such.model"},
        {"did": "558", "model": "yeelink.light.mono4", "room": "nope"},
        {"did": "559", "model": "yeelink.light.mono4", "home_id": "nope"},
        {"did": "560", "model": "yeelink.light.mono4", "properties": {"2.2": 500}},
        {"name": "no did"},
        {"did": "561", "model": "yeelink.light.mono4", "shared_by": {"userid": 1}},
        {"did": "562", "model": "yeelink.light.mono4", "shared_by": "x"},
        {
            "did": "563",
            "model": "yeelink.light.mono4",
            "room": "20003",
            "shared_by": {"userid": 1, "nickname": "A"},
        },
    ):
        assert (await api.control("POST", "devices", bad))[0] == 400
    alone = {
        "did": "564",
        "model": "yeelink.light.mono4",
        "shared_by": {"userid": 7, "nickname": "B"},
    }
    assert (await api.control("POST", "devices", alone))[0] == 201
    assert simulator.cloud.devices["564"].home_id is None
    assert simulator.cloud.devices["564"].shared_by == (7, "B")
    assert (await api.control("DELETE", "devices/555"))[0] == 200
    assert (await api.control("DELETE", "devices/555"))[0] == 404
    assert "555" not in simulator.cloud.devices


async def test_fault_status_count_and_path(api: Api) -> None:
    """HTTP 5xx for `count` requests on a path prefix."""
    fault = {"status": 503, "path": "/app/v2/homeroom", "count": 2}
    assert (await api.control("POST", "faults", fault))[0] == 200
    assert (await api.post("/app/v2/miotspec/prop/get", {"params": []}))[0] == 200
    assert (await api.post(GETHOME, {}))[0] == 503
    assert (await api.post(GETHOME, {}))[0] == 503
    assert (await api.post(GETHOME, {}))[0] == 200
    _, counters = await api.control("GET", "counters")
    assert counters["http"][GETHOME] == 3


async def test_fault_rate_limit_malformed_clear(api: Api) -> None:
    """429 with Retry-After, malformed JSON, and clearing faults."""
    assert (await api.control("POST", "faults", {"rate_limit": True, "count": 1}))[0] == 200
    status, body = await api.post(GETHOME, {})
    assert status == 429
    assert body["code"] == 429
    await api.control("POST", "faults", {"malformed": True, "count": 1})
    status, body = await api.post(GETHOME, {})
    assert status == 200
    assert isinstance(body, str)
    await api.control("POST", "faults", {"status": 500})
    assert (await api.post(GETHOME, {}))[0] == 500
    assert (await api.post(GETHOME, {}))[0] == 500
    assert (await api.control("DELETE", "faults"))[0] == 200
    assert (await api.post(GETHOME, {}))[0] == 200
    assert (await api.control("POST", "faults", {"latency": "x"}))[0] == 400


async def test_fault_latency(api: Api) -> None:
    """Latency delays the answer, which still succeeds."""
    await api.control("POST", "faults", {"latency": 0.3, "count": 1})
    start = time.monotonic()
    assert (await api.post(GETHOME, {}))[0] == 200
    assert time.monotonic() - start >= 0.3


async def test_fault_timeout(api: Api) -> None:
    """A timeout fault holds the request past the client's timeout."""
    await api.control("POST", "faults", {"timeout": True, "count": 1})
    url = api.sim.base_url + "/miot-spec-v2/instances"
    start = time.monotonic()
    try:
        async with api.session.get(url, timeout=aiohttp.ClientTimeout(total=0.3)) as resp:
            raise AssertionError(f"answered {resp.status}")
    except TimeoutError:
        pass
    assert time.monotonic() - start < 2
    assert (await api.get("/miot-spec-v2/instances"))[0] == 200


async def test_timeout_fault_ends_with_stop(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> None:
    """A held request is released (504) when its time is up, and stop() never waits for it."""
    sim = Simulator(home="demo", state_dir=tmp_path, tls=False, broker=False, fault_timeout=0.2)
    await sim.start()
    try:
        connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
        async with aiohttp.ClientSession(connector=connector) as session:
            sim.cloud.faults.append(Fault(timeout=True, count=1))
            async with session.get(sim.base_url + "/miot-spec-v2/instances") as resp:
                assert resp.status == 504
            sim.cloud.faults.append(Fault(timeout=True, count=1))
            sim.fault_timeout = 10
            task = asyncio.ensure_future(session.get(sim.base_url + "/miot-spec-v2/instances"))
            await asyncio.sleep(0.05)
            start = time.monotonic()
            await sim.stop()
            assert time.monotonic() - start < 2
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await sim.stop()


async def test_hide_a_device_from_lists(api: Api, simulator: Simulator) -> None:
    """A hidden device is left out of the next device-list answer(s), then listed again."""
    assert (await api.control("POST", "devices/100001/hide", {"lists": 2}))[0] == 200
    assert (await api.control("POST", "devices/nope/hide", {}))[0] == 404
    for _ in range(2):
        result = await api.result(GETHOME, {})
        assert "100001" not in result["homelist"][0]["roomlist"][0]["dids"]
        listed = await api.result("/app/v2/home/device_list_page", {"dids": ["100001", "100002"]})
        assert [d["did"] for d in listed["list"]] == ["100002"]
    listed = await api.result("/app/v2/home/device_list_page", {})
    assert "100001" in [d["did"] for d in listed["list"]]
    simulator.cloud.hide("100001", 1)
    simulator.cloud.hide("100001", 0)
    assert simulator.cloud.hidden == {}


async def test_late_answer(api: Api, simulator: Simulator) -> None:
    """`late`: the request takes effect at once, only its answer waits."""
    fault = {"latency": 0.5, "late": True, "path": "/app/v2/miotspec/prop/set"}
    assert (await api.control("POST", "faults", fault))[0] == 200
    body = {"params": [{"did": "100001", "siid": 2, "piid": 2, "value": 42}]}
    task = asyncio.create_task(api.result("/app/v2/miotspec/prop/set", body))
    await wait_for(lambda: simulator.cloud.device("100001").values[(2, 2)] == 42)
    assert not task.done()
    await task
