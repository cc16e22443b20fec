"""Spec service: one fetch per urn, memory and disk cache with TTL, broken documents."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from miot import DeviceSpec, MiotCloudUnavailableError, MiotSpecError, SpecService
import pytest

from .conftest import Harness

SPEC_PATH = "/miot-spec-v2/instance"
LANG_PATH = "/instance/v2/multiLanguage"


def _urns(harness: Harness) -> list[str]:
    return sorted({device.urn for device in harness.sim.cloud.devices.values()})


async def test_one_fetch_for_100_concurrent(harness: Harness, tmp_path: Path) -> None:
    """100 concurrent requests of one urn → one document fetch, same object for all."""
    specs = SpecService(harness.session, harness.endpoints, tmp_path / "cache")
    urn = _urns(harness)[0]
    results = await asyncio.gather(*(specs.get_spec(urn) for _ in range(100)))
    assert all(result is results[0] for result in results)
    assert isinstance(results[0], DeviceSpec)
    assert results[0].urn == urn
    assert specs.fetches == 1
    assert await harness.http_count(SPEC_PATH) == 1
    assert await harness.http_count(LANG_PATH) == 1


async def test_many_urns_bounded(harness: Harness, tmp_path: Path) -> None:
    """Each distinct urn is fetched once, at most max_concurrency at a time."""
    specs = SpecService(harness.session, harness.endpoints, tmp_path, max_concurrency=2)
    urns = _urns(harness)
    got = await asyncio.gather(*(specs.get_spec(urn) for urn in urns * 5))
    assert [spec.urn for spec in got] == urns * 5
    assert await harness.http_count(SPEC_PATH) == len(urns)


async def test_translations_applied(harness: Harness) -> None:
    """Names from multiLanguage land on services and properties."""
    specs = SpecService(harness.session, harness.endpoints)
    spec = await specs.get_spec(_urns(harness)[0])
    names = [svc.names for svc in spec.services] + [prop.names for prop in spec.properties()]
    assert any("zh_cn" in item for item in names)


async def test_memory_disk_and_ttl(harness: Harness, tmp_path: Path) -> None:
    """Memory hit, disk hit from a new service, TTL expiry re-fetches."""
    now = [1_000_000.0]
    cache = tmp_path / "cache"
    urn = _urns(harness)[0]
    first = SpecService(harness.session, harness.endpoints, cache, ttl=100, clock=lambda: now[0])
    spec = await first.get_spec(urn)
    assert await first.get_spec(urn) is spec  # memory
    assert first.fetches == 1
    assert len(await asyncio.to_thread(lambda: list(cache.glob("*.json")))) == 1

    second = SpecService(harness.session, harness.endpoints, cache, ttl=100, clock=lambda: now[0])
    from_disk = await second.get_spec(urn)
    assert second.fetches == 0  # disk
    assert from_disk.urn == spec.urn
    assert [s.names for s in from_disk.services] == [s.names for s in spec.services]

    now[0] += 101  # memory and disk entries expire
    assert await first.get_spec(urn) is not spec
    assert first.fetches == 2
    first.clear_memory()
    now[0] += 50
    await first.get_spec(urn)
    assert first.fetches == 2  # disk entry rewritten at the re-fetch is still fresh
    assert await harness.http_count(SPEC_PATH) == 2


async def test_unreadable_cache_files_are_ignored(harness: Harness, tmp_path: Path) -> None:
    """Garbage, other versions and other urns in a cache file mean a re-fetch."""
    urn = _urns(harness)[0]
    specs = SpecService(harness.session, harness.endpoints, tmp_path)
    await specs.get_spec(urn)
    (path,) = await asyncio.to_thread(lambda: list(tmp_path.glob("*.json")))
    good = json.loads(path.read_text("utf-8"))
    for broken in (
        "{not json",
        json.dumps({**good, "version": 0}),
        json.dumps({**good, "urn": "x"}),
    ):
        path.write_text(broken, "utf-8")
        fresh = SpecService(harness.session, harness.endpoints, tmp_path)
        await fresh.get_spec(urn)
        assert fresh.fetches == 1


async def test_unwritable_cache_dir(harness: Harness, tmp_path: Path) -> None:
    """A cache dir that cannot be created only logs a warning."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    specs = SpecService(harness.session, harness.endpoints, blocker / "sub")
    assert (await specs.get_spec(_urns(harness)[0])).services


