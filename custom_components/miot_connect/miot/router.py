"""Local first, cloud as the fallback: route each device's reads, writes and actions.

`MiotDeviceRouter` is itself a `MiotDeviceApi`, so a coordinator calls it as it would call the cloud
client. Per device it picks a path by the device's mode:

- `auto` (the default): the LAN when the device is a LAN device (`MiotLanClient.has_device`) and has
  not just failed there; else the cloud. A LAN transport error (`MiotLanError`: no answer, wrong
  token, bad packet) sends the same call to the cloud at once, and the device stays on the cloud for
  `retry_after` seconds before the LAN is tried again (doubling with each failure in a row, up to an
  hour: a device on another network costs one timeout an hour, not one a minute). What a device
  answers (a refused item, an action error) is its answer on either path: it is not retried on the
  cloud.
- `local`: the LAN only; a LAN error is the call's error.
- `cloud`: the cloud only.

After a write over the LAN the router reads the written properties back over the LAN once, after
`reread_delay` seconds, and hands the values to `on_values` (miio devices do not push on the LAN;
the cloud's push may or may not follow). A wrong token is reported to `on_token_error` once per
failure streak, so the owner can re-read the device list (the cloud has the new token).

No Home Assistant imports; the router starts one task per pending re-read and `close()` ends them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import logging
import time
from typing import Any, Final, Literal

from .device_api import (
    DeviceApiBase,
    MiotDeviceApi,
    PropertyKey,
    PropertyWrite,
    write_results,
)
from .errors import (
    MiotActionError,
    MiotCodeError,
    MiotLanError,
    MiotLanTokenError,
)
from .lan import MiotLanClient
from .models import PropertyResult

_LOGGER = logging.getLogger(__name__)

type LanMode = Literal["auto", "local", "cloud"]
LAN_MODES: Final[tuple[LanMode, ...]] = ("auto", "local", "cloud")
DEFAULT_RETRY_AFTER: Final = 60.0
DEFAULT_REREAD_DELAY: Final = 0.5
MAX_RETRY_AFTER: Final = 3600.0


@dataclass
class RouterStats:
    """What went where (for diagnostics, system health and the bench)."""

    lan_calls: int = 0
    cloud_calls: int = 0
    fallbacks: int = 0
    lan_reached: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        """Counters only (no dids)."""
        return {
            "lan_calls": self.lan_calls,
            "cloud_calls": self.cloud_calls,
            "fallbacks": self.fallbacks,
            "lan_devices_reached": len(self.lan_reached),
        }


class MiotDeviceRouter(DeviceApiBase):
    """Routes device calls between a LAN client and the cloud client (see the module doc)."""

    def __init__(
        self,
        cloud: MiotDeviceApi,
        lan: MiotLanClient | None = None,
        *,
        mode: LanMode = "auto",
        modes: Mapping[str, LanMode] | None = None,
        retry_after: float = DEFAULT_RETRY_AFTER,
        reread_delay: float = DEFAULT_REREAD_DELAY,
        on_values: Callable[[list[PropertyResult]], None] | None = None,
        on_token_error: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`mode` for every device, `modes` per did (overrides)."""
        self.cloud = cloud
        self.lan = lan
        self.mode: LanMode = mode
        self.modes: dict[str, LanMode] = dict(modes or {})
        self.retry_after = retry_after
        self.reread_delay = reread_delay
        self.on_values = on_values
        self.on_token_error = on_token_error
        self.stats = RouterStats()
        self._clock = clock
        self._cloud_until: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._token_reported: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # ------------------------------------------------------------------ routing
    def mode_of(self, did: str) -> LanMode:
        """The device's mode."""
        return self.modes.get(did, self.mode)

    def uses_lan(self, did: str) -> bool:
        """Whether the next call for `did` goes over the LAN."""
        mode = self.mode_of(did)
        if mode == "cloud" or self.lan is None or not self.lan.has_device(did):
            return False
        if mode == "local":
            return True
        return self._clock() >= self._cloud_until.get(did, 0.0)

    def route(self, did: str) -> str:
        """`lan` or `cloud`: where the next call for `did` goes."""
        return "lan" if self.uses_lan(did) else "cloud"

    def _lan_failed(self, did: str, err: MiotLanError) -> bool:
        """Note a LAN failure; True when the call should go to the cloud instead."""
        self.stats.lan_reached.discard(did)
        if isinstance(err, MiotLanTokenError) and did not in self._token_reported:
            self._token_reported.add(did)
            if self.on_token_error is not None:
                self.on_token_error(did)
        if self.mode_of(did) == "local":
            return False
        # A device that keeps failing (another network, LAN blocked) is tried less and less often.
        failures = self._failures[did] = self._failures.get(did, 0) + 1
        pause = min(self.retry_after * 2 ** (failures - 1), MAX_RETRY_AFTER)
        self._cloud_until[did] = self._clock() + pause
        self.stats.fallbacks += 1
        _LOGGER.debug("%s: no answer on the LAN (%s); the cloud answers for now", did, err)
        return True

    def _fall_back_or_raise(self, did: str, err: Exception) -> None:
        """Return when the call should go to the cloud; raise the LAN error otherwise."""
        lan_err = _lan_error(did, err)
        if self._lan_failed(did, lan_err):
            return
        if lan_err is err:
            raise err
        raise lan_err from err

    def _lan_ok(self, did: str) -> None:
        self.stats.lan_reached.add(did)
        self._failures.pop(did, None)
        self._token_reported.discard(did)

    def _split[T](
        self, items: Sequence[T], did_of: Callable[[T], str]
    ) -> tuple[dict[str, list[T]], list[T]]:
        local: dict[str, list[T]] = {}
        cloud: list[T] = []
        for item in items:
            did = did_of(item)
            if self.uses_lan(did):
                local.setdefault(did, []).append(item)
            else:
                cloud.append(item)
        return local, cloud

    # ---------------------------------------------------------------- properties
    async def get_properties(self, keys: Iterable[PropertyKey]) -> list[PropertyResult]:
        """Results in the order of `keys`; LAN devices are asked concurrently with the cloud."""
        wanted = [(str(did), int(siid), int(piid)) for did, siid, piid in keys]
        local, cloud_keys = self._split(wanted, lambda key: key[0])
        found: dict[PropertyKey, PropertyResult] = {}

        async def read_local(did: str, did_keys: list[PropertyKey]) -> list[PropertyKey]:
            """Read one device over the LAN; returns the keys the cloud must read instead."""
            assert self.lan is not None
            self.stats.lan_calls += 1
            try:
                results = await self.lan.get_properties(did_keys)
            except Exception as err:
                self._fall_back_or_raise(did, err)
                return did_keys
            self._lan_ok(did)
            found.update({(r.did, r.siid, r.piid): r for r in results})
            return []

        retry = await asyncio.gather(*(read_local(did, ks) for did, ks in local.items()))
        cloud_keys.extend(key for keys_of in retry for key in keys_of)
        if cloud_keys:
            self.stats.cloud_calls += 1
            results = await self.cloud.get_properties(cloud_keys)
            found.update({(r.did, r.siid, r.piid): r for r in results})
        return [found.get(key) or PropertyResult(*key, code=-1) for key in wanted]

    async def set_properties(self, items: Iterable[PropertyWrite]) -> list[PropertyResult]:
        """Results in input order; a single failing write raises its error."""
        writes = [(str(did), int(siid), int(piid), value) for did, siid, piid, value in items]
        local, cloud_writes = self._split(writes, lambda item: item[0])
        found: dict[PropertyKey, PropertyResult] = {}

        async def write_local(did: str, did_writes: list[PropertyWrite]) -> list[PropertyWrite]:
            assert self.lan is not None
            self.stats.lan_calls += 1
            try:
                # Per-item results: a refused item is the device's answer, not a LAN failure.
                results = await _each_result(self.lan, did_writes)
            except MiotCodeError as err:
                if not isinstance(err, MiotLanError):
                    raise  # a device's answer on a single write
                self._fall_back_or_raise(did, err)
                return did_writes
            except Exception as err:
                self._fall_back_or_raise(did, err)
                return did_writes
            self._lan_ok(did)
            found.update({(r.did, r.siid, r.piid): r for r in results})
            self._schedule_reread([(r.did, r.siid, r.piid) for r in results if r.ok])
            return []

        retry = await asyncio.gather(*(write_local(did, ws) for did, ws in local.items()))
        cloud_writes.extend(item for items_of in retry for item in items_of)
        if cloud_writes:
            self.stats.cloud_calls += 1
            results = await _each_result(self.cloud, cloud_writes)
            found.update({(r.did, r.siid, r.piid): r for r in results})
        return write_results(writes, found)

    def _schedule_reread(self, keys: list[PropertyKey]) -> None:
        """Read what was written over the LAN back once, a moment later (no LAN push)."""
        if not keys or self.on_values is None or self._closed:
            return

        async def reread() -> None:
            await asyncio.sleep(self.reread_delay)
            try:
                results = await self.get_properties(keys)
            except Exception as err:
                _LOGGER.debug("Re-read after a LAN write failed: %s", err)
                return
            if self.on_values is not None and not self._closed:
                self.on_values([result for result in results if result.ok])

        task = asyncio.get_running_loop().create_task(reread(), name="miot-lan-reread")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------- actions
    async def call_action(
        self, did: str, siid: int, aiid: int, in_values: Sequence[Any] = ()
    ) -> list[Any]:
        """Run an action on the device's path (LAN failures fall back to the cloud in auto)."""
        if self.uses_lan(did):
            assert self.lan is not None
            self.stats.lan_calls += 1
            try:
                out = await self.lan.call_action(did, siid, aiid, in_values)
            except MiotActionError:
                raise  # the device's answer
            except Exception as err:
                self._fall_back_or_raise(did, err)
            else:
                self._lan_ok(did)
                return out
        self.stats.cloud_calls += 1
        return await self.cloud.call_action(did, siid, aiid, in_values)

    async def close(self) -> None:
        """End pending re-reads (the clients belong to the caller)."""
        self._closed = True
        tasks, self._tasks = list(self._tasks), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _lan_error(did: str, err: Exception) -> MiotLanError:
    """Any failure on the LAN path is a LAN failure: the cloud can still serve the call, and the
    LAN must never break what the cloud would do (an unforeseen socket error included)."""
    if isinstance(err, MiotLanError):
        return err
    _LOGGER.debug("%s: unexpected LAN failure", did, exc_info=err)
    return MiotLanError(f"{did}: {type(err).__name__}: {err}")


async def _each_result(client: MiotDeviceApi, writes: list[PropertyWrite]) -> list[PropertyResult]:
    """Every write's result: both clients raise a single failing write's error instead, so that
    error is turned back into its result (transport errors still raise)."""
    try:
        return await client.set_properties(writes)
    except MiotCodeError as err:
        if len(writes) != 1 or isinstance(err, MiotLanError):
            raise
        did, siid, piid, _ = writes[0]
        return [PropertyResult(did, siid, piid, code=err.code)]
