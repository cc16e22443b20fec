"""The LAN client against the simulator's LAN twin: reads, writes, actions, faults, shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
import time
from typing import Any

from miot import (
    Device,
    MiotActionError,
    MiotDeviceApi,
    MiotInvalidValueError,
    MiotLanClient,
    MiotLanDeviceError,
    MiotLanError,
    MiotLanTimeoutError,
    MiotLanTokenError,
    MiotPropertyError,
    MiotPushClient,
    PropertyChange,
    SpecService,
)
from miot.errors import describe_code
import pytest

from .conftest import Harness, make_harness

TIMEOUT = 0.25
LAMP = "100001"  # yeelink.light.color2 in the demo home
LAMP_ON = (2, 1)
LAMP_BRIGHTNESS = (2, 2)


@dataclass
class Lan:
    """A demo-home simulator with its LAN twin, the cloud client and a synced LAN client."""

    h: Harness
    client: MiotLanClient
    devices: list[Device]

    async def lan_control(self, did: str, **body: Any) -> dict[str, Any]:
        """Set LAN faults of a device."""
        result: dict[str, Any] = await self.h.control("POST", f"devices/{did}/lan", body)
        return result

    async def counts(self) -> dict[str, int]:
        """The twin's packet counters."""
        return dict((await self.h.control("GET", "lan"))["counts"])


async def _start(tmp_path: Path, cert_dir: Path, *, broker: bool, **client_args: Any) -> Lan:
    from simulator import Simulator

    sim = Simulator(
        home="demo",
        state_dir=tmp_path / "sim",
        cert_dir=cert_dir,
        broker=broker,
        lan=True,
        fault_timeout=5.0,
    )
    await sim.start()
    h = await make_harness(sim)
    client_args.setdefault("timeout", TIMEOUT)
    client_args.setdefault("retries", 1)
    client = MiotLanClient(**client_args)
    _, devices = await h.client.get_all_devices()
    await client.sync_devices(devices, await sim.lan_addresses())
    return Lan(h, client, devices)


async def _stop(lan: Lan) -> None:
    await lan.client.close()
    await lan.h.client.close()
    await lan.h.session.close()
    await lan.h.sim.stop()


@pytest.fixture
async def lan(socket_enabled: None, tmp_path: Path, cert_dir: Path) -> AsyncIterator[Lan]:
    """Demo home, LAN twin, no broker."""
    setup = await _start(tmp_path, cert_dir, broker=False)
    try:
        yield setup
    finally:
        await _stop(setup)


def _readable(lan: Lan, did: str) -> list[tuple[str, int, int]]:
    device = lan.h.sim.cloud.device(did)
    return [
        (did, siid, piid)
        for (siid, piid), prop in device.spec.properties.items()
        if "read" in prop.get("access", [])
    ]


async def test_device_list_gives_token_and_address(lan: Lan) -> None:
    """Wi-Fi devices get a token and a loopback-shaped local_ip; BLE and sub-devices are not
    LAN devices; the twin's (host, port) come from /_sim/ and override local_ip."""
    by_did = {device.did: device for device in lan.devices}
    local_ip = by_did[LAMP].local_ip
    assert local_ip is not None
    assert local_ip.startswith("127.0.")
    assert by_did[LAMP].token == lan.h.sim.cloud.device(LAMP).token
    assert lan.client.device(LAMP).host == "127.0.0.1"
    dids = set(lan.client.dids)
    assert LAMP in dids
    assert "100008" in dids  # the gateway itself is on Wi-Fi
    assert not {did for did in dids if not did.isdigit()}
    described = (await lan.h.control("GET", "lan"))["devices"]
    assert set(described) == dids
    assert lan.client.device(LAMP).port == described[LAMP]["port"]


async def test_reads_agree_with_the_cloud(lan: Lan) -> None:
    """Every readable property of several devices reads the same over LAN and cloud."""
    for did in (LAMP, "100004", "100005", "100051"):
        keys = _readable(lan, did)
        via_lan = await lan.client.get_properties(keys)
        via_cloud = await lan.h.client.get_properties(keys)
        assert [(r.did, r.siid, r.piid) for r in via_lan] == keys
        assert via_lan == via_cloud
        assert all(r.ok for r in via_lan)
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True
    assert await lan.client.get_properties([]) == []


