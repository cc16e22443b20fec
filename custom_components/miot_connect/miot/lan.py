"""Local control of Wi-Fi MIoT devices with the miio protocol over UDP (asyncio, no threads).

`MiotLanClient` has the cloud client's device calls (`MiotDeviceApi`): the same arguments, the
same `PropertyResult` and `out` results, the same item errors. Each device gets one
`MiotLanDevice`: a connected datagram endpoint, the handshake (device id and stamp), request ids,
timeouts and retries, one request in flight at a time. Protocol facts: docs/lan.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass
import ipaddress
import logging
import random
from typing import Any, Final

from .device_api import DeviceApiBase, PropertyKey, PropertyWrite, write_results
from .errors import (
    MiotActionError,
    MiotError,
    MiotInvalidValueError,
    MiotLanDeviceError,
    MiotLanError,
    MiotLanProtocolError,
    MiotLanTimeoutError,
    MiotLanTokenError,
    error_for_code,
)
from .miio import HELLO, MAX_STAMP, MIIO_PORT, MiioCodec, parse_header, parse_token
from .models import Device, PropertyResult

_LOGGER = logging.getLogger(__name__)

DEFAULT_LAN_TIMEOUT: Final = 2.0
DEFAULT_LAN_RETRIES: Final = 2
DEFAULT_HANDSHAKE_INTERVAL: Final = 60.0
DEFAULT_MAX_PROPERTIES: Final = 15
# Device error codes worth another try (python-miio retries these, docs/lan.md).
RECOVERABLE_CODES: Final = frozenset({-30001, -9999})
_ID_MAX: Final = 9999
_ID_RETRY_STEP: Final = 100

type LanAddress = tuple[str, int]


@dataclass(frozen=True, slots=True)
class LanHello:
    """What a handshake learned: the device id and the device's clock (stamp, seconds)."""

    device_id: int
    stamp: int


def is_lan_capable(device: Device) -> bool:
    """Whether the cloud lists `device` as a Wi-Fi device that speaks miio itself.

    Not for BLE (`blt.`), gateway-proxied (`proxy.`) or sub-devices (a parent, `<did>.s<n>`):
    those are reached through their gateway. The did must be a number (it is the device id of
    the packets) and the device needs a 32-hex-digit token.
    """
    if device.parent_id is not None or not device.did.isdigit() or not device.token:
        return False
    try:
        parse_token(device.token)
    except MiotInvalidValueError:
        return False
    return True


