"""Exceptions raised by the MIoT cloud connector."""

from __future__ import annotations

# Per-item and result codes documented for the cloud API.
CODE_OFFLINE = -704042011
CODE_BAD_IDS = -704083036
CODE_INVALID_ACTION = -704040005
CODE_VALUE_ERROR = -4005
CODE_ACTION_PARAM_ERROR = -4006
CODE_DID_ERROR = -4007
CODE_ACK_TIMEOUT = -9999
# Per-item codes a MIoT device answers itself (miio on the LAN; docs/lan.md).
CODE_CANNOT_READ = -4001
CODE_CANNOT_WRITE = -4002
CODE_NOT_FOUND = -4003
CODE_DEVICE_INTERNAL = -4004

_CODE_TEXT: dict[int, str] = {
    CODE_OFFLINE: "device offline",
    CODE_BAD_IDS: "unknown did/siid/piid combination",
    CODE_INVALID_ACTION: "invalid action",
    CODE_VALUE_ERROR: "value error",
    CODE_ACTION_PARAM_ERROR: "action parameter error",
    CODE_DID_ERROR: "did error",
    CODE_ACK_TIMEOUT: "device did not acknowledge in time",
    CODE_CANNOT_READ: "property cannot be read",
    CODE_CANNOT_WRITE: "property cannot be written",
    CODE_NOT_FOUND: "property, action or event does not exist",
    CODE_DEVICE_INTERNAL: "device internal error",
}


def describe_code(code: int) -> str:
    """Human readable text for a cloud result code."""
    return _CODE_TEXT.get(code, f"cloud error code {code}")


class MiotError(Exception):
    """Base class of every connector error."""


class MiotAuthError(MiotError):
    """The token is invalid or was revoked and could not be refreshed: re-authenticate."""


class MiotRateLimitedError(MiotError):
    """The cloud asked us to slow down (HTTP 429)."""


class MiotCloudUnavailableError(MiotError):
    """The cloud cannot be reached or answered with a server error or garbage."""


class MiotTimeoutError(MiotCloudUnavailableError):
    """The cloud did not answer in time."""


class MiotInvalidValueError(MiotError, ValueError):
    """A value is not allowed by the spec of the property (it is never sent)."""


class MiotSpecError(MiotError):
    """A spec document could not be fetched or parsed (affects one device only)."""


class MiotCodeError(MiotError):
    """The cloud answered with a non-zero result code."""

    def __init__(self, code: int, message: str | None = None) -> None:
        """Keep the cloud code; the message defaults to its description."""
        self.code = code
        super().__init__(message or f"{describe_code(code)} ({code})")


class MiotDeviceOfflineError(MiotCodeError):
    """The device is offline (code -704042011)."""

    def __init__(self, code: int = CODE_OFFLINE, message: str | None = None) -> None:
        """Default to the offline code."""
        super().__init__(code, message)


class MiotPropertyError(MiotCodeError):
    """Reading or writing one property failed with a per-item code."""


class MiotActionError(MiotCodeError):
    """An action call failed with a per-item code."""


class MiotLanError(MiotError):
    """Local control (miio over UDP) of a device failed; the cloud may still reach it."""


class MiotLanTimeoutError(MiotLanError):
    """The device did not answer on the LAN in time (unreachable, offline or too slow)."""


class MiotLanTokenError(MiotLanError):
    """The device token does not fit: an answer failed the checksum, or the device answers the
    handshake but never a request (what a device does with packets of another token)."""


class MiotLanProtocolError(MiotLanError):
    """A packet or answer is not valid miio (bad header, length, padding or JSON)."""


class MiotLanDeviceError(MiotLanError, MiotCodeError):
    """The device answered a request with a JSON-RPC error (`code`, `message`)."""


def error_for_code(
    code: int, message: str | None = None, *, kind: type[MiotCodeError] = MiotCodeError
) -> MiotCodeError:
    """Map a cloud result code to the matching exception."""
    if code == CODE_OFFLINE:
        return MiotDeviceOfflineError(code, message)
    return kind(code, message)
