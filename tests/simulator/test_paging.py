"""Paging of homes and device lists with a generated home of more than 300 devices."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path

import aiohttp
import pytest

from simulator import Simulator

from .conftest import Api


@pytest.fixture
async def big_api(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> AsyncGenerator[Api]:
    """A simulator with 330 generated devices (no broker, plain HTTP)."""
    sim = Simulator(home=None, devices=330, state_dir=tmp_path, tls=False, broker=False)
    await sim.start()
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            yield Api(sim, session, sim.issue_tokens()["access_token"])
    finally:
        await sim.stop()


async def test_home_paging(big_api: Api) -> None:
    """gethome gives the first page, get_dev_room_page the rest."""
    assert big_api.sim.base_url.startswith("http://")
    result = await big_api.result("/app/v2/homeroom/gethome", {"limit": 150})
    homes = {home["id"]: home for home in result["homelist"]}
    assert len(homes) == 2  # 200 devices per generated home
    seen = [did for home in homes.values() for room in home["roomlist"] for did in room["dids"]]
    assert len(seen) == 150
    assert result["has_more"] is True
    max_id = result["max_id"]
    pages = 0
    while True:
        page = await big_api.result(
            "/app/v2/homeroom/get_dev_room_page", {"start_id": max_id, "limit": 100}
        )
        pages += 1
        for info in page["info"]:
            assert info["id"] in homes
            seen += info["dids"]
            for room in info["roomlist"]:
                assert room["dids"]
                seen += room["dids"]
        max_id = page["max_id"]
        if not page["has_more"]:
            break
    assert pages == 2
    assert len(seen) == len(set(seen)) == 330
    assert set(seen) == set(big_api.sim.cloud.devices)
    bad = await big_api.result("/app/v2/homeroom/get_dev_room_page", {"start_id": "x"})
    assert bad["has_more"] is True


async def test_device_list_paging(big_api: Api) -> None:
    """limit, start_did, has_more, next_start_did; only the dids asked for."""
    dids = list(big_api.sim.cloud.devices)[:310]
    collected: list[str] = []
    start_did: str | None = None
    calls = 0
    while True:
        body: dict[str, object] = {"limit": 120, "dids": dids, "get_split_device": True}
        if start_did:
            body["start_did"] = start_did
        result = await big_api.result("/app/v2/home/device_list_page", body)
        calls += 1
        collected += [item["did"] for item in result["list"]]
        if not result["has_more"]:
            assert result["next_start_did"] == ""
            break
        start_did = result["next_start_did"]
    assert calls == 3
    assert collected == dids
