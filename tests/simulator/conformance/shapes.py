"""Answer and payload shapes of the Xiaomi cloud, written from docs/protocol.md, and a checker.

A shape is a type (or tuple of types), `Eq(value)`, `OneOf(values)`, `Match(regex)`, `Opt(shape)`
(the value may be null), a dict (those keys at least, each with its shape) or a one-element list
(every item has that shape). `int` never accepts a bool.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any


@dataclass(frozen=True)
class Eq:
    """Exactly this value."""

    value: Any


@dataclass(frozen=True)
class OneOf:
    """One of these values."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Match:
    """A string matching this regular expression (whole string)."""

    pattern: str


@dataclass(frozen=True)
class Opt:
    """Null, or the shape."""

    shape: Any


def check(value: Any, shape: Any, where: str = "$") -> None:
    """Assert that `value` has `shape`; the message names the path of the first mismatch."""
    if isinstance(shape, Opt):
        if value is not None:
            check(value, shape.shape, where)
        return
    if isinstance(shape, Eq):
        assert value == shape.value, f"{where}: {value!r} != {shape.value!r}"
    elif isinstance(shape, OneOf):
        assert value in shape.values, f"{where}: {value!r} not in {shape.values!r}"
    elif isinstance(shape, Match):
        assert isinstance(value, str), f"{where}: {value!r} is not a string"
        assert re.fullmatch(shape.pattern, value), f"{where}: {value!r} !~ {shape.pattern}"
    elif isinstance(shape, dict):
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        for key, sub in shape.items():
            assert key in value, f"{where}: no {key!r} in {sorted(value)}"
            check(value[key], sub, f"{where}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), f"{where}: {value!r} is not a list"
        for index, item in enumerate(value):
            check(item, shape[0], f"{where}[{index}]")
    else:
        types = shape if isinstance(shape, tuple) else (shape,)
        if int in types and bool not in types and isinstance(value, bool):
            raise AssertionError(f"{where}: {value!r} is a bool, not {types}")
        assert isinstance(value, types), f"{where}: {value!r} is not {types}"


# --------------------------------------------------------------------------- shared pieces
# Real urns may carry further parts after the version (`...:090615-mesw2:1:0000C809`).
URN = Match(
    r"urn:[a-z0-9-]+:(device|service|property|action|event):[\w.-]+:[0-9A-Fa-f]+:[\w.-]+:\d+"
    r"(:[\w.-]+)*"
)
STANDARD_TYPE = Match(
    r"urn:miot-spec-v2:(device|service|property|action|event):[\w.-]+:[0-9A-Fa-f]+"
)
ID = (str, int)  # home and room ids: strings in every known answer; clients str() them
NUMBER = (int, float)


def envelope(result: Any) -> dict[str, Any]:
    """The HTTP API's success envelope."""
    return {"code": Eq(0), "message": str, "result": result}


# --------------------------------------------------------------------------- OAuth and profile
TOKEN = {
    "access_token": str,
    "refresh_token": str,
    "expires_in": int,
    "scope": str,
    "token_type": Eq("mac"),
    "mac_key": str,
    "mac_algorithm": Eq("HmacSha1"),
    "openId": str,
}
PROFILE = {"code": Eq(0), "data": {"miliaoNick": str, "unionId": str}}

# --------------------------------------------------------------------------- homes and devices
ROOM = {"id": ID, "name": str, "dids": [str]}
HOME = {
    "id": ID,
    "name": str,
    "uid": (int, str),
    "roomlist": [ROOM],
    "dids": [str],
    "city_id": Opt(int),
    "longitude": NUMBER,
    "latitude": NUMBER,
    "address": str,
}
GETHOME = {"homelist": [HOME], "share_home_list": [HOME], "has_more": bool, "max_id": str}
DEV_ROOM_PAGE = {
    "info": [{"id": ID, "roomlist": [{"id": ID, "dids": [str]}], "dids": [str]}],
    "has_more": bool,
    "max_id": str,
}
DEVICE = {
    "did": str,
    "uid": (int, str),
    "name": str,
    "model": Match(r"[\w-]+\.[\w-]+\.[\w-]+"),
    "spec_type": URN,
    "isOnline": bool,
    "pid": int,
    "token": str,
    "icon": str,
    "parent_id": Opt(str),
    "voice_ctrl": OneOf((0, 1, 2)),
    "rssi": int,
    "owner": Opt({"userid": (int, str), "nickname": str}),
    "local_ip": str,
    "ssid": str,
    "bssid": str,
    "orderTime": int,
    "extra": {"fw_version": str, "mcu_version": str, "platform": str},
}
DEVICE_PAGE = {"list": [DEVICE], "has_more": bool, "next_start_did": str}

# --------------------------------------------------------------------------- properties, actions
PROP_ITEM = {"did": str, "siid": int, "piid": int, "code": int}
ACTION_RESULT = {"did": str, "siid": int, "aiid": int, "code": int}

# --------------------------------------------------------------------------- spec service
PROPERTY = {
    "iid": int,
    "type": URN,
    "description": str,
    "format": OneOf(
        (
            "bool",
            "uint8",
            "uint16",
            "uint32",
            "int8",
            "int16",
            "int32",
            "int64",
            "float",
            "string",
            "hex",
        )
    ),
    "access": [OneOf(("read", "write", "notify"))],
}
INSTANCE = {
    "type": URN,
    "description": str,
    "services": [{"iid": int, "type": URN, "description": str}],
}
INSTANCES = {"instances": [{"status": str, "model": str, "version": int, "type": URN, "ts": int}]}
LANGUAGE_KEY = r"service:\d{3}(:(property|action|event):\d{3}(:valuelist:\d{3})?)?"
TEMPLATES = {"result": [{"type": STANDARD_TYPE, "description": {"en": str}}]}
NORMALIZATION = {
    "result": [{"urn": STANDARD_TYPE, "proName": str, "normalization": str, "description": str}]
}
CENTRAL_CERT = envelope(
    {"cert": Match(r"(?s)-----BEGIN CERTIFICATE-----\n.+-----END CERTIFICATE-----\n?")}
)

# --------------------------------------------------------------------------- MQTT payloads
PROPERTIES_CHANGED = {"params": {"did": str, "siid": int, "piid": int, "value": object}}
EVENT_OCCURED = {
    "params": {
        "did": str,
        "siid": int,
        "eiid": int,
        "arguments": [{"piid": int, "value": object}],
    }
}
STATE = {
    "device_id": str,
    "device_name": str,
    "event": OneOf(("online", "offline")),
    "model": str,
    "timestamp": int,
    "uid": (int, str),
}
