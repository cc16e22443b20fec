"""LAN twin: every simulated Wi-Fi device answers the miio protocol on its own UDP port.

Values, writes and actions go through the same `Cloud` model as the HTTP API, so the LAN and the
cloud agree, and a LAN write of a notify property is pushed on the broker as the real device
would (`properties_changed`). Faults per device: silent, wrong token (the device uses another
token than the cloud lists), latency, reboot (the device clock starts again). Protocol facts and
the twin's own choices: docs/lan.md. The packet code here is written apart from the library's on
purpose, so that a mistake in one is caught by the other.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
import hashlib
import json
import logging
import secrets
import struct
from typing import Any, Final, TypeGuard

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .cloud import Cloud, Device, local_ip_of
from .const import CODE_BAD_ACTION, CODE_OK
from .spec import JsonDict

_LOGGER = logging.getLogger(__name__)

MAGIC: Final = 0x2131
HELLO: Final = bytes.fromhex("21310020" + "ff" * 28)
HEADER: Final = struct.Struct(">HHQI16s")  # magic, length, device id, stamp, checksum
# Per-item codes of a MIoT device (docs/lan.md).
CODE_CANNOT_READ: Final = -4001
CODE_CANNOT_WRITE: Final = -4002
CODE_NOT_FOUND: Final = -4003
# JSON-RPC errors a device answers (docs/lan.md).
ERROR_REQUEST: Final = {"code": -32600, "message": "Req object invalid."}
ERROR_METHOD: Final = {"code": -32601, "message": "Method not found."}
ERROR_PARAMS: Final = {"code": -32602, "message": "Invalid params."}  # (simulator)


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _cipher(token: bytes) -> Cipher[modes.CBC]:
    key = _md5(token)
    return Cipher(algorithms.AES128(key), modes.CBC(_md5(key + token)))


def seal(token: bytes, device_id: int, stamp: int, payload: JsonDict) -> bytes:
    """A packet from the device: encrypted payload, header, checksum."""
    padder = padding.PKCS7(128).padder()
    plain = json.dumps(payload, separators=(",", ":")).encode()
    encryptor = _cipher(token).encryptor()
    data = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    head = struct.pack(">HHQI", MAGIC, 32 + len(data), device_id, stamp)
    return head + _md5(head + token + data) + data


def open_packet(token: bytes, packet: bytes) -> tuple[int, JsonDict] | None:
    """(stamp, payload) of a request made with `token`; None when it is not one."""
    if len(packet) <= 32:
        return None
    magic, length, _, stamp, checksum = HEADER.unpack_from(packet)
    data = packet[32:]
    if magic != MAGIC or length != len(packet) or len(data) % 16:
        return None
    if _md5(packet[:16] + token + data) != checksum:
        return None
    decryptor = _cipher(token).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(decryptor.update(data) + decryptor.finalize())
        payload = json.loads((plain + unpadder.finalize()).rstrip(b"\x00"))
    except ValueError:
        return None
    return (stamp, payload) if isinstance(payload, dict) else None


def device_id_of(did: str) -> int:
    """The device id in packets: the did itself (Wi-Fi dids are numbers)."""
    return int(did) & 0xFFFFFFFFFFFFFFFF


@dataclass(slots=True)
class LanFaults:
    """Faults of one device on the LAN."""

    silent: bool = False
    wrong_token: bool = False
    latency: float = 0.0


class LanDevice(asyncio.DatagramProtocol):
    """The miio side of one simulated device."""

    def __init__(self, twin: LanTwin, did: str, host: str) -> None:
        self.twin = twin
        self.did = did
        self.host = host
        self.device_id = device_id_of(did)
        self.faults = LanFaults()
        self.other_token = secrets.token_bytes(16)  # used while `wrong_token`
        self.transport: asyncio.DatagramTransport | None = None
        self.port = 0
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        digest = hashlib.sha256(did.encode()).digest()
        # Devices count from their own start, not wall time (stamps near 1970 are common).
        self._clock_base = 100_000 + int.from_bytes(digest[:3]) % 900_000
        self._clock_start = asyncio.get_running_loop().time()

    # ------------------------------------------------------------------ state
    @property
    def model(self) -> Device | None:
        """The cloud's device (None once removed)."""
        return self.twin.cloud.devices.get(self.did)

    def stamp(self) -> int:
        """The device clock, seconds."""
        elapsed = asyncio.get_running_loop().time() - self._clock_start
        return self._clock_base + int(elapsed)

    def reboot(self) -> None:
        """Start the clock again from a few seconds (stamps from before are now far ahead)."""
        self._clock_base = 5
        self._clock_start = asyncio.get_running_loop().time()

    def token(self, device: Device) -> bytes:
        """The token the device really uses."""
        return self.other_token if self.faults.wrong_token else bytes.fromhex(device.token)

    def describe(self) -> JsonDict:
        """State for the control API."""
        device = self.model
        return {
            "host": self.host,
            "port": self.port,
            "device_id": self.device_id,
            "token": device.token if device is not None else None,
            "stamp": self.stamp(),
            "silent": self.faults.silent,
            "wrong_token": self.faults.wrong_token,
            "latency": self.faults.latency,
        }

    # ------------------------------------------------------------------ protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport
        self.port = int(transport.get_extra_info("sockname")[1])

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        counts = self.twin.counts
        device = self.model
        if device is None or not device.online or self.faults.silent:
            counts["dropped_silent"] += 1
            return
        if data == HELLO:
            counts["hello"] += 1
            answer = struct.pack(">HHQI", MAGIC, 32, self.device_id, self.stamp()) + b"\xff" * 16
            self._answer(answer, addr)
            return
        token = self.token(device)
        opened = open_packet(token, data)
        if opened is None:
            counts["dropped_packet"] += 1  # another token, damaged, or not miio: no answer
            return
        stamp, request = opened
        if abs(stamp - self.stamp()) > self.twin.stamp_window:
            counts["dropped_stamp"] += 1
            return
        counts["request"] += 1
        reply: JsonDict = {"id": request.get("id"), **self.handle(device, request)}
        self._answer(seal(token, self.device_id, self.stamp(), reply), addr)

    def _answer(self, packet: bytes, addr: Any) -> None:
        if self.faults.latency > 0:
            handle = asyncio.get_running_loop().call_later(
                self.faults.latency, self._send_later, packet, addr
            )
            self.twin.delayed.add(handle)
        else:
            self._send(packet, addr)

    def _send_later(self, packet: bytes, addr: Any) -> None:
        now = asyncio.get_running_loop().time()
        self.twin.delayed = {h for h in self.twin.delayed if h.when() > now}  # forget fired ones
        self._send(packet, addr)

    def _send(self, packet: bytes, addr: Any) -> None:
        if self.transport is not None:
            self.transport.sendto(packet, addr)
            self.twin.counts["answer"] += 1

    # ------------------------------------------------------------------ methods
    def handle(self, device: Device, request: JsonDict) -> JsonDict:
        """`{"result": ...}` or `{"error": ...}` for one JSON-RPC request."""
        method, params = request.get("method"), request.get("params")
        if not isinstance(method, str):
            return {"error": ERROR_REQUEST}
        if method == "get_properties":
            if not _items(params):
                return {"error": ERROR_PARAMS}
            return {"result": [self._read(device, item) for item in params]}
        if method == "set_properties":
            if not _items(params):
                return {"error": ERROR_PARAMS}
            return {"result": [self._write(device, item) for item in params]}
        if method == "action":
            if not isinstance(params, dict):
                return {"error": ERROR_PARAMS}
            return {"result": self._action(device, params)}
        if method == "miIO.info":
            return {"result": self._info(device)}
        return {"error": ERROR_METHOD}

    def _lookup(self, device: Device, item: JsonDict, access: str) -> int:
        key = (item.get("siid"), item.get("piid"))
        prop = device.spec.properties.get(key)  # type: ignore[arg-type]
        if prop is None:
            return CODE_NOT_FOUND
        if access not in prop.get("access", []):
            return CODE_CANNOT_READ if access == "read" else CODE_CANNOT_WRITE
        return CODE_OK

    def _read(self, device: Device, item: JsonDict) -> JsonDict:
        entry: JsonDict = {
            "did": item.get("did"),
            "siid": item.get("siid"),
            "piid": item.get("piid"),
        }
        code = self._lookup(device, item, "read")
        if code == CODE_OK:
            # Known, readable and online: the cloud model answers the value.
            (cloud,) = self.twin.cloud.get_properties([{**item, "did": device.did}])
            entry["value"] = cloud["value"]
        entry["code"] = code
        return entry

    def _write(self, device: Device, item: JsonDict) -> JsonDict:
        entry: JsonDict = {
            "did": item.get("did"),
            "siid": item.get("siid"),
            "piid": item.get("piid"),
        }
        code = self._lookup(device, item, "write")
        if code == CODE_OK:
            (cloud,) = self.twin.cloud.set_properties([{**item, "did": device.did}])
            code = cloud["code"]
        entry["code"] = code
        return entry

    def _action(self, device: Device, params: JsonDict) -> JsonDict:
        result = self.twin.cloud.do_action({**params, "did": device.did})
        result["did"] = params.get("did")
        if result["code"] == CODE_BAD_ACTION:
            result["code"] = CODE_NOT_FOUND
        return result

    def _info(self, device: Device) -> JsonDict:
        mac = ":".join(f"{byte:02X}" for byte in hashlib.sha256(device.did.encode()).digest()[:6])
        return {
            "model": device.model,
            "fw_ver": device.fw_version,
            "hw_ver": "esp32",
            "mac": mac,
            "life": self.stamp() - self._clock_base,
            "ap": {"ssid": "MiHome", "bssid": "AA:BB:CC:DD:EE:FF", "rssi": -45},
            "netif": {"localIp": local_ip_of(device.did), "mask": "255.255.255.0"},
        }


