"""MiNA connector: Xiaomi account sign-in for Xiaoai speakers and the MiNA cloud API.

It imports nothing from Home Assistant (nor from the sibling `miot` package); any asyncio
program can use it with an aiohttp `ClientSession`. Give it a session whose cookie jar is an
`aiohttp.DummyCookieJar`: the connector sends every cookie itself and must not leave the
account's cookies in a shared jar.
"""

from __future__ import annotations

from .auth import MinaAuth
from .client import MinaClient, check_answer
from .const import REGIONS, SID, MinaEndpoints, async_ssl_context
from .errors import (
    MinaAuthError,
    MinaCloudUnavailableError,
    MinaCodeError,
    MinaError,
    MinaFlowError,
    MinaRateLimitedError,
    MinaSignInError,
    MinaTimeoutError,
)
from .models import (
    ConversationAnswer,
    ConversationRecord,
    ConversationTracker,
    MinaCredential,
    MinaSpeaker,
    PlayerAction,
    PlayStatus,
    parse_conversation,
)
from .passport import (
    Captcha,
    MinaSignIn,
    SignInResult,
    SignInStep,
    TwoFactorMethod,
    client_sign,
    new_device_id,
    parse_account_json,
    parse_cookie,
    password_hash,
    renew_credential,
)

__all__ = [
    "REGIONS",
    "SID",
    "Captcha",
    "ConversationAnswer",
    "ConversationRecord",
    "ConversationTracker",
    "MinaAuth",
    "MinaAuthError",
    "MinaClient",
    "MinaCloudUnavailableError",
    "MinaCodeError",
    "MinaCredential",
    "MinaEndpoints",
    "MinaError",
    "MinaFlowError",
    "MinaRateLimitedError",
    "MinaSignIn",
    "MinaSignInError",
    "MinaSpeaker",
    "MinaTimeoutError",
    "PlayStatus",
    "PlayerAction",
    "SignInResult",
    "SignInStep",
    "TwoFactorMethod",
    "async_ssl_context",
    "check_answer",
    "client_sign",
    "new_device_id",
    "parse_account_json",
    "parse_conversation",
    "parse_cookie",
    "password_hash",
    "renew_credential",
]
