"""The MiNA API: speakers, ubus calls (TTS, player) and the conversation history."""

from __future__ import annotations

from collections.abc import Mapping
import json
import logging
import time
from typing import Any
import uuid

import aiohttp

from .auth import MinaAuth
from .const import DEFAULT_TIMEOUT, USER_AGENT_MINA, MinaEndpoints, async_ssl_context
from .errors import (
    MinaAuthError,
    MinaCloudUnavailableError,
    MinaCodeError,
    MinaRateLimitedError,
    MinaTimeoutError,
)
from .models import (
    ConversationRecord,
    MinaCredential,
    MinaSpeaker,
    PlayerAction,
    PlayStatus,
    parse_conversation,
)

_LOGGER = logging.getLogger(__name__)

MEDIA = "app_ios"


def check_answer(status: int, text: str, what: str) -> Any:
    """`data` of a MiNA answer; HTTP 401 or a message about auth is a `MinaAuthError`."""
    if status == 401:
        raise MinaAuthError(f"{what}: unauthorized (HTTP 401)")
    if status == 429:
        raise MinaRateLimitedError(f"{what}: rate limited (HTTP 429)")
    if status >= 500:
        raise MinaCloudUnavailableError(f"{what}: server error (HTTP {status})")
    if status >= 400:
        raise MinaCloudUnavailableError(f"{what}: HTTP {status}")
    try:
        answer = json.loads(text)
    except ValueError:
        raise MinaCloudUnavailableError(f"{what}: malformed JSON answer") from None
    if not isinstance(answer, dict) or "code" not in answer:
        raise MinaCloudUnavailableError(f"{what}: malformed answer")
    code = answer["code"]
    if code != 0:
        if "auth" in str(answer.get("message") or "").lower():
            raise MinaAuthError(f"{what}: auth refused (code {code})")
        number = code if isinstance(code, int) and not isinstance(code, bool) else -1
        raise MinaCodeError(number, f"{what}: code {code}")
    return answer.get("data")


