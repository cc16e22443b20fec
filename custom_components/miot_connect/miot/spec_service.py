"""Fetch spec documents and their translations, with a disk and memory cache."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import hashlib
import json
import logging
from pathlib import Path
import time
from typing import Any

import aiohttp

from .const import DEFAULT_TIMEOUT, CloudEndpoints, async_ssl_context
from .errors import MiotCloudUnavailableError, MiotError, MiotSpecError, MiotTimeoutError
from .spec import DeviceSpec, parse_spec

_LOGGER = logging.getLogger(__name__)

DEFAULT_TTL = 30 * 24 * 3600.0
CACHE_VERSION = 1


class SpecService:
    """Spec documents by urn: memory → disk (TTL) → miot-spec.org, one fetch per urn."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: CloudEndpoints,
        cache_dir: str | Path | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        max_concurrency: int = 4,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`cache_dir` None disables the disk cache."""
        self.session = session
        self.endpoints = endpoints
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.ttl = ttl
        self.timeout = timeout
        self._clock = clock
        self._memory: dict[str, tuple[float, DeviceSpec]] = {}
        self._pending: dict[str, asyncio.Future[DeviceSpec]] = {}
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self.fetches = 0
        """Documents fetched from the network (for tests and diagnostics)."""

    async def get_spec(self, urn: str) -> DeviceSpec:
        """The parsed spec with translated names; `MiotSpecError` when broken or missing."""
        if not urn:
            raise MiotSpecError("device has no spec urn")
        cached = self._memory.get(urn)
        if cached is not None and self._clock() - cached[0] < self.ttl:
            return cached[1]
        if (pending := self._pending.get(urn)) is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[DeviceSpec] = asyncio.get_running_loop().create_future()
        self._pending[urn] = future
        try:
            spec = await self._load(urn)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as err:
            future.set_exception(err)
            future.exception()  # mark retrieved: waiters get it through shield
            raise
        else:
            future.set_result(spec)
            return spec
        finally:
            del self._pending[urn]

    def clear_memory(self) -> None:
        """Forget the in-memory cache (the disk cache stays)."""
        self._memory.clear()

    async def _load(self, urn: str) -> DeviceSpec:
        entry = await self._read_disk(urn)
        if entry is not None:
            fetched_at, document, translations = entry
            _LOGGER.debug("Spec %s from the disk cache", urn)
        else:
            async with self._semaphore:
                document, translations = await self._fetch(urn)
            fetched_at = self._clock()
            # Parse before caching: a broken document is never stored.
            parse_spec(document, urn)
            await self._write_disk(urn, fetched_at, document, translations)
        spec = parse_spec(document, urn)
        spec.apply_translations(translations)
        self._memory[urn] = (fetched_at, spec)
        return spec

    # ------------------------------------------------------------------ network
    async def _fetch(self, urn: str) -> tuple[Any, dict[str, Any]]:
        self.fetches += 1
        _LOGGER.debug("Fetching spec %s", urn)
        document = await self._get_json("/miot-spec-v2/instance", {"type": urn}, urn)
        if document is None:
            raise MiotSpecError(f"spec {urn}: answer is not JSON")
        translations: dict[str, Any] = {}
        try:
            names = await self._get_json("/instance/v2/multiLanguage", {"urn": urn}, urn)
        except MiotError as err:
            _LOGGER.debug("No translations for %s: %s", urn, err)
        else:
            if isinstance(names, dict) and isinstance(names.get("data"), dict):
                translations = names["data"]
        return document, translations

    async def _get_json(self, path: str, params: dict[str, str], urn: str) -> Any:
        ssl_context = await async_ssl_context(self.endpoints.ca_file)
        try:
            async with self.session.get(
                f"{self.endpoints.spec_url}{path}",
                params=params,
                ssl=ssl_context if ssl_context is not None else True,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                if response.status == 404:
                    raise MiotSpecError(f"spec {urn}: not found")
                if response.status >= 400:
                    raise MiotCloudUnavailableError(f"spec {urn}: HTTP {response.status}")
                text = await response.text()
        except MiotError:
            raise
        except TimeoutError:
            raise MiotTimeoutError(f"spec {urn}: timed out") from None
        except aiohttp.ClientError as err:
            raise MiotCloudUnavailableError(f"spec {urn}: {type(err).__name__}") from None
        try:
            return json.loads(text)
        except ValueError:
            return None

    # --------------------------------------------------------------------- disk
    def _path(self, urn: str) -> Path:
        assert self.cache_dir is not None
        digest = hashlib.sha256(urn.encode()).hexdigest()[:24]
        safe = "".join(c if c.isalnum() or c in "-." else "_" for c in urn)[-80:]
        return self.cache_dir / f"{safe}.{digest}.json"

    async def _read_disk(self, urn: str) -> tuple[float, Any, dict[str, Any]] | None:
        if self.cache_dir is None:
            return None
        path = self._path(urn)
        loop = asyncio.get_running_loop()
        try:
            raw = await loop.run_in_executor(None, path.read_text, "utf-8")
            data = json.loads(raw)
            fetched_at = float(data["fetched_at"])
            document, translations = data["document"], data.get("translations") or {}
            if data.get("version") != CACHE_VERSION or data.get("urn") != urn:
                return None
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            _LOGGER.debug("Ignoring unreadable spec cache %s: %s", path.name, err)
            return None
        if self._clock() - fetched_at >= self.ttl:
            _LOGGER.debug("Spec cache for %s expired", urn)
            return None
        return fetched_at, document, translations

    async def _write_disk(
        self, urn: str, fetched_at: float, document: Any, translations: dict[str, Any]
    ) -> None:
        if self.cache_dir is None:
            return
        path = self._path(urn)
        text = json.dumps(
            {
                "version": CACHE_VERSION,
                "urn": urn,
                "fetched_at": fetched_at,
                "document": document,
                "translations": translations,
            },
            ensure_ascii=False,
        )

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, "utf-8")
            tmp.replace(path)

        try:
            await asyncio.get_running_loop().run_in_executor(None, write)
        except OSError as err:
            _LOGGER.warning("Cannot write the spec cache %s: %s", path, err)
