"""The HTTP client against the simulator: OAuth, paging, coalescing, writes, actions, faults."""

from __future__ import annotations

import asyncio
import json
import math
from urllib.parse import parse_qs, urlsplit

from miot import (
    MiotActionError,
    MiotAuth,
    MiotAuthError,
    MiotCloudUnavailableError,
    MiotDeviceOfflineError,
    MiotError,
    MiotInvalidValueError,
    MiotPropertyError,
    MiotRateLimitedError,
    MiotSpecError,
    MiotTimeoutError,
    OAuthToken,
    SpecService,
)
import pytest

from .conftest import Harness, SimFactory

SPEAKER_URN_MODEL = "xiaomi.wifispeaker.lx06"


async def test_oauth_code_flow(harness: Harness) -> None:
    """Authorize URL → code (simulated approval) → tokens → profile."""
    saved: list[OAuthToken] = []
    auth = MiotAuth(
        harness.session,
        harness.endpoints,
        redirect_uri="http://homeassistant.local:8123/cb",
        on_token_update=saved.append,
    )
    url = auth.authorize_url()
    assert url.startswith(f"{harness.sim.base_url}/oauth2/authorize?")
    query = parse_qs(urlsplit(url).query)
    # The real page needs a browser; the simulator approves through its control API.
    context = await harness.auth_ssl()
    async with harness.session.get(url, ssl=context, allow_redirects=False) as page:
        assert page.status in (200, 302)
    code = (
        await harness.control(
            "GET",
            f"oauth/code?redirect_uri={query['redirect_uri'][0]}&state={query['state'][0]}",
        )
    )["code"]
    token = await auth.exchange_code(code)
    assert saved == [token]
    assert auth.token is token
    with pytest.raises(MiotAuthError):
        await auth.exchange_code(code)  # each code works once
    harness.auth = auth
    harness.client.auth = auth
    profile = await harness.client.get_user_profile()
    assert profile.nickname
    assert profile.union_id


async def test_homes_and_devices(harness: Harness) -> None:
    """Homes, rooms, devices with home/room ids, sub-devices linked to the parent."""
    harness.sim.cloud.add_device(
        "700000000.s1",
        "Child",
        harness.sim.cloud.devices["700000000"].model,
        room_id="810001",
        parent_id="700000000",
    )
    homes, devices = await harness.client.get_all_devices()
    assert [home.name for home in homes] == ["Generated Home 1"]
    by_did = {device.did: device for device in devices}
    assert len(by_did) == 13
    parent, child = by_did["700000000"], by_did["700000000.s1"]
    assert child.parent_id == "700000000"
    assert child.is_sub_device
    assert parent.sub_devices == [child]
    assert child.room_id == "810001"
    assert child.home_id == "800000"
    assert parent.urn.startswith("urn:")
    assert parent.token
    assert parent.online
    assert parent.fw_version is not None


async def test_big_home_paging(make_sim: SimFactory) -> None:
    """350 devices: room pages, device pages of ≤150 dids, start_did paging."""
    h = await make_sim(350)
    homes, devices = await h.client.get_all_devices()
    assert len({device.did for device in devices}) == 350
    assert sum(len(home.all_dids()) for home in homes) == 350
    counters = (await h.counters())["http"]
    assert counters["/app/v2/homeroom/gethome"] == 1
    assert counters["/app/v2/homeroom/get_dev_room_page"] >= 1
    assert counters["/app/v2/home/device_list_page"] == 3
    await h.reset_counters()
    h.client.device_page_limit = 40
    dids = [did for home in homes for did in home.all_dids()]
    again = await h.client.get_devices(dids)
    assert len(again) == 350
    assert (await h.http_count("/app/v2/home/device_list_page")) == 4 + 4 + 2


