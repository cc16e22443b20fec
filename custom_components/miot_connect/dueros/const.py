"""DuerOS ConnectedHome protocol constants (see docs/dueros.md for sources)."""

from __future__ import annotations

from typing import Final

NAMESPACE_DISCOVERY: Final = "DuerOS.ConnectedHome.Discovery"
NAMESPACE_CONTROL: Final = "DuerOS.ConnectedHome.Control"
NAMESPACE_QUERY: Final = "DuerOS.ConnectedHome.Query"
NAMESPACES: Final = (NAMESPACE_DISCOVERY, NAMESPACE_CONTROL, NAMESPACE_QUERY)
PAYLOAD_VERSION: Final = "1"

# Config entry of the DuerOS bridge (a second entry type of the integration).
CONF_ENTRY_TYPE: Final = "entry_type"
ENTRY_TYPE_DUEROS: Final = "dueros"
CONF_CLIENT_ID: Final = "client_id"
CONF_BOT_ID: Final = "bot_id"
CONF_REPORT_URL: Final = "report_url"
CONF_OPEN_UIDS: Final = "open_uids"
CONF_EXPOSE_ASSIST: Final = "expose_assist"
CONF_INCLUDE: Final = "include_entities"
CONF_EXCLUDE: Final = "exclude_entities"

DEFAULT_CLIENT_ID: Final = "https://xiaodu.baidu.com"
TEST_CLIENT_ID: Final = "https://xiaodu-dbp.baidu.com"
DEFAULT_REPORT_URL: Final = "https://xiaodu.baidu.com"
CHANGE_REPORT_PATH: Final = "/saiya/smarthome/changereport"
DEVICE_SYNC_PATH: Final = "/saiya/smarthome/devicesync"

SERVICE_PATH: Final = "/api/miot_connect/dueros"
MAX_APPLIANCES: Final = 300
MAX_GROUPS: Final = 10
MANUFACTURER: Final = "Home Assistant"

# Error names (header name of an error response; the namespace stays the request's).
ERR_VALUE_OUT_OF_RANGE: Final = "ValueOutOfRangeError"
ERR_TARGET_OFFLINE: Final = "TargetOfflineError"
ERR_DRIVER_INTERNAL: Final = "DriverInternalError"
ERR_UNABLE_TO_SET: Final = "UnableToSetValueError"
ERR_UNABLE_TO_GET: Final = "UnableToGetValueError"
ERR_UNWILLING_TO_SET: Final = "UnwillingToSetValueError"
ERR_NOT_SUPPORTED_IN_MODE: Final = "NotSupportedInCurrentModeError"
ERR_INVALID_TOKEN: Final = "InvalidAccessTokenError"
ERR_EXPIRED_TOKEN: Final = "ExpiredAccessTokenError"
ERR_UNSUPPORTED_TARGET: Final = "UnsupportedTargetError"
ERR_UNSUPPORTED_OPERATION: Final = "UnsupportedOperationError"
ERR_UNSUPPORTED_SETTING: Final = "UnsupportedTargetSettingError"
ERR_UNEXPECTED_INFORMATION: Final = "UnexpectedInformationReceivedError"