async def test_read_codes_are_the_device_codes(lan: Lan) -> None:
    """Unknown iids answer -4003; a property without read access -4001 (item results)."""
    device = lan.h.sim.cloud.device(LAMP)
    unreadable = [
        key for key, prop in device.spec.properties.items() if "read" not in prop["access"]
    ]
    keys = [(LAMP, 2, 99), (LAMP, 99, 1), *[(LAMP, s, p) for s, p in unreadable[:1]]]
    results = await lan.client.get_properties(keys)
    assert [r.code for r in results][:2] == [-4003, -4003]
    if unreadable:  # pragma: no branch - depends on the spec
        assert results[2].code == -4001
    with pytest.raises(MiotPropertyError) as err:
        await lan.client.get_property(LAMP, 2, 99)
    assert err.value.code == -4003
    assert describe_code(-4003) == "property, action or event does not exist"


async def test_many_properties_are_split(lan: Lan) -> None:
    """More than `max_properties` items go out in several requests; duplicates once."""
    client = MiotLanClient(timeout=TIMEOUT, max_properties=2)
    try:
        await client.sync_devices(lan.devices, await lan.h.sim.lan_addresses())
        keys = _readable(lan, LAMP)[:5]
        before = (await lan.counts()).get("request", 0)
        results = await client.get_properties([*keys, keys[0]])
        assert [(r.siid, r.piid) for r in results] == [(s, p) for _, s, p in [*keys, keys[0]]]
        assert (await lan.counts())["request"] - before == 3
    finally:
        await client.close()


async def test_writes_and_cloud_agree(lan: Lan) -> None:
    """A LAN write is what the cloud then reads; results keep the input order."""
    results = await lan.client.set_properties(
        [(LAMP, *LAMP_BRIGHTNESS, 33), (LAMP, *LAMP_ON, False)]
    )
    assert [r.code for r in results] == [0, 0]
    assert [(r.siid, r.piid) for r in results] == [LAMP_BRIGHTNESS, LAMP_ON]
    assert await lan.h.client.get_property(LAMP, *LAMP_BRIGHTNESS) == 33
    assert await lan.h.client.get_property(LAMP, *LAMP_ON) is False
    one = await lan.client.set_property(LAMP, *LAMP_ON, True)
    assert one.ok
    assert lan.h.sim.cloud.device(LAMP).values[LAMP_ON] is True


async def test_write_errors(lan: Lan) -> None:
    """Invalid value -4005, unknown property -4003; one failing write of one raises."""
    with pytest.raises(MiotPropertyError) as err:
        await lan.client.set_property(LAMP, *LAMP_BRIGHTNESS, 1000)
    assert err.value.code == -4005
    with pytest.raises(MiotPropertyError) as err:
        await lan.client.set_property(LAMP, 2, 99, 1)
    assert err.value.code == -4003
    mixed = await lan.client.set_properties([(LAMP, 2, 99, 1), (LAMP, *LAMP_BRIGHTNESS, 40)])
    assert [r.code for r in mixed] == [-4003, 0]


async def test_write_without_write_access(lan: Lan) -> None:
    """A read-only property answers -4002 on the LAN."""
    for did in (LAMP, "100005", "100004", "100001"):
        device = lan.h.sim.cloud.device(did)
        read_only = [
            key
            for key, prop in device.spec.properties.items()
            if prop["access"] == ["read", "notify"]
        ]
        if read_only:
            break
    else:  # pragma: no cover - depends on the specs
        pytest.skip("no read-only property")
    with pytest.raises(MiotPropertyError) as err:
        await lan.client.set_property(did, *read_only[0], 1)
    assert err.value.code == -4002


async def test_actions_behave_as_on_the_cloud(lan: Lan) -> None:
    """toggle flips `on` and is logged; bad action -4003; bad `in` -4006."""
    device = lan.h.sim.cloud.device(LAMP)
    toggle = next(
        (key, action)
        for key, action in device.spec.actions.items()
        if str(action.get("type", "")).split(":")[3] == "toggle"
    )
    (siid, aiid), _ = toggle
    before = device.values[LAMP_ON]
    assert await lan.client.call_action(LAMP, siid, aiid) == []
    assert device.values[LAMP_ON] is (not before)
    assert device.actions[-1]["aiid"] == aiid
    with pytest.raises(MiotActionError) as err:
        await lan.client.call_action(LAMP, siid, 99)
    assert err.value.code == -4003
    with pytest.raises(MiotActionError) as err:
        await lan.client.call_action(LAMP, siid, aiid, [1, 2, 3])
    assert err.value.code == -4006


async def test_spec_action_as_on_the_cloud(lan: Lan) -> None:
    """The speaker's play-text through the spec helper: same `out`, logged like a cloud call."""
    spec = await SpecService(lan.h.session, lan.h.endpoints).get_spec(
        lan.h.sim.cloud.device("100007").urn
    )
    service = spec.find_service("intelligent-speaker")
    action = spec.find_action("intelligent-speaker", "play-text")
    assert service is not None
    assert action is not None
    text = service.property(action.in_piids[0])
    assert text is not None
    lan_out = await lan.client.call_spec_action("100007", service, action, {text.name: "Hi"})
    cloud_out = await lan.h.client.call_spec_action("100007", service, action, {text.name: "Hi"})
    assert lan_out == cloud_out
    log = lan.h.sim.cloud.device("100007").actions
    assert log[-1]["in"] == log[-2]["in"] == ["Hi"]
    with pytest.raises(MiotInvalidValueError):
        await lan.client.call_spec_action("100007", service, action, {})


