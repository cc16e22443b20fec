"""HTTP client of the MIoT cloud API: profile, homes, devices, properties and actions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import logging
from typing import Any

import aiohttp

from .auth import MiotAuth, read_json
from .const import (
    DEFAULT_READ_WINDOW,
    DEFAULT_TIMEOUT,
    MAX_CONCURRENT_READS,
    MAX_ITEMS_PER_REQUEST,
    CloudEndpoints,
    async_ssl_context,
)
from .device_api import DeviceApiBase, PropertyKey, PropertyWrite, write_results
from .errors import (
    MiotActionError,
    MiotAuthError,
    MiotCloudUnavailableError,
    MiotError,
    MiotTimeoutError,
    error_for_code,
)
from .models import Device, Home, PropertyResult, UserProfile

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class _PendingRead:
    keys: list[PropertyKey]
    future: asyncio.Future[list[PropertyResult]]


@dataclass(slots=True)
class _ReadBatch:
    reads: list[_PendingRead] = field(default_factory=list)
    handle: asyncio.TimerHandle | None = None


def _chunks[T](items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except TypeError, ValueError:
        return default


class MiotCloudClient(DeviceApiBase):
    """Typed access to the cloud API; `auth` supplies and refreshes the token.

    Property reads arriving within `read_window` seconds are coalesced into requests of
    at most 150 properties.
    """

    def __init__(
        self,
        auth: MiotAuth,
        *,
        read_window: float = DEFAULT_READ_WINDOW,
        timeout: float = DEFAULT_TIMEOUT,
        device_page_limit: int = 200,
    ) -> None:
        """`auth.session` is used for every request."""
        self.auth = auth
        self.device_page_limit = device_page_limit
        self.read_window = read_window
        self.timeout = timeout
        self._batch: _ReadBatch | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._read_slots = asyncio.Semaphore(MAX_CONCURRENT_READS)

    @property
    def endpoints(self) -> CloudEndpoints:
        """The endpoints of the auth object."""
        return self.auth.endpoints

    # ------------------------------------------------------------------ transport
    async def _request(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST to the API host; refresh once on 401 and retry; returns `result`."""
        token = await self.auth.access_token()
        try:
            return await self._post(path, body, token)
        except MiotAuthError:
            _LOGGER.debug("%s: 401, refreshing the token once", path)
            token = await self.auth.async_handle_401(token)
        return await self._post(path, body, token)

    async def _post(self, path: str, body: Mapping[str, Any], token: str) -> Any:
        ssl_context = await async_ssl_context(self.endpoints.ca_file)
        url = f"{self.endpoints.api_url}{path}"
        headers = {
            "X-Client-BizId": "haapi",
            "Content-Type": "application/json",
            "X-Client-AppId": self.auth.client_id,
            "Authorization": f"Bearer{token}",
        }
        try:
            async with self.auth.session.post(
                url,
                json=dict(body),
                headers=headers,
                ssl=ssl_context if ssl_context is not None else True,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                answer = await read_json(response, path)
        except MiotError:
            raise
        except TimeoutError:
            raise MiotTimeoutError(f"{path}: timed out after {self.timeout} s") from None
        except aiohttp.ClientError as err:
            raise MiotCloudUnavailableError(f"{path}: {type(err).__name__}") from None
        if not isinstance(answer, dict) or "code" not in answer:
            raise MiotCloudUnavailableError(f"{path}: malformed answer")
        code = _int(answer.get("code"), -1)
        if code != 0:
            message = answer.get("message") or ""
            raise error_for_code(code, f"{path}: cloud error {code} {message}".strip())
        return answer.get("result")

    # --------------------------------------------------------------------- profile
    async def get_user_profile(self) -> UserProfile:
        """The account's union id and nickname."""
        token = await self.auth.access_token()
        try:
            return await self._profile(token)
        except MiotAuthError:
            token = await self.auth.async_handle_401(token)
        return await self._profile(token)

    async def _profile(self, token: str) -> UserProfile:
        ssl_context = await async_ssl_context(self.endpoints.ca_file)
        try:
            async with self.auth.session.get(
                f"{self.endpoints.profile_url}/user/profile",
                params={"clientId": self.auth.client_id, "token": token},
                ssl=ssl_context if ssl_context is not None else True,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                answer = await read_json(response, "/user/profile")
        except MiotError:
            raise
        except TimeoutError:
            raise MiotTimeoutError("/user/profile: timed out") from None
        except aiohttp.ClientError as err:
            raise MiotCloudUnavailableError(f"/user/profile: {type(err).__name__}") from None
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise MiotCloudUnavailableError("/user/profile: malformed answer")
        if answer.get("code") not in (0, None):
            raise MiotAuthError(f"/user/profile: refused (code {answer.get('code')})")
        return UserProfile(
            union_id=str(data.get("unionId") or ""),
            nickname=str(data.get("miliaoNick") or ""),
            icon=data.get("miliaoIcon") or None,
            raw=data,
        )

    # ----------------------------------------------------------------------- homes
    async def get_homes(self) -> list[Home]:
        """Own and shared homes with rooms; big homes are paged with get_dev_room_page."""
        result = await self._request(
            "/app/v2/homeroom/gethome",
            {
                "limit": 150,
                "fetch_share": True,
                "fetch_share_dev": True,
                "plat_form": 0,
                "app_ver": 9,
            },
        )
        if not isinstance(result, dict):
            raise MiotCloudUnavailableError("gethome: malformed result")
        homes = [
            Home.from_cloud(item) for item in result.get("homelist") or [] if isinstance(item, dict)
        ]
        homes += [
            Home.from_cloud(item, shared=True)
            for item in result.get("share_home_list") or []
            if isinstance(item, dict)
        ]
        by_id = {home.home_id: home for home in homes}
        has_more, max_id = bool(result.get("has_more")), result.get("max_id")
        pages = 0
        while has_more and pages < 1000:
            pages += 1
            page = await self._request(
                "/app/v2/homeroom/get_dev_room_page", {"start_id": max_id, "limit": 150}
            )
            if not isinstance(page, dict):
                raise MiotCloudUnavailableError("get_dev_room_page: malformed result")
            for info in page.get("info") or []:
                if isinstance(info, dict):
                    self._merge_room_page(by_id, info)
            has_more, max_id = bool(page.get("has_more")), page.get("max_id")
        return homes

    @staticmethod
    def _merge_room_page(homes: dict[str, Home], info: dict[str, Any]) -> None:
        home = homes.get(str(info.get("id")))
        if home is None:
            return
        for did in info.get("dids") or []:
            if str(did) not in home.dids:
                home.dids.append(str(did))
        rooms = {room.room_id: room for room in home.rooms}
        for item in info.get("roomlist") or []:
            if not isinstance(item, dict):
                continue
            room = rooms.get(str(item.get("id")))
            if room is None:
                home.rooms.append(
                    Home.from_cloud({"id": home.home_id, "roomlist": [item]}).rooms[0]
                )
                continue
            for did in item.get("dids") or []:
                if str(did) not in room.dids:
                    room.dids.append(str(did))

    # --------------------------------------------------------------------- devices
    async def get_devices(
        self, dids: Iterable[str], homes: Iterable[Home] | None = None
    ) -> list[Device]:
        """Device records for `dids` (≤150 per request, paged); sub-devices linked to parents."""
        wanted = list(dict.fromkeys(dids))
        devices: dict[str, Device] = {}
        for chunk in _chunks(wanted, MAX_ITEMS_PER_REQUEST):
            start_did: str | None = None
            for _ in range(1000):
                body: dict[str, Any] = {
                    "limit": self.device_page_limit,
                    "get_split_device": True,
                    "get_third_device": True,
                    "dids": list(chunk),
                }
                if start_did:
                    body["start_did"] = start_did
                result = await self._request("/app/v2/home/device_list_page", body)
                if not isinstance(result, dict):
                    raise MiotCloudUnavailableError("device_list_page: malformed result")
                for item in result.get("list") or []:
                    if isinstance(item, dict) and item.get("did"):
                        device = Device.from_cloud(item)
                        devices[device.did] = device
                start_did = result.get("next_start_did") or None
                if not result.get("has_more") or not start_did:
                    break
        for home in homes or ():
            for did in home.dids:
                if did in devices:
                    devices[did].home_id = home.home_id
            for room in home.rooms:
                for did in room.dids:
                    if did in devices:
                        devices[did].home_id = home.home_id
                        devices[did].room_id = room.room_id
        for device in devices.values():
            if device.parent_id and (parent := devices.get(device.parent_id)) is not None:
                parent.sub_devices.append(device)
        return list(devices.values())

    async def ping(self) -> None:
        """One small authenticated request (a one-entry device list page): raises like any call.

        For health checks: it proves the API host answers and accepts the token (refreshing it
        once on 401, as every request does).
        """
        await self._request(
            "/app/v2/home/device_list_page",
            {"limit": 1, "get_split_device": False, "get_third_device": False, "dids": []},
        )

    async def get_all_devices(self) -> tuple[list[Home], list[Device]]:
        """Homes and every device in them, with home and room ids filled in."""
        homes = await self.get_homes()
        dids = [did for home in homes for did in home.all_dids()]
        return homes, await self.get_devices(dids, homes)

    # ------------------------------------------------------------------ properties
    async def get_properties(
        self, keys: Iterable[PropertyKey], *, at_once: bool = False
    ) -> list[PropertyResult]:
        """Read properties; concurrent calls inside the read window share requests.

        `at_once`: a read large enough on its own (the first read of an account) is sent
        now instead of waiting for the window.
        """
        wanted = [(str(did), int(siid), int(piid)) for did, siid, piid in keys]
        if not wanted:
            return []
        loop = asyncio.get_running_loop()
        read = _PendingRead(wanted, loop.create_future())
        if at_once:
            self._start_flush(_ReadBatch([read]))
            return await read.future
        if self._batch is None:
            batch = self._batch = _ReadBatch()
            batch.handle = loop.call_later(self.read_window, self._start_flush, batch)
        self._batch.reads.append(read)
        return await read.future

    def _start_flush(self, batch: _ReadBatch) -> None:
        if self._batch is batch:
            self._batch = None
        task = asyncio.get_running_loop().create_task(self._flush(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, batch: _ReadBatch) -> None:
        try:
            await self._flush_batch(batch)
        finally:
            for read in batch.reads:
                if not read.future.done():  # cancelled by close()
                    read.future.set_exception(MiotError("client closed"))

    async def _flush_batch(self, batch: _ReadBatch) -> None:
        unique = list(dict.fromkeys(key for read in batch.reads for key in read.keys))
        _LOGGER.debug("Reading %d properties for %d callers", len(unique), len(batch.reads))
        chunks = _chunks(unique, MAX_ITEMS_PER_REQUEST)
        answers = await asyncio.gather(
            *(self._read_chunk(chunk) for chunk in chunks), return_exceptions=True
        )
        found: dict[PropertyKey, PropertyResult] = {}
        failed: dict[PropertyKey, BaseException] = {}
        for chunk, answer in zip(chunks, answers, strict=True):
            if isinstance(answer, BaseException):
                failed.update(dict.fromkeys(chunk, answer))
            else:
                found.update(answer)
        for read in batch.reads:
            if read.future.done():
                continue
            error = next((failed[key] for key in read.keys if key in failed), None)
            if error is not None:
                read.future.set_exception(error)
                continue
            read.future.set_result(
                [found.get(key) or PropertyResult(key[0], key[1], key[2], -1) for key in read.keys]
            )

    async def _read_chunk(self, chunk: Sequence[PropertyKey]) -> dict[PropertyKey, PropertyResult]:
        params = [{"did": did, "siid": siid, "piid": piid} for did, siid, piid in chunk]
        async with self._read_slots:
            result = await self._request(
                "/app/v2/miotspec/prop/get", {"datasource": 1, "params": params}
            )
        if not isinstance(result, list):
            raise MiotCloudUnavailableError("prop/get: malformed result")
        found: dict[PropertyKey, PropertyResult] = {}
        for item in result:
            if not isinstance(item, dict):
                continue
            key = (str(item.get("did")), _int(item.get("siid")), _int(item.get("piid")))
            code = _int(item.get("code"), 0)
            found[key] = PropertyResult(
                *key, code=code, value=item.get("value") if code in (0, 1) else None
            )
        return found

    async def set_properties(self, items: Iterable[PropertyWrite]) -> list[PropertyResult]:
        """Write several properties (one request per 150); results in input order."""
        writes = [(str(did), int(siid), int(piid), value) for did, siid, piid, value in items]
        results: dict[PropertyKey, PropertyResult] = {}
        for chunk in _chunks(writes, MAX_ITEMS_PER_REQUEST):
            params = [{"did": d, "siid": s, "piid": p, "value": v} for d, s, p, v in chunk]
            answer = await self._request("/app/v2/miotspec/prop/set", {"params": params})
            if not isinstance(answer, list):
                raise MiotCloudUnavailableError("prop/set: malformed result")
            for item in answer:
                if isinstance(item, dict):
                    key = (str(item.get("did")), _int(item.get("siid")), _int(item.get("piid")))
                    results[key] = PropertyResult(*key, code=_int(item.get("code"), 0))
        return write_results(writes, results)

    # ---------------------------------------------------------------------- actions
    async def call_action(
        self, did: str, siid: int, aiid: int, in_values: Sequence[Any] = ()
    ) -> list[Any]:
        """Run an action with positional `in` values; returns the `out` values."""
        result = await self._request(
            "/app/v2/miotspec/action",
            {"params": {"did": did, "siid": siid, "aiid": aiid, "in": list(in_values)}},
        )
        if not isinstance(result, dict):
            raise MiotCloudUnavailableError("action: malformed result")
        code = _int(result.get("code"), 0)
        if code not in (0, 1):
            raise error_for_code(
                code, f"action {did} {siid}.{aiid} failed: code {code}", kind=MiotActionError
            )
        out = result.get("out")
        return list(out) if isinstance(out, list) else []

    async def close(self) -> None:
        """Fail pending reads and cancel flush timers/tasks (the session stays open)."""
        batch, self._batch = self._batch, None
        if batch is not None:
            if batch.handle is not None:
                batch.handle.cancel()
            for read in batch.reads:
                if not read.future.done():
                    read.future.set_exception(MiotError("client closed"))
        for task in list(self._flushes):
            task.cancel()
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
