"""DuerOS messages: the request (directive), its response and the protocol's errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
import uuid

from .const import ERR_UNEXPECTED_INFORMATION, NAMESPACES, PAYLOAD_VERSION


class DuerOSError(Exception):
    """An error the protocol names: `name` goes in the header, `payload` in the body."""

    def __init__(self, name: str, payload: dict[str, Any] | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.payload: dict[str, Any] = payload or {}


def value_out_of_range(minimum: float, maximum: float) -> DuerOSError:
    """The value asked for is outside what the appliance accepts."""
    return DuerOSError("ValueOutOfRangeError", {"minimumValue": minimum, "maximumValue": maximum})


def unexpected(parameter: str) -> DuerOSError:
    """The request lacks a field or has one of the wrong type."""
    return DuerOSError(ERR_UNEXPECTED_INFORMATION, {"faultingParameter": parameter})


@dataclass(slots=True)
class Directive:
    """One request from DuerOS."""

    namespace: str
    name: str
    message_id: str
    payload_version: str
    payload: dict[str, Any]

    @classmethod
    def from_body(cls, body: Any) -> Directive:
        """Parse a request body; raise DuerOSError on a malformed envelope."""
        if not isinstance(body, dict):
            raise unexpected("header")
        header = body.get("header")
        payload = body.get("payload", {})
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise unexpected("header")
        namespace = header.get("namespace")
        name = header.get("name")
        if not isinstance(name, str) or namespace not in NAMESPACES:
            raise unexpected("header.namespace")
        return cls(
            namespace=str(namespace),
            name=name,
            message_id=str(header.get("messageId", "")),
            payload_version=str(header.get("payloadVersion", PAYLOAD_VERSION)),
            payload=payload,
        )

    @property
    def access_token(self) -> str | None:
        """The OAuth token DuerOS sends in the body."""
        token = self.payload.get("accessToken")
        return token if isinstance(token, str) else None

    @property
    def appliance_id(self) -> str:
        """The target appliance (Control and Query)."""
        appliance = self.payload.get("appliance")
        if not isinstance(appliance, dict) or not isinstance(appliance.get("applianceId"), str):
            raise unexpected("appliance.applianceId")
        return str(appliance["applianceId"])

    def value(self, key: str, subkey: str = "value") -> Any:
        """`payload[key][subkey]`, or UnexpectedInformationReceivedError."""
        item = self.payload.get(key)
        if not isinstance(item, dict) or subkey not in item:
            raise unexpected(f"{key}.{subkey}")
        return item[subkey]

    def number(self, key: str, subkey: str = "value") -> float:
        """A numeric field (numbers may come as strings)."""
        raw = self.value(key, subkey)
        if isinstance(raw, bool):
            raise unexpected(f"{key}.{subkey}")
        try:
            return float(raw)
        except TypeError, ValueError:
            raise unexpected(f"{key}.{subkey}") from None

    def response_name(self) -> str:
        """`XRequest` answers as `XConfirmation` (Control) or `XResponse` (others)."""
        base = self.name.removesuffix("Request")
        suffix = "Confirmation" if self.namespace == "DuerOS.ConnectedHome.Control" else "Response"
        return base + suffix


@dataclass(slots=True)
class Response:
    """What a handler returns: a payload (and optionally another name)."""

    payload: dict[str, Any] = field(default_factory=dict)
    name: str | None = None


def build_message(
    namespace: str, name: str, payload: dict[str, Any], version: str
) -> dict[str, Any]:
    """A message with a fresh messageId (every message the bot sends carries its own)."""
    return {
        "header": {
            "namespace": namespace,
            "name": name,
            "messageId": str(uuid.uuid4()),
            "payloadVersion": version,
        },
        "payload": payload,
    }