def _items(params: Any) -> TypeGuard[list[JsonDict]]:
    return isinstance(params, list) and all(isinstance(item, dict) for item in params)


class LanTwin:
    """The LAN side of the simulated home: one UDP endpoint per Wi-Fi device on `host`.

    Each device has its own ephemeral port; the device list's `local_ip` stays a placeholder
    (`local_ip_of`), so a client takes (host, port) from `addresses()` or `GET /_sim/lan`. One
    host for all: Home Assistant's test plugin lets sockets connect to 127.0.0.1 only.
    """

    def __init__(self, cloud: Cloud, host: str = "127.0.0.1", *, stamp_window: float = 60) -> None:
        self.cloud = cloud
        self.host = host
        self.stamp_window = stamp_window
        self.devices: dict[str, LanDevice] = {}
        self.counts: Counter[str] = Counter()
        self.delayed: set[asyncio.TimerHandle] = set()
        self.running = False

    async def start(self) -> None:
        """Open an endpoint for every Wi-Fi device."""
        self.running = True
        await self.sync()

    async def sync(self) -> None:
        """Open endpoints for new Wi-Fi devices and close those of removed ones."""
        if not self.running:
            return
        wanted = {did for did, device in self.cloud.devices.items() if device.is_wifi}
        for did in [did for did in self.devices if did not in wanted]:
            await self._close(self.devices.pop(did))
        for did in sorted(wanted - set(self.devices)):
            self.devices[did] = await self._open(did)

    async def _open(self, did: str) -> LanDevice:
        lan = LanDevice(self, did, self.host)
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: lan, local_addr=(self.host, 0))
        return lan

    async def stop(self) -> None:
        """Close every endpoint and drop delayed answers."""
        self.running = False
        for handle in self.delayed:
            handle.cancel()
        self.delayed.clear()
        devices, self.devices = list(self.devices.values()), {}
        for lan in devices:
            await self._close(lan)

    @staticmethod
    async def _close(lan: LanDevice) -> None:
        if lan.transport is not None:
            lan.transport.close()
            await lan.closed

    def device(self, did: str) -> LanDevice:
        """The LAN side of a device (KeyError: not a Wi-Fi device, or the twin is stopped)."""
        return self.devices[did]

    def addresses(self) -> dict[str, tuple[str, int]]:
        """(host, port) of every device: the override map for a LAN client."""
        return {did: (lan.host, lan.port) for did, lan in self.devices.items()}

    def clear_faults(self) -> None:
        """No device fault left."""
        for lan in self.devices.values():
            lan.faults = LanFaults()

    def describe(self) -> JsonDict:
        """Everything for `GET /_sim/lan`."""
        return {
            "host": self.host,
            "running": self.running,
            "devices": {did: lan.describe() for did, lan in self.devices.items()},
            "counts": dict(self.counts),
        }