def _check_address(host: str, port: int) -> None:
    # An IP literal: the loop then needs no resolver (which would run in a thread).
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise MiotInvalidValueError(f"LAN host {host!r} is not an IP address") from None
    if not 0 < port < 65536:
        raise MiotInvalidValueError(f"LAN port {port} out of range")


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, device: MiotLanDevice) -> None:
        self.device = device
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.device._received(data)

    def error_received(self, exc: Exception) -> None:
        self.device._fail_pending(
            MiotLanError(f"{self.device.did}: LAN packet refused ({type(exc).__name__})")
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set_result(None)
        self.device._lost()


class MiotLanDevice:
    """One device on the LAN; at most `max_in_flight` requests at a time (default 1).

    The handshake is repeated before a request when none was made yet, when the device has been
    silent for `handshake_interval` seconds, and after a request timed out. Each attempt waits
    `timeout` seconds; a request is tried `retries + 1` times, with fresh ids (+100, as
    python-miio does) so that a device that saw the earlier id still answers.
    """

    def __init__(
        self,
        did: str,
        token: str | bytes,
        host: str,
        port: int = MIIO_PORT,
        *,
        timeout: float = DEFAULT_LAN_TIMEOUT,
        retries: int = DEFAULT_LAN_RETRIES,
        handshake_interval: float = DEFAULT_HANDSHAKE_INTERVAL,
        max_in_flight: int = 1,
    ) -> None:
        """`token` as the cloud lists it (32 hex digits); `host` an IP address."""
        _check_address(host, port)
        if retries < 0 or timeout <= 0 or max_in_flight < 1:
            raise MiotInvalidValueError("timeout > 0, retries >= 0 and max_in_flight >= 1")
        self.did = did
        self.host = host
        self.port = port
        self.timeout = timeout
        self.retries = retries
        self.handshake_interval = handshake_interval
        self._codec = MiioCodec(token)
        self._slots = asyncio.Semaphore(max_in_flight)
        self._hello_lock = asyncio.Lock()
        self._endpoint: _Endpoint | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._hello: LanHello | None = None
        self._hello_future: asyncio.Future[LanHello] | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._stamp = 0
        self._stamp_at = 0.0
        self._last_answer = 0.0
        self._next_id = random.randint(1, _ID_MAX - 2 * _ID_RETRY_STEP)
        self._closed = False

    def __repr__(self) -> str:
        """Did and address only (never the token)."""
        return f"MiotLanDevice(did={self.did!r}, host={self.host!r}, port={self.port})"

    @property
    def hello(self) -> LanHello | None:
        """The last handshake's answer (None: none yet, or a new one is due)."""
        return self._hello

    @property
    def connected(self) -> bool:
        """Whether the datagram endpoint is open."""
        return self._transport is not None

    def same_token(self, token: str | bytes) -> bool:
        """Whether the device uses `token`."""
        return self._codec.same_token(token)

    # ------------------------------------------------------------------ transport
    async def _ensure_transport(self) -> asyncio.DatagramTransport:
        if self._closed:
            raise MiotLanError(f"{self.did}: LAN client closed")
        if self._transport is None:
            loop = asyncio.get_running_loop()
            endpoint = _Endpoint(self)
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: endpoint, remote_addr=(self.host, self.port)
                )
            except OSError as err:  # no route to the device's network, address not available
                raise MiotLanError(f"{self.did}: cannot reach the device: {err}") from err
            self._endpoint, self._transport = endpoint, transport
        return self._transport

    def _lost(self) -> None:
        # The next request opens a new endpoint.
        self._endpoint = self._transport = None
        self._fail_pending(MiotLanError(f"{self.did}: LAN endpoint closed"))

    def _fail_pending(self, error: MiotError) -> None:
        futures: list[asyncio.Future[Any]] = [*self._pending.values()]
        if self._hello_future is not None:
            futures.append(self._hello_future)
        for future in futures:
            if not future.done():
                future.set_exception(error)

    async def close(self) -> None:
        """Fail what is pending and close the endpoint (waits until it is closed)."""
        self._closed = True
        self._fail_pending(MiotLanError(f"{self.did}: LAN client closed"))
        transport, endpoint = self._transport, self._endpoint
        if transport is not None and endpoint is not None:
            transport.close()
            await endpoint.closed

    # ------------------------------------------------------------------ receiving
    def _remember_stamp(self, stamp: int) -> None:
        loop = asyncio.get_running_loop()
        self._stamp, self._stamp_at = stamp, loop.time()
        self._last_answer = self._stamp_at

    def _next_stamp(self) -> int:
        """The device's clock now: its last stamp plus the seconds since it was seen."""
        elapsed = asyncio.get_running_loop().time() - self._stamp_at
        return min(self._stamp + int(elapsed), MAX_STAMP)

    def _received(self, data: bytes) -> None:
        try:
            header = parse_header(data)
        except MiotLanProtocolError as err:
            _LOGGER.debug("%s: ignoring a packet: %s", self.did, err)
            return
        if header.is_hello:
            future = self._hello_future
            if future is not None and not future.done():
                self._remember_stamp(header.stamp)
                future.set_result(LanHello(header.device_id, header.stamp))
            return
        try:
            message = self._codec.decode(data)
        except MiotLanTokenError as err:
            _LOGGER.debug("%s: answer with a foreign checksum", self.did)
            self._fail_pending(MiotLanTokenError(f"{self.did}: {err}; check the device token"))
            return
        except MiotLanProtocolError as err:
            _LOGGER.debug("%s: ignoring an answer: %s", self.did, err)
            return
        self._remember_stamp(message.header.stamp)
        msg_id = message.payload.get("id")
        pending = self._pending.get(msg_id) if isinstance(msg_id, int) else None
        if pending is not None and not pending.done():
            pending.set_result(message.payload)

    # ------------------------------------------------------------------ handshake
    def _idle(self) -> bool:
        """Whether the device has been silent for `handshake_interval` seconds."""
        return asyncio.get_running_loop().time() - self._last_answer >= self.handshake_interval

    async def handshake(self) -> LanHello:
        """Send the hello until the device answers (`retries + 1` tries of `timeout` seconds)."""
        async with self._hello_lock:
            transport = await self._ensure_transport()
            loop = asyncio.get_running_loop()
            try:
                for attempt in range(self.retries + 1):
                    future: asyncio.Future[LanHello] = loop.create_future()
                    self._hello_future = future
                    _LOGGER.debug("%s: hello (try %d)", self.did, attempt + 1)
                    transport.sendto(HELLO)
                    done, _ = await asyncio.wait({future}, timeout=self.timeout)
                    if done:
                        self._hello = future.result()
                        return self._hello
            finally:
                self._hello_future = None
            self._hello = None
            raise MiotLanTimeoutError(
                f"{self.did}: no answer to the handshake from {self.host}:{self.port}"
                f" ({self.retries + 1} tries of {self.timeout} s)"
            )

    # ------------------------------------------------------------------ requests
    def _take_id(self, retry: bool) -> int:
        self._next_id += _ID_RETRY_STEP if retry else 1
        if self._next_id > _ID_MAX:
            self._next_id = 1
        return self._next_id

    async def send(self, method: str, params: Any = None) -> Any:
        """A JSON-RPC call; returns its `result`.

        Raises `MiotLanTimeoutError` (no handshake answer), `MiotLanTokenError` (foreign
        checksum, or handshakes answered but no request), `MiotLanDeviceError` (the device's
        `error`), `MiotLanProtocolError` (an answer without `result`).
        """
        async with self._slots:
            return await self._send(method, [] if params is None else params)

    async def _send(self, method: str, params: Any) -> Any:
        loop = asyncio.get_running_loop()
        ids: list[int] = []
        last_error: dict[str, Any] | None = None
        try:
            for attempt in range(self.retries + 1):
                hello = self._hello
                if hello is None or self._idle():
                    hello = await self.handshake()
                msg_id = self._take_id(retry=attempt > 0)
                future: asyncio.Future[dict[str, Any]] = loop.create_future()
                ids.append(msg_id)
                for known in ids:  # a late answer to an earlier try counts too
                    self._pending[known] = future
                packet = self._codec.encode(
                    {"id": msg_id, "method": method, "params": params},
                    device_id=hello.device_id,
                    stamp=self._next_stamp(),
                )
                _LOGGER.debug("%s: %s id %d (try %d)", self.did, method, msg_id, attempt + 1)
                transport = await self._ensure_transport()
                transport.sendto(packet)
                done, _ = await asyncio.wait({future}, timeout=self.timeout)
                if not done:
                    _LOGGER.debug("%s: %s id %d timed out", self.did, method, msg_id)
                    self._hello = None  # the device may have rebooted: new stamp, new hello
                    continue
                answer = future.result()
                error = answer.get("error")
                if isinstance(error, dict):
                    if error.get("code") in RECOVERABLE_CODES:
                        last_error = error
                        continue
                    raise self._device_error(method, error)
                if "result" not in answer:
                    raise MiotLanProtocolError(f"{self.did}: {method} answer has no result")
                return answer["result"]
        finally:
            for known in ids:
                self._pending.pop(known, None)
        if last_error is not None:
            raise self._device_error(method, last_error)
        raise MiotLanTokenError(
            f"{self.did}: the device answers the handshake but not {method} requests"
            f" ({self.retries + 1} tries); its token is probably wrong or outdated"
        )

    def _device_error(self, method: str, error: dict[str, Any]) -> MiotLanDeviceError:
        code = error.get("code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else -1
        text = str(error.get("message") or error.get("error") or "")
        return MiotLanDeviceError(code, f"{self.did}: {method} failed: {code} {text}".rstrip())

    # ------------------------------------------------------------------ MIoT calls
    async def get_properties(
        self, items: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], PropertyResult]:
        """`get_properties` for (siid, piid) pairs of this device (one request)."""
        params = [{"did": self.did, "siid": siid, "piid": piid} for siid, piid in items]
        result = await self.send("get_properties", params)
        return self._per_item("get_properties", result, read=True)

    async def set_properties(
        self, items: Sequence[tuple[int, int, Any]]
    ) -> dict[tuple[int, int], PropertyResult]:
        """`set_properties` for (siid, piid, value) items of this device (one request)."""
        params = [
            {"did": self.did, "siid": siid, "piid": piid, "value": value}
            for siid, piid, value in items
        ]
        result = await self.send("set_properties", params)
        return self._per_item("set_properties", result, read=False)

    def _per_item(
        self, method: str, result: Any, *, read: bool
    ) -> dict[tuple[int, int], PropertyResult]:
        if not isinstance(result, list):
            raise MiotLanProtocolError(f"{self.did}: {method} result is not a list")
        found: dict[tuple[int, int], PropertyResult] = {}
        for item in result:
            if not isinstance(item, dict):
                continue
            siid, piid, code = (_int(item.get(key)) for key in ("siid", "piid", "code"))
            value = item.get("value") if read and code in (0, 1) else None
            found[(siid, piid)] = PropertyResult(self.did, siid, piid, code, value)
        return found

    async def call_action(self, siid: int, aiid: int, in_values: Sequence[Any] = ()) -> list[Any]:
        """`action`; returns `out` (raises `MiotActionError` for a failing code)."""
        params = {"did": self.did, "siid": siid, "aiid": aiid, "in": list(in_values)}
        result = await self.send("action", params)
        if not isinstance(result, dict):
            raise MiotLanProtocolError(f"{self.did}: action result is not an object")
        code = _int(result.get("code"))
        if code not in (0, 1):
            raise error_for_code(
                code, f"action {self.did} {siid}.{aiid} failed: code {code}", kind=MiotActionError
            )
        out = result.get("out")
        return list(out) if isinstance(out, list) else []


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except TypeError, ValueError:
        return default