async def test_unknown_urn_and_no_urn(harness: Harness) -> None:
    """404 → MiotSpecError for that device; an empty urn too."""
    specs = SpecService(harness.session, harness.endpoints)
    with pytest.raises(MiotSpecError, match="not found"):
        await specs.get_spec("urn:miot-spec-v2:device:none:0:nobody-x:1")
    with pytest.raises(MiotSpecError, match="no spec urn"):
        await specs.get_spec("")


async def test_malformed_spec_and_plain_text_names(harness: Harness, tmp_path: Path) -> None:
    """A garbled document is a MiotSpecError (not cached); garbled names are tolerated."""
    urns = _urns(harness)
    specs = SpecService(harness.session, harness.endpoints, tmp_path)
    await harness.fault(malformed=True, path=SPEC_PATH, count=1)
    waiters = [specs.get_spec(urns[0]) for _ in range(3)]
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(result, MiotSpecError) for result in results)
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("*.json")))
    assert (await specs.get_spec(urns[0])).services  # the next attempt fetches again

    await harness.fault(malformed=True, path=LANG_PATH, count=1)
    spec = await specs.get_spec(urns[1])
    assert all(not svc.names for svc in spec.services)


async def test_server_errors(harness: Harness) -> None:
    """5xx on the document is cloud-unavailable; on names it is tolerated; timeouts too."""
    urns = _urns(harness)
    specs = SpecService(harness.session, harness.endpoints, timeout=0.5)
    await harness.fault(status=503, path=SPEC_PATH, count=1)
    with pytest.raises(MiotCloudUnavailableError, match="HTTP 503"):
        await specs.get_spec(urns[0])
    await harness.fault(status=503, path=LANG_PATH, count=1)
    assert (await specs.get_spec(urns[0])).services
    await harness.fault(timeout=True, path=SPEC_PATH, count=1)
    with pytest.raises(MiotCloudUnavailableError, match="timed out"):
        await specs.get_spec(urns[1])


async def test_broken_document_from_server(harness: Harness) -> None:
    """A JSON document with the wrong structure fails that urn only."""
    cloud = harness.sim.cloud
    good = _urns(harness)[0]
    bad_urn = "urn:miot-spec-v2:device:broken:0000A999:test-broken:1"
    instance = cloud.specs.add({"type": bad_urn, "services": []}, "test.broken.v1")
    instance.doc["services"] = [{"type": "no iid"}]  # served as is
    specs = SpecService(harness.session, harness.endpoints)
    results = await asyncio.gather(
        specs.get_spec(bad_urn), specs.get_spec(good), return_exceptions=True
    )
    assert isinstance(results[0], MiotSpecError)
    assert "missing or invalid iid" in str(results[0])
    assert isinstance(results[1], DeviceSpec)


async def test_connection_error(harness: Harness) -> None:
    """Unreachable spec host → MiotCloudUnavailableError."""
    from dataclasses import replace

    specs = SpecService(harness.session, replace(harness.endpoints, spec_url="https://127.0.0.1:1"))
    with pytest.raises(MiotCloudUnavailableError):
        await specs.get_spec(_urns(harness)[0])


async def test_cancelled_fetch(harness: Harness) -> None:
    """Cancelling the fetching caller does not leave a stuck pending entry."""
    urn = _urns(harness)[0]
    specs = SpecService(harness.session, harness.endpoints)
    await harness.fault(latency=1, path=SPEC_PATH, count=1)
    task = asyncio.create_task(specs.get_spec(urn))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await specs.get_spec(urn)).urn == urn
