"""OAuth 2.0 against the Xiaomi account service and a token manager that refreshes on time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import json
import logging
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
import uuid

import aiohttp

from .const import DEFAULT_TIMEOUT, OAUTH2_CLIENT_ID, CloudEndpoints, async_ssl_context
from .errors import (
    MiotAuthError,
    MiotCloudUnavailableError,
    MiotError,
    MiotRateLimitedError,
    MiotTimeoutError,
)

_LOGGER = logging.getLogger(__name__)

REFRESH_AT = 0.7
"""Refresh once this share of the token lifetime has passed."""

TOKEN_PATH = "/app/v2/ha/oauth/get_token"
EARLY_REFRESH_RETRY = 300.0
"""Seconds before another early refresh is tried after one failed (the token still works)."""


def new_device_id() -> str:
    """`ha.<32 hex>`: identifies this installation to OAuth and MQTT."""
    return f"ha.{uuid.uuid4().hex}"


def oauth_state(device_id: str) -> str:
    """The `state` the official client sends: sha1 of `d=<device_id>` in hex."""
    return hashlib.sha1(f"d={device_id}".encode()).hexdigest()


def new_oauth_state() -> str:
    """A fresh random `state` for one sign-in attempt (never reused)."""
    return secrets.token_urlsafe(24)


_CODE_CHARS = re.compile(r"^[A-Za-z0-9._~+/=-]+$")


@dataclass(frozen=True, slots=True)
class RedirectInput:
    """What the user copied after signing in: the redirect address, its query, or just the code.

    `code` is empty when the text holds no code (`error` may then say why: the user refused);
    `state` is None when only a bare code was given.
    """

    code: str
    state: str | None
    error: str | None = None


def parse_redirect(text: str) -> RedirectInput:
    """Read the address the browser landed on after the authorize page (or just its code).

    Accepts a full address (`http://host:8123/path?code=…&state=…`, with or without the scheme), the
    query part alone (`?code=…&state=…`), or a bare code.
    """
    text = text.strip().strip("\"'<>")
    if not text:
        return RedirectInput(code="", state=None)
    query = ""
    if "?" in text:
        query = text.split("?", 1)[1]
    elif "=" in text and ("code=" in text or "state=" in text or "error=" in text):
        query = text
    if not query and "://" in text:
        query = urlsplit(text).query
    if query:
        params = parse_qs(query.split("#", 1)[0], keep_blank_values=True)
        code = (params.get("code") or [""])[0].strip()
        state = params["state"][0] if params.get("state") else None
        error = params["error"][0] if params.get("error") else None
        return RedirectInput(code=code, state=state, error=error)
    if "/" in text.split("://", 1)[-1] or not _CODE_CHARS.match(text):
        # An address without a query, or text with spaces: no code in it.
        return RedirectInput(code="", state=None)
    return RedirectInput(code=text, state=None)


@dataclass(slots=True)
class OAuthToken:
    """Access and refresh token; `obtained_at` is a Unix time."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    obtained_at: float = field(default_factory=time.time)

    def __repr__(self) -> str:
        """Never show the secrets."""
        return (
            f"OAuthToken(access_token='***', refresh_token='***', expires_in={self.expires_in}, "
            f"obtained_at={self.obtained_at})"
        )

    __str__ = __repr__

    @property
    def expires_at(self) -> float:
        """Unix time the access token stops working."""
        return self.obtained_at + self.expires_in

    @property
    def refresh_at(self) -> float:
        """Unix time after which the token should be refreshed (70 % of the lifetime)."""
        return self.obtained_at + self.expires_in * REFRESH_AT

    def needs_refresh(self, now: float | None = None) -> bool:
        """Whether 70 % of the lifetime has passed."""
        return (time.time() if now is None else now) >= self.refresh_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for storage)."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "obtained_at": self.obtained_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OAuthToken:
        """Inverse of `to_dict`; also accepts a raw cloud answer (no `obtained_at`)."""
        try:
            return cls(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_in=int(data["expires_in"]),
                obtained_at=float(data.get("obtained_at") or time.time()),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise MiotAuthError(f"invalid token data (missing or bad {err})") from None


type TokenCallback = Callable[[OAuthToken], Any]


async def read_json(response: aiohttp.ClientResponse, what: str) -> Any:
    """Body as JSON, mapping status codes and garbage to connector errors."""
    if response.status == 401:
        raise MiotAuthError(f"{what}: unauthorized (HTTP 401)")
    if response.status == 429:
        raise MiotRateLimitedError(f"{what}: rate limited (HTTP 429)")
    if response.status >= 500:
        raise MiotCloudUnavailableError(f"{what}: server error (HTTP {response.status})")
    if response.status >= 400:
        raise MiotCloudUnavailableError(f"{what}: HTTP {response.status}")
    text = await response.text()
    try:
        return json.loads(text)
    except ValueError:
        raise MiotCloudUnavailableError(f"{what}: malformed JSON answer") from None


class MiotAuth:
    """Builds the authorize URL, exchanges codes and keeps the access token fresh.

    `access_token()` refreshes proactively at 70 % of the lifetime; `async_handle_401()`
    refreshes once after the cloud refused a token. Concurrent callers share one refresh.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: CloudEndpoints,
        *,
        device_id: str | None = None,
        redirect_uri: str = "http://homeassistant.local:8123",
        token: OAuthToken | None = None,
        on_token_update: TokenCallback | None = None,
        client_id: str = OAUTH2_CLIENT_ID,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Nothing is fetched here."""
        self.session = session
        self.endpoints = endpoints
        self.device_id = device_id or new_device_id()
        self.redirect_uri = redirect_uri
        self.client_id = client_id
        self.on_token_update = on_token_update
        self.timeout = timeout
        self._clock = clock
        self._token = token
        self._lock = asyncio.Lock()
        # No early refresh before this time (after a failed one), on `clock`'s scale.
        self._early_refresh_after = float("-inf")
        self._listeners: list[Callable[[OAuthToken], None]] = []

    @property
    def token(self) -> OAuthToken | None:
        """The current token (None before a code exchange)."""
        return self._token

    # --------------------------------------------------------------- authorize
    def oauth_state(self) -> str:
        """State for this device id."""
        return oauth_state(self.device_id)

    def authorize_url(
        self,
        redirect_uri: str | None = None,
        state: str | None = None,
        *,
        scope: list[str] | None = None,
        skip_confirm: bool = False,
    ) -> str:
        """URL of the browser page where the user approves access."""
        query: dict[str, str] = {
            "redirect_uri": redirect_uri or self.redirect_uri,
            "client_id": self.client_id,
            "response_type": "code",
            "device_id": self.device_id,
            "state": state or self.oauth_state(),
        }
        if scope:
            query["scope"] = " ".join(scope)
        query["skip_confirm"] = "true" if skip_confirm else "false"
        return f"{self.endpoints.oauth_url}/oauth2/authorize?{urlencode(query)}"

    # ------------------------------------------------------------------ tokens
    async def exchange_code(self, code: str, redirect_uri: str | None = None) -> OAuthToken:
        """Trade an authorization code for tokens."""
        if redirect_uri:
            self.redirect_uri = redirect_uri
        data = {
            "client_id": int(self.client_id),
            "redirect_uri": self.redirect_uri,
            "code": code,
            "device_id": self.device_id,
        }
        token = await self._token_request(data)
        await self._set_token(token)
        return token

    async def refresh(self) -> OAuthToken:
        """Refresh now (shared with concurrent callers)."""
        current = self._token
        async with self._lock:
            if self._token is not current and self._token is not None:
                return self._token
            return await self._refresh_locked()

    async def _refresh_locked(self) -> OAuthToken:
        if self._token is None:
            raise MiotAuthError("no token: authorize first")
        data = {
            "client_id": int(self.client_id),
            "redirect_uri": self.redirect_uri,
            "refresh_token": self._token.refresh_token,
        }
        _LOGGER.debug("Refreshing the access token")
        try:
            token = await self._token_request(data)
        except MiotAuthError:
            _LOGGER.debug("Token refresh refused: re-authentication needed")
            raise
        await self._set_token(token)
        return token

    async def access_token(self) -> str:
        """A valid access token, refreshed first when 70 % of its lifetime has passed."""
        token = self._token
        if token is None:
            raise MiotAuthError("no token: authorize first")
        now = self._clock()
        if token.needs_refresh(now):
            async with self._lock:
                if self._token is not token:
                    assert self._token is not None
                    return self._token.access_token
                if now < min(self._early_refresh_after, token.expires_at):
                    return token.access_token
                try:
                    token = await self._refresh_locked()
                except MiotError as err:
                    if now >= token.expires_at:
                        raise
                    # Still valid (even when the refresh was refused: only a refused request
                    # proves the sign-in is gone): keep using it, try again a little later.
                    self._early_refresh_after = now + EARLY_REFRESH_RETRY
                    _LOGGER.debug("Early token refresh failed (%s); using the current token", err)
        return token.access_token

    async def async_handle_401(self, rejected: str) -> str:
        """The cloud refused `rejected`: refresh once (unless someone already did)."""
        async with self._lock:
            if self._token is not None and self._token.access_token != rejected:
                return self._token.access_token
            return (await self._refresh_locked()).access_token

    def add_token_listener(self, listener: Callable[[OAuthToken], None]) -> Callable[[], None]:
        """Also tell `listener` about new tokens (the push client reconnects); returns a remover."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    async def _set_token(self, token: OAuthToken) -> None:
        self._token = token
        for listener in list(self._listeners):
            listener(token)
        if self.on_token_update is not None:
            result = self.on_token_update(token)
            if asyncio.iscoroutine(result):
                await result

    async def _token_request(self, data: dict[str, Any]) -> OAuthToken:
        url = f"{self.endpoints.api_url}{TOKEN_PATH}"
        ssl_context = await async_ssl_context(self.endpoints.ca_file)
        try:
            async with self.session.get(
                url,
                params={"data": json.dumps(data)},
                headers={"X-Client-BizId": "haapi", "X-Client-AppId": self.client_id},
                ssl=ssl_context if ssl_context is not None else True,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                body = await read_json(response, "token request")
        except MiotError:
            raise
        except TimeoutError:
            raise MiotTimeoutError("token request: timed out") from None
        except aiohttp.ClientError as err:
            raise MiotCloudUnavailableError(f"token request: {type(err).__name__}") from None
        if not isinstance(body, dict):
            raise MiotCloudUnavailableError("token request: malformed answer")
        code = body.get("code")
        result = body.get("result")
        if code != 0 or not isinstance(result, dict):
            raise MiotAuthError(f"token request refused (code {code})")
        token = OAuthToken.from_dict({**result, "obtained_at": self._clock()})
        _LOGGER.debug("New access token, valid %s s", token.expires_in)
        return token