class MiotLanClient(DeviceApiBase):
    """Device calls over the LAN for the devices it was given (`set_device`, `sync_devices`).

    Reads of several devices run concurrently; each device takes one request at a time. A did
    the client does not know raises `MiotLanError` (the cue to use the cloud instead).
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_LAN_TIMEOUT,
        retries: int = DEFAULT_LAN_RETRIES,
        handshake_interval: float = DEFAULT_HANDSHAKE_INTERVAL,
        max_properties: int = DEFAULT_MAX_PROPERTIES,
        max_in_flight: int = 1,
    ) -> None:
        """Settings apply to every device; `max_properties` items per request."""
        if max_properties < 1:
            raise MiotInvalidValueError("max_properties must be at least 1")
        self.timeout = timeout
        self.retries = retries
        self.handshake_interval = handshake_interval
        self.max_properties = max_properties
        self.max_in_flight = max_in_flight
        self._devices: dict[str, MiotLanDevice] = {}
        self._closed = False

    def __repr__(self) -> str:
        """Device count only."""
        return f"MiotLanClient(devices={len(self._devices)})"

    async def __aenter__(self) -> MiotLanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ devices
    @property
    def dids(self) -> list[str]:
        """The devices the client can reach."""
        return list(self._devices)

    def has_device(self, did: str) -> bool:
        """Whether calls for `did` go over the LAN."""
        return did in self._devices

    def device(self, did: str) -> MiotLanDevice:
        """The connection of one device."""
        try:
            return self._devices[did]
        except KeyError:
            raise MiotLanError(f"{did}: not a LAN device of this client") from None

    async def set_device(
        self, did: str, token: str | bytes, host: str, port: int = MIIO_PORT
    ) -> MiotLanDevice:
        """Add a device, or update its token or address (its connection is then renewed)."""
        if self._closed:
            raise MiotLanError("LAN client closed")
        current = self._devices.get(did)
        if (
            current is not None
            and current.host == host
            and current.port == port
            and current.same_token(token)
        ):
            return current
        device = MiotLanDevice(
            did,
            token,
            host,
            port,
            timeout=self.timeout,
            retries=self.retries,
            handshake_interval=self.handshake_interval,
            max_in_flight=self.max_in_flight,
        )
        self._devices[did] = device
        if current is not None:
            await current.close()
        return device

    async def remove_device(self, did: str) -> None:
        """Forget a device and close its connection (unknown dids are ignored)."""
        device = self._devices.pop(did, None)
        if device is not None:
            await device.close()

    async def sync_devices(
        self, devices: Iterable[Device], addresses: Mapping[str, LanAddress] | None = None
    ) -> list[str]:
        """Take the LAN devices of a cloud device list; forget the others. Returns their dids.

        A device qualifies by `is_lan_capable` and an address: `addresses[did]` (host, port),
        e.g. the simulator's ports, else the cloud's `local_ip` on port 54321.
        """
        addresses = addresses or {}
        wanted: dict[str, tuple[str, str, int]] = {}
        for device in devices:
            if not is_lan_capable(device):
                continue
            host, port = addresses.get(device.did) or (device.local_ip, MIIO_PORT)
            if not host:
                continue
            assert device.token is not None  # is_lan_capable
            wanted[device.did] = (device.token, host, port)
        for did in [did for did in self._devices if did not in wanted]:
            await self.remove_device(did)
        for did, (token, host, port) in wanted.items():
            await self.set_device(did, token, host, port)
        return list(wanted)

    # ------------------------------------------------------------------ properties
    async def get_properties(self, keys: Iterable[PropertyKey]) -> list[PropertyResult]:
        """Read properties (results in input order); devices are asked concurrently.

        A transport error of any device raises (after every device has finished).
        """
        wanted = [(str(did), int(siid), int(piid)) for did, siid, piid in keys]
        by_device: dict[str, list[tuple[int, int]]] = {}
        for did, siid, piid in dict.fromkeys(wanted):
            by_device.setdefault(did, []).append((siid, piid))
        devices = {did: self.device(did) for did in by_device}
        jobs = [
            (did, chunk)
            for did, items in by_device.items()
            for chunk in _chunks(items, self.max_properties)
        ]
        answers = await _gather(devices[did].get_properties(chunk) for did, chunk in jobs)
        found: dict[PropertyKey, PropertyResult] = {}
        for (did, _), answer in zip(jobs, answers, strict=True):
            found.update({(did, siid, piid): res for (siid, piid), res in answer.items()})
        return [found.get(key) or PropertyResult(*key, code=-1) for key in wanted]

    async def set_properties(self, items: Iterable[PropertyWrite]) -> list[PropertyResult]:
        """Write properties (results in input order; a single failing write raises)."""
        writes = [(str(did), int(siid), int(piid), value) for did, siid, piid, value in items]
        by_device: dict[str, list[tuple[int, int, Any]]] = {}
        for did, siid, piid, value in writes:
            by_device.setdefault(did, []).append((siid, piid, value))
        devices = {did: self.device(did) for did in by_device}
        jobs = [
            (did, chunk)
            for did, items_of in by_device.items()
            for chunk in _chunks(items_of, self.max_properties)
        ]
        answers = await _gather(devices[did].set_properties(chunk) for did, chunk in jobs)
        found: dict[PropertyKey, PropertyResult] = {}
        for (did, _), answer in zip(jobs, answers, strict=True):
            found.update({(did, siid, piid): res for (siid, piid), res in answer.items()})
        return write_results(writes, found)

    # ------------------------------------------------------------------ actions
    async def call_action(
        self, did: str, siid: int, aiid: int, in_values: Sequence[Any] = ()
    ) -> list[Any]:
        """Run an action with positional `in` values; returns the `out` values."""
        return await self.device(did).call_action(siid, aiid, in_values)

    async def close(self) -> None:
        """Fail pending calls and close every endpoint; later calls raise `MiotLanError`."""
        self._closed = True
        devices, self._devices = list(self._devices.values()), {}
        await asyncio.gather(*(device.close() for device in devices))


def _chunks[T](items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _gather[T](calls: Iterable[Awaitable[T]]) -> list[T]:
    """Run every call to its end; then raise the first error, if any."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    out: list[T] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        out.append(result)
    return out
