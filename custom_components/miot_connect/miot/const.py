"""Endpoints and constants of the Xiaomi MIoT cloud."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import os
import ssl
from typing import Final

OAUTH2_CLIENT_ID: Final = "2882303761520251711"
REGIONS: Final = ("cn", "de", "i2", "ru", "sg", "us")

DEFAULT_OAUTH_URL: Final = "https://account.xiaomi.com"
DEFAULT_PROFILE_URL: Final = "https://open.account.xiaomi.com"
DEFAULT_SPEC_URL: Final = "https://miot-spec.org"
DEFAULT_MQTT_PORT: Final = 8883

MAX_ITEMS_PER_REQUEST: Final = 150
# Read requests one client keeps open at once: a large home's first read is split into many
# requests; more connections than this cost memory (a TLS buffer each) and strain the cloud
# without making the read much sooner.
MAX_CONCURRENT_READS: Final = 6
DEFAULT_READ_WINDOW: Final = 0.2
DEFAULT_TIMEOUT: Final = 10.0


def _api_url(region: str) -> str:
    return "https://ha.api.io.mi.com" if region == "cn" else f"https://{region}.ha.api.io.mi.com"


@dataclass(frozen=True, slots=True)
class CloudEndpoints:
    """Where the four HTTP roles and the broker live (real hosts or the simulator)."""

    region: str
    oauth_url: str
    api_url: str
    profile_url: str
    spec_url: str
    mqtt_host: str
    mqtt_port: int = DEFAULT_MQTT_PORT
    ca_file: str | None = None

    @classmethod
    def for_region(
        cls,
        region: str,
        base_url: str | None = None,
        mqtt_host: str | None = None,
        mqtt_port: int | None = None,
        ca_file: str | None = None,
    ) -> CloudEndpoints:
        """Real hosts of a region; `base_url` points all four HTTP roles at one server."""
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}, expected one of {', '.join(REGIONS)}")
        if base_url:
            base = base_url.rstrip("/")
            oauth = api = profile = spec = base
        else:
            oauth, api, profile, spec = (
                DEFAULT_OAUTH_URL,
                _api_url(region),
                DEFAULT_PROFILE_URL,
                DEFAULT_SPEC_URL,
            )
        return cls(
            region=region,
            oauth_url=oauth,
            api_url=api,
            profile_url=profile,
            spec_url=spec,
            mqtt_host=mqtt_host or f"{region}-ha.mqtt.io.mi.com",
            mqtt_port=int(mqtt_port) if mqtt_port else DEFAULT_MQTT_PORT,
            ca_file=ca_file or None,
        )


_SSL_CACHE: dict[tuple[str, float], ssl.SSLContext] = {}


def _build_ssl_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=ca_file)
    return context


async def async_ssl_context(ca_file: str | None) -> ssl.SSLContext | None:
    """SSL context trusting `ca_file` (None: system defaults), built off the event loop."""
    if not ca_file:
        return None
    loop = asyncio.get_running_loop()
    mtime = await loop.run_in_executor(None, os.path.getmtime, ca_file)
    key = (ca_file, mtime)
    if (context := _SSL_CACHE.get(key)) is None:
        context = await loop.run_in_executor(None, _build_ssl_context, ca_file)
        _SSL_CACHE[key] = context
    return context