async def test_both_clients_share_one_interface(lan: Lan) -> None:
    """The coordinator can hold either client as a `MiotDeviceApi`."""
    apis: list[MiotDeviceApi] = [lan.client, lan.h.client]
    assert all(isinstance(api, MiotDeviceApi) for api in apis)
    values = [await api.get_property(LAMP, *LAMP_BRIGHTNESS) for api in apis]
    assert values[0] == values[1]


async def test_raw_methods_and_device_errors(lan: Lan) -> None:
    """miIO.info answers; an unknown method is the device's JSON-RPC error."""
    device = lan.client.device(LAMP)
    info = await device.send("miIO.info")
    assert info["model"] == "yeelink.light.color2"
    with pytest.raises(MiotLanDeviceError) as err:
        await device.send("no_such_method", [])
    assert err.value.code == -32601
    assert "Method not found" in str(err.value)
    with pytest.raises(MiotLanError, match="not a LAN device"):
        await lan.client.get_property("blt.3.1a2b3c4d5e6f", 2, 1)
    with pytest.raises(MiotLanError, match="not a LAN device"):
        await lan.client.call_action("nope", 2, 1)


async def test_silent_device_times_out(lan: Lan) -> None:
    """No answer to the hello: `MiotLanTimeoutError` after (retries + 1) x timeout."""
    await lan.lan_control(LAMP, silent=True)
    started = time.monotonic()
    with pytest.raises(MiotLanTimeoutError, match="handshake") as err:
        await lan.client.get_property(LAMP, *LAMP_ON)
    elapsed = time.monotonic() - started
    assert 2 * TIMEOUT * 0.9 <= elapsed < 2 * TIMEOUT + 1.0
    assert lan.h.sim.cloud.device(LAMP).token not in str(err.value)
    await lan.lan_control(LAMP, silent=False)
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True


async def test_offline_device_is_silent(lan: Lan) -> None:
    """An offline device does not answer on the LAN either."""
    lan.h.sim.cloud.set_online(LAMP, False)
    with pytest.raises(MiotLanTimeoutError):
        await lan.client.get_property(LAMP, *LAMP_ON)
    lan.h.sim.cloud.set_online(LAMP, True)
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True


async def test_wrong_token_is_a_clear_error(lan: Lan) -> None:
    """The device uses another token: hello answered, requests not → `MiotLanTokenError`."""
    await lan.lan_control(LAMP, wrong_token=True)
    with pytest.raises(MiotLanTokenError, match="token is probably wrong") as err:
        await lan.client.get_property(LAMP, *LAMP_ON)
    assert lan.h.sim.cloud.device(LAMP).token not in str(err.value)
    counts = await lan.counts()
    assert counts["dropped_packet"] >= 2
    await lan.h.control("DELETE", "lan/faults")
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True


async def test_token_change_is_picked_up_from_the_device_list(lan: Lan) -> None:
    """A new token on /_sim/: the old one fails, the cloud list reports the new one."""
    new = (await lan.h.control("POST", f"devices/{LAMP}/token", {}))["token"]
    assert len(new) == 32
    with pytest.raises(MiotLanTokenError):
        await lan.client.get_property(LAMP, *LAMP_ON)
    (device,) = await lan.h.client.get_devices([LAMP])
    assert device.token == new
    old = lan.client.device(LAMP)
    await lan.client.sync_devices([device], await lan.h.sim.lan_addresses())
    assert lan.client.dids == [LAMP]
    assert not old.connected
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True
    same = lan.client.device(LAMP)
    await lan.client.set_device(LAMP, new, same.host, same.port)
    assert lan.client.device(LAMP) is same  # nothing changed: the connection stays


async def test_latency(lan: Lan) -> None:
    """A slow device within the timeout works; slower than the timeout times out."""
    await lan.lan_control(LAMP, latency=TIMEOUT / 3)
    started = time.monotonic()
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True
    assert time.monotonic() - started >= TIMEOUT / 3
    await lan.lan_control(LAMP, latency=TIMEOUT * 3)
    lan.client.device(LAMP)._hello = None  # make it handshake again
    with pytest.raises(MiotLanTimeoutError):
        await lan.client.get_property(LAMP, *LAMP_ON)


