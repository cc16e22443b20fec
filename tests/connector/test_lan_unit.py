"""The LAN client against a scripted device: answers the twin never gives, settings, reprs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import os
from pathlib import Path
import socket
import struct
from typing import Any

from miot import (
    Device,
    LanHello,
    MiioCodec,
    MiotDeviceApi,
    MiotInvalidValueError,
    MiotLanClient,
    MiotLanDevice,
    MiotLanDeviceError,
    MiotLanError,
    MiotLanProtocolError,
    MiotLanTokenError,
    is_lan_capable,
)
from miot.miio import HELLO
import pytest

TOKEN = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"
DEVICE_ID = 424242
TIMEOUT = 0.15

type Reply = dict[str, Any] | bytes | None
type Script = Callable[[dict[str, Any]], list[Reply]]


class FakeDevice(asyncio.DatagramProtocol):
    """Answers the hello; answers requests as `script` says (dicts are sealed with TOKEN)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.codec = MiioCodec(TOKEN)
        self.requests: list[dict[str, Any]] = []
        self.hellos = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        assert self.transport is not None
        if data == HELLO:
            self.hellos += 1
            self.transport.sendto(
                struct.pack(">HHQI", 0x2131, 32, DEVICE_ID, 500) + b"\xff" * 16, addr
            )
            return
        request = self.codec.decode(data).payload
        self.requests.append(request)
        for reply in self.script(request):
            if isinstance(reply, dict):
                self.transport.sendto(
                    self.codec.encode(reply, device_id=DEVICE_ID, stamp=501), addr
                )
            elif reply is not None:
                self.transport.sendto(reply, addr)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])


type FakeFactory = Callable[[Script], Any]


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncIterator[Callable[[Script], Any]]:
    """Start scripted devices and LAN devices pointing at them; all closed at the end."""
    opened: list[tuple[FakeDevice, MiotLanDevice]] = []

    async def start(script: Script) -> tuple[FakeDevice, MiotLanDevice]:
        loop = asyncio.get_running_loop()
        device = FakeDevice(script)
        await loop.create_datagram_endpoint(lambda: device, local_addr=("127.0.0.1", 0))
        lan = MiotLanDevice("424242", TOKEN, "127.0.0.1", device.port, timeout=TIMEOUT, retries=1)
        opened.append((device, lan))
        return device, lan

    yield start
    for device, lan in opened:
        await lan.close()
        assert device.transport is not None
        device.transport.close()
    await asyncio.sleep(0)


def _ok(result: Any) -> Script:
    # Answered twice: the second copy finds no waiting call and is dropped.
    return lambda request: [{"id": request["id"], "result": result}] * 2


async def test_handshake_and_hello(fake: Any) -> None:
    """The hello learns the device id and stamp; requests carry them."""
    device, lan = await fake(_ok(["ok"]))
    assert lan.hello is None
    assert await lan.handshake() == LanHello(DEVICE_ID, 500)
    assert await lan.send("miIO.info") == ["ok"]
    assert device.requests[0]["params"] == []
    assert device.requests[0]["method"] == "miIO.info"
    assert device.hellos == 1


async def test_foreign_checksum_is_a_token_error(fake: Any) -> None:
    """An answer signed with another token fails at once with `MiotLanTokenError`."""
    other = MiioCodec(OTHER)
    _, lan = await fake(
        lambda r: [other.encode({"id": r["id"], "result": 1}, device_id=DEVICE_ID, stamp=1)]
    )
    with pytest.raises(MiotLanTokenError, match="check the device token") as err:
        await lan.send("miIO.info")
    assert TOKEN not in str(err.value)
    assert OTHER not in str(err.value)


async def test_recoverable_error_is_retried_with_a_new_id(fake: Any) -> None:
    """-9999 (user ack timeout) once, then a result: two requests, ids 100 apart."""
    answers = iter(
        [[{"error": {"code": -9999, "message": "user ack timeout"}}], [{"result": "done"}]]
    )
    device, lan = await fake(lambda r: [{"id": r["id"], **a} for a in next(answers)])
    assert await lan.send("set_x", [1]) == "done"
    first, second = (request["id"] for request in device.requests)
    assert second - first == 100 or (first > 9899 and second < first)


async def test_recoverable_error_every_time(fake: Any) -> None:
    """Still -30001 after every try: the device error is raised."""
    _, lan = await fake(lambda r: [{"id": r["id"], "error": {"code": -30001}}])
    with pytest.raises(MiotLanDeviceError) as err:
        await lan.send("x")
    assert err.value.code == -30001


async def test_odd_error_shapes(fake: Any) -> None:
    """A non-numeric code becomes -1; the text may sit in `error` instead of `message`."""
    _, lan = await fake(lambda r: [{"id": r["id"], "error": {"code": "bad", "error": "nope"}}])
    with pytest.raises(MiotLanDeviceError, match="nope") as err:
        await lan.send("x")
    assert err.value.code == -1


async def test_answer_without_result(fake: Any) -> None:
    """An answer with neither result nor error is a protocol error."""
    _, lan = await fake(lambda r: [{"id": r["id"]}])
    with pytest.raises(MiotLanProtocolError, match="no result"):
        await lan.send("x")


