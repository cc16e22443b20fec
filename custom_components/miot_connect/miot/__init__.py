"""MIoT cloud connector: a typed asyncio library for the Xiaomi MIoT cloud.

It imports nothing from Home Assistant; any asyncio program can use it with an
aiohttp `ClientSession`.
"""

from __future__ import annotations

from .auth import (
    MiotAuth,
    OAuthToken,
    RedirectInput,
    new_device_id,
    new_oauth_state,
    oauth_state,
    parse_redirect,
)
from .client import MiotCloudClient
from .const import OAUTH2_CLIENT_ID, REGIONS, CloudEndpoints, async_ssl_context
from .device_api import MiotDeviceApi, PropertyKey, PropertyWrite
from .errors import (
    MiotActionError,
    MiotAuthError,
    MiotCloudUnavailableError,
    MiotCodeError,
    MiotDeviceOfflineError,
    MiotError,
    MiotInvalidValueError,
    MiotLanDeviceError,
    MiotLanError,
    MiotLanProtocolError,
    MiotLanTimeoutError,
    MiotLanTokenError,
    MiotPropertyError,
    MiotRateLimitedError,
    MiotSpecError,
    MiotTimeoutError,
)
from .lan import LanAddress, LanHello, MiotLanClient, MiotLanDevice, is_lan_capable
from .miio import MIIO_PORT, MiioCodec
from .models import (
    Device,
    DeviceStateChange,
    EventOccurred,
    Home,
    PropertyChange,
    PropertyResult,
    Room,
    UserProfile,
)
from .push import MiotPushClient, parse_message
from .router import LAN_MODES, LanMode, MiotDeviceRouter, RouterStats
from .spec import (
    DeviceSpec,
    SpecAction,
    SpecEvent,
    SpecProperty,
    SpecService as SpecServiceModel,
    SpecValue,
    ValueRange,
    parse_spec,
    urn_name,
)
from .spec_service import SpecService

__all__ = [
    "LAN_MODES",
    "MIIO_PORT",
    "OAUTH2_CLIENT_ID",
    "REGIONS",
    "CloudEndpoints",
    "Device",
    "DeviceSpec",
    "DeviceStateChange",
    "EventOccurred",
    "Home",
    "LanAddress",
    "LanHello",
    "LanMode",
    "MiioCodec",
    "MiotActionError",
    "MiotAuth",
    "MiotAuthError",
    "MiotCloudClient",
    "MiotCloudUnavailableError",
    "MiotCodeError",
    "MiotDeviceApi",
    "MiotDeviceOfflineError",
    "MiotDeviceRouter",
    "MiotError",
    "MiotInvalidValueError",
    "MiotLanClient",
    "MiotLanDevice",
    "MiotLanDeviceError",
    "MiotLanError",
    "MiotLanProtocolError",
    "MiotLanTimeoutError",
    "MiotLanTokenError",
    "MiotPropertyError",
    "MiotPushClient",
    "MiotRateLimitedError",
    "MiotSpecError",
    "MiotTimeoutError",
    "OAuthToken",
    "PropertyChange",
    "PropertyKey",
    "PropertyResult",
    "PropertyWrite",
    "RedirectInput",
    "Room",
    "RouterStats",
    "SpecAction",
    "SpecEvent",
    "SpecProperty",
    "SpecService",
    "SpecServiceModel",
    "SpecValue",
    "UserProfile",
    "ValueRange",
    "async_ssl_context",
    "is_lan_capable",
    "new_device_id",
    "new_oauth_state",
    "oauth_state",
    "parse_message",
    "parse_redirect",
    "parse_spec",
    "urn_name",
]