@pytest.mark.parametrize("count", [1, 150, 151, 400])
async def test_coalesced_reads(make_sim: SimFactory, count: int) -> None:
    """N concurrent single reads inside the window → ⌈N/150⌉ requests."""
    h = await make_sim(350, client_args={"read_window": 0.05})
    keys = [(str(700000000 + i % 350), 1, 1 + i // 350) for i in range(count)]
    results = await asyncio.gather(*(h.client.get_properties([key]) for key in keys))
    assert all(len(result) == 1 for result in results)
    assert (await h.http_count("/app/v2/miotspec/prop/get")) == math.ceil(count / 150)
    assert await h.client.get_properties([]) == []


async def test_read_values_and_item_errors(harness: Harness) -> None:
    """Values come back per item; bad items carry their code; offline raises."""
    did = "700000000"
    values = (await harness.control("GET", f"devices/{did}"))["properties"]
    key, value = next(iter(values.items()))
    siid, piid = (int(part) for part in key.split("."))
    assert await harness.client.get_property(did, siid, piid) == value
    result, bad = await harness.client.get_properties([(did, siid, piid), (did, 99, 99)])
    assert result.ok
    assert result.value == value
    assert not bad.ok
    assert bad.code < 0
    assert bad.value is None
    with pytest.raises(MiotPropertyError, match="code -"):
        await harness.client.get_property(did, 99, 99)
    await harness.control("POST", f"devices/{did}/online", {"online": False})
    with pytest.raises(MiotDeviceOfflineError):
        await harness.client.get_property(did, siid, piid)


async def _writable(harness: Harness, did: str) -> list[tuple[int, int, object]]:
    """(siid, piid, valid value) for writable properties of a device."""
    specs = SpecService(harness.session, harness.endpoints)
    device = harness.sim.cloud.devices[did]
    spec = await specs.get_spec(device.urn)
    found = []
    for prop in spec.properties():
        if not prop.writable or prop.format == "string":
            continue
        if prop.format == "bool":
            found.append((prop.siid, prop.iid, True))
        elif prop.value_list:
            found.append((prop.siid, prop.iid, prop.value_list[-1].value))
        elif prop.value_range is not None:
            found.append((prop.siid, prop.iid, prop.coerce(prop.value_range.max)))
    return found


async def test_write_several_in_one_request(harness: Harness) -> None:
    """Several properties, one request; a single failing write raises."""
    writes: list[tuple[int, int, object]] = []
    did = ""
    for did in harness.sim.cloud.devices:
        writes = (await _writable(harness, did))[:2]
        if len(writes) == 2:
            break
    await harness.reset_counters()
    results = await harness.client.set_properties([(did, s, p, v) for s, p, v in writes])
    assert [r.ok for r in results] == [True, True]
    assert (await harness.http_count("/app/v2/miotspec/prop/set")) == 1
    state = (await harness.control("GET", f"devices/{did}"))["properties"]
    for siid, piid, value in writes:
        assert state[f"{siid}.{piid}"] == value
    siid, piid, value = writes[0]
    assert (await harness.client.set_property(did, siid, piid, value)).ok
    with pytest.raises(MiotPropertyError) as err:
        await harness.client.set_property(did, 99, 99, 1)
    assert err.value.code < 0
    mixed = await harness.client.set_properties([(did, siid, piid, value), (did, 99, 99, 1)])
    assert [r.ok for r in mixed] == [True, False]


async def test_named_actions(harness: Harness) -> None:
    """Speaker play-text by names; values are validated before sending."""
    cloud = harness.sim.cloud
    cloud.add_device("800000001", "Speaker", SPEAKER_URN_MODEL, room_id="810000")
    device = cloud.devices["800000001"]
    specs = SpecService(harness.session, harness.endpoints)
    spec = await specs.get_spec(device.urn)
    service = spec.find_service("intelligent-speaker")
    action = spec.find_action("intelligent-speaker", "play-text")
    assert service is not None
    assert action is not None
    text_name = service.property(action.in_piids[0])
    assert text_name is not None
    out = await harness.client.call_spec_action(
        "800000001", service, action, {text_name.name: "Hello"}
    )
    assert isinstance(out, dict)
    log = (await harness.control("GET", "devices/800000001"))["actions"]
    assert log[-1]["in"] == ["Hello"] or log[-1]["in"][0] in (
        "Hello",
        {"piid": 1, "value": "Hello"},
    )
    with pytest.raises(MiotInvalidValueError, match="missing argument"):
        await harness.client.call_spec_action("800000001", service, action, {})
    with pytest.raises(MiotInvalidValueError, match="unknown argument"):
        await harness.client.call_spec_action(
            "800000001", service, action, {text_name.name: "x", "bogus": 1}
        )
    with pytest.raises(MiotInvalidValueError, match="a string"):
        await harness.client.call_spec_action("800000001", service, action, {text_name.name: 5})
    with pytest.raises(MiotActionError):
        await harness.client.call_action("800000001", service.iid, 99, [])
    await harness.control("POST", "devices/800000001/online", {"online": False})
    with pytest.raises(MiotDeviceOfflineError):
        await harness.client.call_action("800000001", action.siid, action.iid, ["hi"])


# ------------------------------------------------------------------- tokens
async def test_refresh_on_401(harness: Harness) -> None:
    """Expired access token: one refresh, the request is retried and succeeds."""
    old = harness.auth.token
    await harness.control("POST", "tokens/expire")
    await harness.reset_counters()
    homes = await harness.client.get_homes()
    assert homes
    assert harness.auth.token is not old
    assert harness.saved == [harness.auth.token]
    assert (await harness.http_count("/app/v2/ha/oauth/get_token")) == 1


async def test_concurrent_401_share_one_refresh(harness: Harness) -> None:
    """Many requests refused at once → one refresh."""
    await harness.control("POST", "tokens/expire")
    await harness.reset_counters()
    await asyncio.gather(*(harness.client.get_homes() for _ in range(8)))
    assert (await harness.http_count("/app/v2/ha/oauth/get_token")) == 1
    assert len(harness.saved) == 1


async def test_profile_refresh_on_401(harness: Harness) -> None:
    """The profile host also triggers one refresh."""
    await harness.control("POST", "tokens/expire")
    assert (await harness.client.get_user_profile()).nickname
    assert len(harness.saved) == 1


async def test_proactive_refresh(harness: Harness) -> None:
    """At 70 % of the lifetime the token is refreshed before the request."""
    token = harness.auth.token
    assert token is not None
    now = token.obtained_at + token.expires_in * 0.71
    harness.auth._clock = lambda: now
    await harness.reset_counters()
    await asyncio.gather(*(harness.client.get_homes() for _ in range(5)))
    assert (await harness.http_count("/app/v2/ha/oauth/get_token")) == 1
    assert harness.auth.token is not token
    assert harness.auth.token is not None
    assert harness.auth.token.obtained_at == now
    assert await harness.auth.refresh() is not token


async def test_failed_refresh_raises_auth_error(harness: Harness) -> None:
    """Revoked tokens: the refresh fails with MiotAuthError (re-authenticate)."""
    await harness.control("POST", "tokens/revoke")
    with pytest.raises(MiotAuthError):
        await harness.client.get_homes()
    with pytest.raises(MiotAuthError):
        await harness.client.get_user_profile()
    assert harness.saved == []


async def test_ping(harness: Harness) -> None:
    """One small authenticated request; it refreshes an expired token like any call and
    raises the typed errors (health checks name the reason)."""
    harness.sim.cloud.reset_counters()
    await harness.client.ping()
    assert harness.sim.cloud.counters()["http"] == {"/app/v2/home/device_list_page": 1}
    await harness.control("POST", "tokens/expire")
    await harness.client.ping()
    assert len(harness.saved) == 1
    await harness.fault(status=503, path="/app/v2/home/device_list_page", count=1)
    with pytest.raises(MiotCloudUnavailableError, match="HTTP 503"):
        await harness.client.ping()
    await harness.control("POST", "tokens/revoke")
    with pytest.raises(MiotAuthError):
        await harness.client.ping()


async def test_token_callback_may_be_async(harness: Harness) -> None:
    """An async on_token_update is awaited."""
    seen: list[OAuthToken] = []

    async def store(token: OAuthToken) -> None:
        seen.append(token)

    harness.auth.on_token_update = store
    token = await harness.auth.refresh()
    assert seen == [token]
    assert "access" not in repr(token).replace("access_token='***'", "")


# ------------------------------------------------------------------- faults
async def test_fault_latency_and_timeout(make_sim: SimFactory) -> None:
    """Slow answers within the timeout work; slower ones raise MiotTimeoutError."""
    h = await make_sim(3, client_args={"timeout": 0.5})
    await h.fault(latency=0.1, path="/app/v2/homeroom/gethome", count=1)
    assert await h.client.get_homes()
    await h.fault(latency=2, path="/app/v2/homeroom/gethome", count=1)
    with pytest.raises(MiotTimeoutError, match="timed out"):
        await h.client.get_homes()
    await h.fault(timeout=True, path="/app/v2/miotspec/prop/get", count=1)
    with pytest.raises(MiotTimeoutError):
        await h.client.get_properties([("700000000", 1, 1)])
    await h.fault(timeout=True, path="/user/profile", count=1)
    with pytest.raises(MiotTimeoutError):
        await h.client.get_user_profile()
    await h.fault(timeout=True, path="/app/v2/ha/oauth/get_token", count=1)
    h.auth.timeout = 0.5
    with pytest.raises(MiotTimeoutError):
        await h.auth.refresh()


@pytest.mark.parametrize(
    ("fault", "error", "match"),
    [
        ({"status": 503}, MiotCloudUnavailableError, "HTTP 503"),
        ({"status": 500}, MiotCloudUnavailableError, "HTTP 500"),
        ({"rate_limit": True}, MiotRateLimitedError, "429"),
        ({"malformed": True}, MiotCloudUnavailableError, "malformed JSON"),
    ],
)
async def test_fault_errors(
    harness: Harness, fault: dict[str, object], error: type, match: str
) -> None:
    """5xx, rate limit and malformed JSON map to typed errors on every call."""
    for path, call in (
        ("/app/v2/homeroom/gethome", harness.client.get_homes()),
        ("/app/v2/miotspec/prop/get", harness.client.get_properties([("700000000", 1, 1)])),
        ("/user/profile", harness.client.get_user_profile()),
        ("/app/v2/ha/oauth/get_token", harness.auth.refresh()),
    ):
        await harness.fault(path=path, count=1, **fault)
        with pytest.raises(error, match=match):
            await call
    # Afterwards everything works again.
    assert await harness.client.get_homes()


async def test_connection_refused(harness: Harness) -> None:
    """An unreachable host is MiotCloudUnavailableError, no token in the message."""
    from dataclasses import replace

    token = harness.auth.token
    assert token is not None
    dead = replace(
        harness.endpoints, api_url="https://127.0.0.1:1", profile_url="https://127.0.0.1:1"
    )
    harness.auth.endpoints = dead
    for call in (
        harness.client.get_homes(),
        harness.client.get_user_profile(),
        harness.auth.refresh(),
    ):
        with pytest.raises(MiotCloudUnavailableError) as err:
            await call
        assert token.access_token not in str(err.value)
        assert token.refresh_token not in str(err.value)


async def test_client_close_fails_pending_reads(harness: Harness) -> None:
    """close() cancels the window timer and fails waiting reads."""
    harness.client.read_window = 10
    task = asyncio.create_task(harness.client.get_properties([("700000000", 1, 1)]))
    await asyncio.sleep(0)
    await harness.client.close()
    with pytest.raises(MiotError, match="closed"):
        await task
    await harness.client.close()


async def test_read_at_once_does_not_wait_for_the_window(harness: Harness) -> None:
    """A read sent `at_once` (an account's first read) goes out without the read window."""
    harness.client.read_window = 10
    async with asyncio.timeout(5):
        (result,) = await harness.client.get_properties([("700000000", 1, 1)], at_once=True)
    assert (result.did, result.siid, result.piid) == ("700000000", 1, 1)


async def test_wrong_shapes_are_unavailable(harness: Harness) -> None:
    """Answers with the wrong shape are cloud-unavailable errors, not crashes."""
    client = harness.client

    async def fake_request(path: str, body: object) -> object:
        return "nonsense"

    client._request = fake_request  # type: ignore[method-assign]
    for call in (
        client.get_homes(),
        client.get_devices(["1"]),
        client.get_properties([("1", 1, 1)]),
        client.set_properties([("1", 1, 1, 1)]),
        client.call_action("1", 1, 1),
    ):
        with pytest.raises(MiotCloudUnavailableError, match="malformed"):
            await call


def test_json_is_json() -> None:
    """Keep the json import honest for parametrised bodies."""
    assert json.loads("{}") == {}


def test_spec_error_is_miot_error() -> None:
    """Every error derives from MiotError."""
    assert issubclass(MiotSpecError, MiotError)


async def test_named_action_outputs(harness: Harness) -> None:
    """`out` values come back by property name; extra values get positional names."""
    harness.sim.cloud.add_device("800000002", "Monitor", "cgllc.airm.cgdn1", room_id="810000")
    specs = SpecService(harness.session, harness.endpoints)
    spec = await specs.get_spec(harness.sim.cloud.devices["800000002"].urn)
    action = spec.find_action("settings", "set-frequency") or next(
        act for svc in spec.services for act in svc.actions if act.name == "set-frequency"
    )
    service = spec.service(action.siid)
    assert service is not None
    prop = service.property(action.in_piids[0])
    assert prop is not None
    value = (
        prop.value_list[0].value
        if prop.value_list
        else prop.coerce(prop.value_range.min if prop.value_range else 1)
    )
    out = await harness.client.call_spec_action("800000002", service, action, {prop.name: value})
    assert list(out) == [prop.name]

    async def more(*_args: object) -> list[object]:
        return [1, 2]

    harness.client.call_action = more  # type: ignore[method-assign]
    out = await harness.client.call_spec_action("800000002", service, action, {prop.name: value})
    assert out == {prop.name: 1, "out1": 2}