async def test_malformed_results(fake: Any) -> None:
    """get/set results must be lists, action results objects; bad items are skipped."""
    _, lan = await fake(_ok({"not": "a list"}))
    with pytest.raises(MiotLanProtocolError, match="not a list"):
        await lan.get_properties([(2, 1)])
    _, lan2 = await fake(_ok([1, 2]))
    with pytest.raises(MiotLanProtocolError, match="not an object"):
        await lan2.call_action(2, 1)
    items = [5, {"siid": 2, "piid": 1, "code": 0, "value": 7}, {"siid": 2, "piid": 3}]
    _, lan3 = await fake(_ok(items))
    results = await lan3.get_properties([(2, 1), (2, 2), (2, 3)])
    assert results[(2, 1)].value == 7
    assert (2, 2) not in results
    assert results[(2, 3)].code == 0  # no code: accepted, as the cloud client reads it
    _, lan4 = await fake(_ok({"code": 1}))
    assert await lan4.call_action(2, 1, [True]) == []


async def test_garbage_is_ignored_and_a_late_answer_counts(fake: Any) -> None:
    """Non-miio bytes, undecryptable payloads and stray hellos are dropped; an answer to the
    first try that arrives during the retry is accepted."""
    codec = MiioCodec(TOKEN)
    calls: list[int] = []

    def script(request: dict[str, Any]) -> list[Reply]:
        calls.append(request["id"])
        if len(calls) == 1:
            return [b"hello?", codec.encode(b"\x00\x01", device_id=1, stamp=1)]
        stray = struct.pack(">HHQI", 0x2131, 32, 1, 2) + b"\x00" * 16
        return [stray, {"id": calls[0], "result": "late"}]

    _, lan = await fake(script)
    assert await lan.send("x") == "late"
    assert len(calls) == 2


async def test_closed_port_is_refused(socket_enabled: None) -> None:
    """A port where nothing listens: the ICMP error fails the handshake at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lan = MiotLanDevice("1", TOKEN, "127.0.0.1", port, timeout=2.0, retries=0)
    try:
        with pytest.raises(MiotLanError, match="refused"):
            await lan.handshake()
    finally:
        await lan.close()


async def test_id_wraps(fake: Any) -> None:
    """Ids stay within 1..9999."""
    _, lan = await fake(_ok(0))
    lan._next_id = 9999
    assert lan._take_id(retry=False) == 1
    lan._next_id = 9950
    assert lan._take_id(retry=True) == 1


def test_settings_and_addresses_are_checked() -> None:
    """IP literals only (no resolver thread), ports in range, sane numbers."""
    with pytest.raises(MiotInvalidValueError, match="not an IP"):
        MiotLanDevice("1", TOKEN, "device.local")
    with pytest.raises(MiotInvalidValueError, match="port"):
        MiotLanDevice("1", TOKEN, "127.0.0.1", 0)
    with pytest.raises(MiotInvalidValueError):
        MiotLanDevice("1", TOKEN, "127.0.0.1", timeout=0)
    with pytest.raises(MiotInvalidValueError):
        MiotLanDevice("1", "nothex", "127.0.0.1")
    with pytest.raises(MiotInvalidValueError):
        MiotLanClient(max_properties=0)
    assert MiotLanDevice("1", TOKEN, "::1").host == "::1"


def test_reprs_hide_the_token() -> None:
    """Neither the device nor the client shows the token."""
    device = MiotLanDevice("77", TOKEN, "127.0.0.1", 5000)
    assert repr(device) == "MiotLanDevice(did='77', host='127.0.0.1', port=5000)"
    assert TOKEN not in repr(MiotLanClient())
    assert device.same_token(TOKEN.upper())
    assert not device.same_token(OTHER)


def _device(did: str, **fields: Any) -> Device:
    base: dict[str, Any] = {
        "did": did,
        "name": did,
        "model": "m",
        "spec_type": "urn",
        "isOnline": True,
        "token": TOKEN,
        "local_ip": "127.0.0.1",
    }
    return Device.from_cloud({**base, **fields})


def test_lan_capable_devices() -> None:
    """Numeric did, no parent, a 32-hex token."""
    assert is_lan_capable(_device("123"))
    assert not is_lan_capable(_device("blt.1.abc"))
    assert not is_lan_capable(_device("123.s1", parent_id="123"))
    assert not is_lan_capable(_device("124", token=""))
    assert not is_lan_capable(_device("125", token="1234"))


async def test_client_device_management(socket_enabled: None) -> None:
    """sync_devices adds, re-addresses and forgets; overrides win; no address, no device."""
    async with MiotLanClient(timeout=TIMEOUT) as client:
        assert isinstance(client, MiotDeviceApi)
        devices = [
            _device("1"),
            _device("2", local_ip=""),
            _device("3", local_ip="127.0.0.3"),
            _device("blt.4"),
        ]
        assert await client.sync_devices(devices, {"1": ("127.0.0.1", 6000)}) == ["1", "3"]
        assert (client.device("1").host, client.device("1").port) == ("127.0.0.1", 6000)
        assert client.device("3").port == 54321
        assert client.has_device("3")
        assert not client.has_device("2")
        assert await client.sync_devices(devices[:1]) == ["1"]
        assert client.dids == ["1"]
        assert client.device("1").port == 54321
        await client.remove_device("1")
        await client.remove_device("1")  # unknown: ignored
        assert client.dids == []
    assert client.dids == []


def _open_sockets() -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:  # pragma: no cover - closed while listing
            continue
    return count


async def test_close_leaves_no_socket(fake: Any) -> None:
    """Every endpoint a client opened is closed by close(), and only then."""
    before = _open_sockets()
    device, _ = await fake(_ok(1))
    client = MiotLanClient(timeout=TIMEOUT)
    for did in ("1", "2", "3"):
        await client.set_device(did, TOKEN, "127.0.0.1", device.port)
    await asyncio.gather(*(client.device(did).send("x") for did in client.dids))
    assert _open_sockets() == before + 1 + 3  # the scripted device and three clients
    await client.close()
    assert _open_sockets() == before + 1
