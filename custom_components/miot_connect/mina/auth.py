"""Holds the MiNA credential and renews its service token from the passToken when refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Any

import aiohttp

from .const import DEFAULT_TIMEOUT, MinaEndpoints
from .models import MinaCredential
from .passport import renew_credential

_LOGGER = logging.getLogger(__name__)

type CredentialCallback = Callable[[MinaCredential], Any]


class MinaAuth:
    """The credential of one account; `handle_auth_error()` renews once per refused token.

    Concurrent callers share one renewal. `on_credential_update(credential)` (sync or async)
    receives every renewed credential so it can be stored.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: MinaEndpoints,
        credential: MinaCredential,
        *,
        on_credential_update: CredentialCallback | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Nothing is fetched here."""
        self.session = session
        self.endpoints = endpoints
        self.on_credential_update = on_credential_update
        self.timeout = timeout
        self._credential = credential
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        """The credential's own repr hides its secrets."""
        return f"MinaAuth({self._credential!r})"

    @property
    def credential(self) -> MinaCredential:
        """The current credential."""
        return self._credential

    async def renew(self) -> MinaCredential:
        """Renew now (shared with concurrent callers); `MinaAuthError`: passToken refused."""
        current = self._credential
        async with self._lock:
            if self._credential is not current:
                return self._credential
            return await self._renew_locked()

    async def handle_auth_error(self, rejected_service_token: str) -> MinaCredential:
        """The service refused `rejected_service_token`: renew once (unless someone already did)."""
        async with self._lock:
            if self._credential.service_token != rejected_service_token:
                return self._credential
            return await self._renew_locked()

    async def _renew_locked(self) -> MinaCredential:
        _LOGGER.debug("Renewing the MiNA service token")
        credential = await renew_credential(
            self.session, self.endpoints, self._credential, request_timeout=self.timeout
        )
        self._credential = credential
        if self.on_credential_update is not None:
            result = self.on_credential_update(credential)
            if asyncio.iscoroutine(result):
                await result
        return credential