class MinaClient:
    """Typed MiNA calls; `auth` supplies the credential and renews it once after a refusal."""

    def __init__(self, auth: MinaAuth, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """`auth.session` is used for every request."""
        self.auth = auth
        self.timeout = timeout

    @property
    def endpoints(self) -> MinaEndpoints:
        """The endpoints of the auth object."""
        return self.auth.endpoints

    # ------------------------------------------------------------------ transport
    async def _request(
        self,
        method: str,
        url: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> Any:
        credential = self.auth.credential
        try:
            return await self._send(method, url, what, params, data, cookies, credential)
        except MinaAuthError:
            _LOGGER.debug("%s: service token refused, renewing it once", what)
            credential = await self.auth.handle_auth_error(credential.service_token)
        try:
            return await self._send(method, url, what, params, data, cookies, credential)
        except MinaAuthError:
            raise MinaAuthError(f"{what}: refused after renewing the service token") from None

    async def _send(
        self,
        method: str,
        url: str,
        what: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        cookies: Mapping[str, str] | None,
        credential: MinaCredential,
    ) -> Any:
        request_id = "app_ios_" + uuid.uuid4().hex[:30]
        sent = {
            "userId": credential.user_id,
            "serviceToken": credential.service_token,
            **(cookies or {}),
        }
        headers = {
            "User-Agent": USER_AGENT_MINA,
            "Cookie": "; ".join(f"{key}={value}" for key, value in sent.items()),
        }
        ssl = await async_ssl_context(self.endpoints.ca_file)
        try:
            async with self.auth.session.request(
                method,
                url,
                params={**(params or {}), "requestId": request_id} if data is None else params,
                data={**data, "requestId": request_id} if data is not None else None,
                headers=headers,
                ssl=ssl,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status, text = response.status, await response.text()
        except TimeoutError:
            raise MinaTimeoutError(f"{what}: timed out after {self.timeout} s") from None
        except aiohttp.ClientError as err:
            raise MinaCloudUnavailableError(f"{what}: {type(err).__name__}") from None
        return check_answer(status, text, what)

    # ------------------------------------------------------------------ speakers
    async def device_list(self) -> list[MinaSpeaker]:
        """The account's speakers (`GET /admin/v2/device_list?master=0`)."""
        data = await self._request(
            "GET",
            f"{self.endpoints.api_url}/admin/v2/device_list",
            "device_list",
            params={"master": "0"},
        )
        if not isinstance(data, list):
            raise MinaCloudUnavailableError("device_list: malformed data")
        return [MinaSpeaker.from_cloud(item) for item in data if isinstance(item, dict)]

    async def ubus(
        self, device_id: str, path: str, method: str, message: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`POST /remote/ubus`; the result's `data` (its own non-zero `code` raises too)."""
        what = f"ubus {path}/{method}"
        data = await self._request(
            "POST",
            f"{self.endpoints.api_url}/remote/ubus",
            what,
            data={
                "deviceId": device_id,
                "path": path,
                "method": method,
                "message": json.dumps(dict(message), ensure_ascii=False),
            },
        )
        if not isinstance(data, dict):
            return {}
        code = data.get("code", 0)
        if code != 0:
            number = code if isinstance(code, int) and not isinstance(code, bool) else -1
            raise MinaCodeError(number, f"{what}: speaker answered code {code}")
        return data

    async def text_to_speech(self, device_id: str, text: str) -> None:
        """Have the speaker say `text` (`mibrain/text_to_speech`)."""
        await self.ubus(device_id, "mibrain", "text_to_speech", {"text": text})

    async def player_play_operation(self, device_id: str, action: PlayerAction | str) -> None:
        """play, pause, stop or toggle (`mediaplayer/player_play_operation`)."""
        operation = PlayerAction(action)
        await self.ubus(
            device_id,
            "mediaplayer",
            "player_play_operation",
            {"action": operation.value, "media": MEDIA},
        )

    async def player_set_volume(self, device_id: str, volume: int) -> None:
        """Volume 0-100 (`mediaplayer/player_set_volume`)."""
        if isinstance(volume, bool) or not isinstance(volume, int) or not 0 <= volume <= 100:
            raise ValueError(f"volume must be an integer 0-100, got {volume!r}")
        await self.ubus(
            device_id, "mediaplayer", "player_set_volume", {"volume": volume, "media": MEDIA}
        )

    async def player_get_play_status(self, device_id: str) -> PlayStatus:
        """`mediaplayer/player_get_play_status` (`data.info` is a JSON string)."""
        data = await self.ubus(device_id, "mediaplayer", "player_get_play_status", {"media": MEDIA})
        info = data.get("info")
        if isinstance(info, str):
            try:
                info = json.loads(info)
            except ValueError:
                info = None
        if not isinstance(info, dict):
            raise MinaCloudUnavailableError("player_get_play_status: malformed info")
        return PlayStatus.from_info(info)

    async def stop_answer(
        self, device_id: str, action: PlayerAction | str = PlayerAction.PAUSE
    ) -> bool:
        """Cut Xiaoai's own answer short: if the speaker is playing, pause (or stop) it.

        Returns whether it was playing. This is what xiaogpt's `--mute_xiaoai` and mi-gpt do;
        some of the answer is usually heard before it takes effect.
        """
        status = await self.player_get_play_status(device_id)
        if not status.playing:
            return False
        await self.player_play_operation(device_id, action)
        return True

    # ------------------------------------------------------------------ conversations
    async def get_conversations(
        self,
        device_id: str,
        hardware: str,
        *,
        limit: int = 2,
        timestamp_ms: int | None = None,
    ) -> list[ConversationRecord]:
        """Latest queries said to a speaker and Xiaoai's answers, newest first."""
        now = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        data = await self._request(
            "GET",
            f"{self.endpoints.userprofile_url}/device_profile/v2/conversation",
            "conversation",
            params={
                "source": "dialogu",
                "hardware": hardware,
                "timestamp": str(now),
                "limit": str(limit),
            },
            cookies={"deviceId": device_id},
        )
        return parse_conversation(data)