async def test_reboot_means_new_stamp_and_handshake(lan: Lan) -> None:
    """After a device reboot its clock is far behind: the first try is dropped, the retry
    (after a new hello) works."""
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True
    hello = lan.client.device(LAMP).hello
    assert hello is not None
    assert hello.device_id == int(LAMP)
    before = await lan.counts()
    await lan.lan_control(LAMP, reboot=True)
    assert await lan.client.get_property(LAMP, *LAMP_ON) is True
    after = await lan.counts()
    assert after["dropped_stamp"] - before.get("dropped_stamp", 0) == 1
    assert after["hello"] - before["hello"] == 1
    new_hello = lan.client.device(LAMP).hello
    assert new_hello is not None
    assert new_hello.stamp < hello.stamp


async def test_idle_device_gets_a_new_handshake(
    socket_enabled: None, tmp_path: Path, cert_dir: Path
) -> None:
    """After `handshake_interval` of silence the next request starts with a hello."""
    setup = await _start(tmp_path, cert_dir, broker=False, handshake_interval=0.1)
    try:
        await setup.client.get_property(LAMP, *LAMP_ON)
        await setup.client.get_property(LAMP, *LAMP_ON)
        assert (await setup.counts())["hello"] == 1
        await asyncio.sleep(0.15)
        await setup.client.get_property(LAMP, *LAMP_ON)
        assert (await setup.counts())["hello"] == 2
    finally:
        await _stop(setup)


async def test_one_request_in_flight_per_device(lan: Lan) -> None:
    """Calls to one device queue; calls to different devices overlap. Checked by what reaches the
    twin while its answers are held back, not by wall-clock time."""
    delay = 1.0
    dids = (LAMP, "100005", "100012", "100013")
    client = MiotLanClient(timeout=3 * delay, retries=1)  # answers come late on purpose
    await client.sync_devices(lan.devices, await lan.h.sim.lan_addresses())
    await client.get_properties([(did, 2, 1) for did in dids])  # handshakes done
    for did in dids:
        await lan.lan_control(did, latency=delay)

    async def requests() -> int:
        return (await lan.counts()).get("request", 0)

    async def reached(count: int, within: float) -> None:
        async with asyncio.timeout(within):
            while await requests() < count:
                await asyncio.sleep(0.01)

    base = await requests()
    same = [asyncio.create_task(client.get_property(LAMP, *LAMP_ON)) for _ in range(4)]
    await reached(base + 1, within=delay * 0.9)
    assert await requests() == base + 1  # the others wait for the first answer
    await asyncio.gather(*same)
    base = await requests()
    others = [asyncio.create_task(client.get_properties([(did, 2, 1)])) for did in dids]
    await reached(base + len(dids), within=delay * 0.9)  # all sent before any answer came
    await asyncio.gather(*others)
    await client.close()


async def test_lan_write_is_pushed_through_the_broker(
    socket_enabled: None, tmp_path: Path, cert_dir: Path
) -> None:
    """A LAN write of a notify property arrives as `properties_changed` on the cloud push."""
    setup = await _start(tmp_path, cert_dir, broker=True)
    push = MiotPushClient(setup.h.endpoints, auth=setup.h.auth)
    messages: asyncio.Queue[Any] = asyncio.Queue()
    push.set_callbacks(on_property=messages.put_nowait)
    try:
        await push.subscribe([LAMP])
        await push.start()
        async with asyncio.timeout(10):
            await push.wait_connected()
            await push.wait_subscribed()
        await setup.client.set_property(LAMP, *LAMP_BRIGHTNESS, 42)
        async with asyncio.timeout(10):
            message = await messages.get()
        assert message == PropertyChange(LAMP, *LAMP_BRIGHTNESS, 42)
        assert setup.h.sim.cloud.counters()["mqtt"]["by_kind"]["properties_changed"] >= 1
    finally:
        await push.stop()
        await _stop(setup)


async def test_close_fails_pending_calls_and_frees_sockets(lan: Lan) -> None:
    """close() fails a waiting call, closes every endpoint; later calls raise."""
    await lan.client.get_property(LAMP, *LAMP_ON)
    device = lan.client.device(LAMP)
    assert device.connected
    await lan.lan_control(LAMP, silent=True)
    call = asyncio.ensure_future(lan.client.get_property(LAMP, *LAMP_ON))
    await asyncio.sleep(0.05)
    await lan.client.close()
    with pytest.raises(MiotLanError, match="closed"):
        await call
    assert not device.connected
    assert lan.client.dids == []
    with pytest.raises(MiotLanError, match="closed"):
        await lan.client.set_device(LAMP, "00" * 16, "127.0.0.1", 1)
    with pytest.raises(MiotLanError, match="closed"):
        await device.send("miIO.info")
    await lan.client.close()  # twice is fine
