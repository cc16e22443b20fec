"""Hosts and constants of Xiaomi account password sign-in and of the MiNA (Xiaoai) cloud API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import os
import ssl
from typing import Final

SID: Final = "micoapi"
"""Service id whose serviceToken the MiNA API accepts."""

REGIONS: Final = ("cn", "de", "i2", "ru", "sg", "us")

DEFAULT_ACCOUNT_URL: Final = "https://account.xiaomi.com"
DEFAULT_API_URL: Final = "https://api2.mina.mi.com"
DEFAULT_USERPROFILE_URL: Final = "https://userprofile.mina.mi.com"
DEFAULT_TIMEOUT: Final = 10.0

SDK_VERSION: Final = "3.9"
JSON_PREFIX: Final = "&&&START&&&"
"""The account service puts this before every JSON answer."""

USER_AGENT_ACCOUNT: Final = "APP/com.xiaomi.mihome APPV/6.0.103 iosPassportSDK/3.9.0 iOS/14.4"
USER_AGENT_MINA: Final = (
    "MiHome/6.0.103 (com.xiaomi.mihome; build:6.0.103.1; iOS 14.4.0) Alamofire/6.0.103"
    " MICO/iOSApp/appStore/6.0.103"
)

# Codes of the account service (sources in docs/mina.md).
CODE_WRONG_PASSWORD: Final = 70016
CODE_BAD_CREDENTIALS: Final = 70002
CODE_UNKNOWN_USER: Final = 20003
CODE_WRONG_CAPTCHA: Final = 87001
CODE_NEEDS_VERIFY: Final = 81003
CODE_BANNED: Final = 350008
CODE_WRONG_TICKET: Final = 70014
CODE_TOO_MANY_TICKETS: Final = 70022

FLAG_PHONE: Final = 4
FLAG_EMAIL: Final = 8


@dataclass(frozen=True, slots=True)
class MinaEndpoints:
    """Where the account service, the MiNA API and the userprofile host live (or the simulator)."""

    region: str
    account_url: str = DEFAULT_ACCOUNT_URL
    api_url: str = DEFAULT_API_URL
    userprofile_url: str = DEFAULT_USERPROFILE_URL
    ca_file: str | None = None

    @classmethod
    def for_region(
        cls,
        region: str,
        base_url: str | None = None,
        *,
        account_url: str | None = None,
        api_url: str | None = None,
        userprofile_url: str | None = None,
        ca_file: str | None = None,
    ) -> MinaEndpoints:
        """Hosts for a region; `base_url` points all three roles at one server.

        The account service and MiNA have one set of public hosts for every region; the region is
        checked and kept so that the entry's region applies to both clouds alike.
        """
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}, expected one of {', '.join(REGIONS)}")
        base = base_url.rstrip("/") if base_url else None
        return cls(
            region=region,
            account_url=(account_url or base or DEFAULT_ACCOUNT_URL).rstrip("/"),
            api_url=(api_url or base or DEFAULT_API_URL).rstrip("/"),
            userprofile_url=(userprofile_url or base or DEFAULT_USERPROFILE_URL).rstrip("/"),
            ca_file=ca_file or None,
        )


_SSL_CACHE: dict[tuple[str, float], ssl.SSLContext] = {}


def _build_ssl_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=ca_file)
    return context


async def async_ssl_context(ca_file: str | None) -> ssl.SSLContext | bool:
    """`ssl` argument of a request: a context trusting `ca_file` (built off the loop) or True."""
    if not ca_file:
        return True
    loop = asyncio.get_running_loop()
    mtime = await loop.run_in_executor(None, os.path.getmtime, ca_file)
    key = (ca_file, mtime)
    if (context := _SSL_CACHE.get(key)) is None:
        context = await loop.run_in_executor(None, _build_ssl_context, ca_file)
        _SSL_CACHE[key] = context
    return context
