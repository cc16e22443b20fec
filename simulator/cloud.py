"""The simulated cloud: homes, devices, property values, tokens, faults and counters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
import contextlib
from dataclasses import dataclass, field
import hashlib
import secrets
import time
from typing import Any

from .const import (
    AUTH_CODE_TTL,
    CLIENT_ID,
    CODE_ACTION_PARAM_ERROR,
    CODE_BAD_ACTION,
    CODE_BAD_IID,
    CODE_DID_ERROR,
    CODE_OFFLINE,
    CODE_OK,
    CODE_VALUE_ERROR,
    DEFAULT_NICKNAME,
    DEFAULT_UID,
)
from .drift import starting_values
from .spec import (
    JsonDict,
    SpecError,
    SpecInstance,
    SpecStore,
    default_value,
    urn_name,
    validate_value,
)

PublishHook = Callable[[str, JsonDict, str], None]
ActionHook = Callable[["Device", int, JsonDict, list[Any]], None]

# Pleasant initial values by property name (used when valid for the property).

# Action name words -> words looked for in a status value-list description.
_STATUS_EFFECTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("charge", "dock", "home"), ("charg", "returning", "go charging")),
    (("stop",), ("idle", "standby", "stop")),
    (("pause",), ("pause",)),
    (("sweep", "clean", "mop", "start"), ("sweep", "clean", "busy", "work", "mop")),
)

# Player actions -> words looked for in a `playing-state` value-list description.
_PLAYING_EFFECTS: dict[str, tuple[str, ...]] = {
    "play": ("playing", "play"),
    "pause": ("pause",),
    "stop": ("stop", "idle"),
}


class AuthError(Exception):
    """Invalid, expired or revoked credentials."""


class NotFoundError(LookupError):
    """Unknown did, siid, piid, aiid or eiid."""


@dataclass(slots=True)
class Room:
    """A room of a home."""

    id: str
    name: str


@dataclass(slots=True)
class Home:
    """A home with its rooms."""

    id: str
    name: str
    rooms: list[Room] = field(default_factory=list)
    shared: bool = False
    owner_uid: int = DEFAULT_UID
    city_id: int = 101010100
    longitude: float = 116.4
    latitude: float = 39.9
    address: str = ""


@dataclass(slots=True)
class Device:
    """A simulated device driven by its spec."""

    did: str
    name: str
    model: str
    spec: SpecInstance
    home_id: str | None  # None: shared with the user on its own (`shared_by`), in no home
    room_id: str | None = None
    online: bool = True
    parent_id: str | None = None
    fw_version: str = "1.0.0"
    voice_ctrl: int = 0
    shared_by: tuple[int, str] | None = None  # (uid, nickname) of the owner who shared it
    initial: dict[tuple[int, int], Any] = field(default_factory=dict)
    actions: list[JsonDict] = field(default_factory=list)
    token: str = ""
    _values: dict[tuple[int, int], Any] | None = None

    def __post_init__(self) -> None:
        if not self.token:
            self.token = default_token(self.did)

    @property
    def urn(self) -> str:
        """Spec urn of the device."""
        return self.spec.urn

    @property
    def values(self) -> dict[tuple[int, int], Any]:
        """Current property values (built on first use)."""
        if self._values is None:
            # What such a device reports (room temperatures, mains voltage, …), else the
            # spec's first valid value.
            values = {key: default_value(prop) for key, prop in self.spec.properties.items()}
            values.update(starting_values(self.spec.properties, self.spec.services))
            for key, value in self.initial.items():
                if key in self.spec.properties:
                    values[key] = validate_value(self.spec.properties[key], value)
            self._values = values
        return self._values

    @property
    def pushes_state(self) -> bool:
        """Whether the cloud publishes online/offline state messages for this device."""
        return not self.did.startswith(("blt.", "proxy."))

    @property
    def is_wifi(self) -> bool:
        """Whether the device is on Wi-Fi itself and speaks miio on the LAN.

        BLE (`blt.`), gateway-proxied (`proxy.`) and sub-devices (a parent, `<did>.s<n>`) are
        reached through a gateway; a Wi-Fi device's did is a number.
        """
        return self.parent_id is None and self.did.isdigit()


def default_token(did: str) -> str:
    """The token a device starts with (32 hex digits, stable per did)."""
    return hashlib.sha256(did.encode()).hexdigest()[:32]


def local_ip_of(did: str) -> str:
    """The device's `local_ip`: a loopback address per did, 127.0.1.1 to 127.0.254.254.

    Real-shaped but never a private-network address, so a client that follows it sends nothing
    off this machine. Nothing listens there: the LAN twin's (host, port) come from `/_sim/lan`.
    """
    digest = hashlib.sha256(did.encode()).digest()
    return f"127.0.{digest[0] % 254 + 1}.{digest[1] % 254 + 1}"


@dataclass(slots=True)
class TokenRecord:
    """One access/refresh token pair."""

    access_token: str
    refresh_token: str
    expires_at: float
    mac_key: str = ""
    scope: str = ""
    access_valid: bool = True
    refresh_valid: bool = True


@dataclass(slots=True)
class Fault:
    """An injected fault for HTTP requests whose path starts with `path`."""

    latency: float = 0.0
    status: int | None = None
    timeout: bool = False
    rate_limit: bool = False
    malformed: bool = False
    path: str = "/"
    count: int | None = None
    late: bool = False
    """With `latency`: the request is carried out at once and only its answer is late."""

    @classmethod
    def from_json(cls, body: JsonDict) -> Fault:
        """Build from the control API body."""
        status = body.get("status")
        count = body.get("count")
        return cls(
            latency=float(body.get("latency") or 0.0),
            status=int(status) if status is not None else None,
            timeout=bool(body.get("timeout", False)),
            rate_limit=bool(body.get("rate_limit", False)),
            malformed=bool(body.get("malformed", False)),
            path=str(body.get("path") or "/"),
            count=int(count) if count is not None else None,
            late=bool(body.get("late", False)),
        )


def _param_iid(item: JsonDict, key: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise NotFoundError(key)
    try:
        return int(value)
    except ValueError as err:
        raise NotFoundError(key) from err


class Cloud:
    """In-memory state of the simulated cloud."""

    def __init__(self, specs: SpecStore, token_ttl: float = 7200, uid: int = DEFAULT_UID) -> None:
        self.specs = specs
        self.token_ttl = token_ttl
        self.uid = uid
        self.nickname = DEFAULT_NICKNAME
        self.client_id = CLIENT_ID
        self.homes: dict[str, Home] = {}
        self.devices: dict[str, Device] = {}
        self.tokens: list[TokenRecord] = []
        # code -> (redirect_uri, expiry on the monotonic clock, scope)
        self.codes: dict[str, tuple[str, float, str]] = {}
        self.faults: list[Fault] = []
        # did -> device-list answers it is still left out of (`hide`)
        self.hidden: dict[str, int] = {}
        self.http_counts: Counter[str] = Counter()
        self.mqtt_counts: Counter[str] = Counter()
        # (did, siid, piid) → times `prop/get` asked for it (what a client reads, not just how
        # many requests it sends).
        self.read_items: Counter[tuple[str, int, int]] = Counter()
        self.home_page_size = 150
        self.publish_hook: PublishHook | None = None
        self.tokens_changed_hook: Callable[[], None] | None = None
        self.action_hook: ActionHook | None = None

    # ----------------------------------------------------------------- homes and devices
    def add_home(self, home: Home) -> Home:
        """Register a home."""
        self.homes[home.id] = home
        return home

    def room_home(self, room_id: str) -> Home:
        """The home holding a room."""
        for home in self.homes.values():
            if any(room.id == room_id for room in home.rooms):
                return home
        raise NotFoundError(room_id)

    def add_device(
        self,
        did: str,
        name: str,
        model: str,
        *,
        urn: str | None = None,
        room_id: str | None = None,
        home_id: str | None = None,
        online: bool = True,
        parent_id: str | None = None,
        fw_version: str = "1.0.0",
        voice_ctrl: int = 0,
        properties: dict[str, Any] | None = None,
        shared_by: tuple[int, str] | None = None,
    ) -> Device:
        """Add a device; its spec comes from the urn (or the model). With `shared_by` (owner uid
        and nickname) it is a device another user shared with this one on its own: in no home."""
        if did in self.devices:
            raise ValueError(f"duplicate did {did}")
        spec = self.specs.by_urn(urn) if urn else self.specs.by_model(model)
        if spec is None:
            raise NotFoundError(f"no spec for {urn or model}")
        if shared_by is not None:
            if room_id is not None:
                raise ValueError(f"a device shared on its own is in no room: {did}")
            home_id = None
        elif room_id is not None:
            home_id = self.room_home(room_id).id
        if shared_by is None and (home_id is None or home_id not in self.homes):
            raise NotFoundError(f"unknown home for {did}")
        initial: dict[tuple[int, int], Any] = {}
        for key, value in (properties or {}).items():
            siid, piid = (int(part) for part in str(key).split("."))
            initial[(siid, piid)] = value
        device = Device(
            did=did,
            name=name,
            model=model,
            spec=spec,
            home_id=home_id,
            room_id=room_id,
            online=online,
            parent_id=parent_id,
            fw_version=fw_version,
            voice_ctrl=voice_ctrl,
            shared_by=shared_by,
            initial=initial,
        )
        if initial:
            _ = device.values  # validate the initial values now
        self.devices[did] = device
        return device

    def remove_device(self, did: str) -> None:
        """Remove a device."""
        if self.devices.pop(did, None) is None:
            raise NotFoundError(did)

    def device(self, did: str) -> Device:
        """A device by did."""
        try:
            return self.devices[did]
        except KeyError:
            raise NotFoundError(did) from None

    def set_token(self, did: str, token: str | None = None) -> str:
        """Give a device a new token (random when None); the device list reports it."""
        device = self.device(did)
        new = secrets.token_hex(16) if token is None else token.lower()
        if len(new) != 32 or any(char not in "0123456789abcdef" for char in new):
            raise ValueError("a token is 32 hexadecimal digits")
        device.token = new
        return new

    # ----------------------------------------------------------------------- tokens
    def _changed_tokens(self) -> None:
        if self.tokens_changed_hook is not None:
            self.tokens_changed_hook()

    def issue_tokens(self, scope: str = "") -> JsonDict:
        """Issue a new token pair for the account: the `get_token` result (protocol.md)."""
        record = TokenRecord(
            access_token="V3_" + secrets.token_urlsafe(32),
            refresh_token="R3_" + secrets.token_urlsafe(32),
            expires_at=time.monotonic() + self.token_ttl,
            mac_key=secrets.token_urlsafe(20),
            scope=scope,
        )
        self.tokens.append(record)
        self._changed_tokens()
        return {
            "access_token": record.access_token,
            "refresh_token": record.refresh_token,
            "expires_in": int(self.token_ttl),
            "scope": record.scope,
            "token_type": "mac",
            "mac_key": record.mac_key,
            "mac_algorithm": "HmacSha1",
            "openId": self.open_id,
        }

    @property
    def open_id(self) -> str:
        """The account's stable id for this app (`openId` of the token answer)."""
        digest = hashlib.sha1(f"{self.client_id}:{self.uid}".encode()).hexdigest()
        return "2.0" + digest[:24]

    def create_code(self, redirect_uri: str, scope: str = "") -> str:
        """An authorization code for the demo user."""
        code = "C3_" + secrets.token_urlsafe(24)
        self.codes[code] = (redirect_uri, time.monotonic() + AUTH_CODE_TTL, scope)
        return code

    def exchange_code(self, code: str, redirect_uri: str) -> JsonDict:
        """Exchange a single-use authorization code."""
        entry = self.codes.pop(code, None)
        if entry is None or entry[0] != redirect_uri or entry[1] < time.monotonic():
            raise AuthError("invalid code")
        return self.issue_tokens(entry[2])

    def refresh(self, refresh_token: str) -> JsonDict:
        """Refresh: the old refresh token is used up, the old access token lives on until expiry."""
        for record in self.tokens:
            if record.refresh_token == refresh_token and record.refresh_valid:
                record.refresh_valid = False
                return self.issue_tokens(record.scope)
        raise AuthError("invalid refresh token")

    def access_ok(self, token: str | None) -> bool:
        """Whether an access token is currently valid."""
        if not token:
            return False
        now = time.monotonic()
        return any(
            r.access_token == token and r.access_valid and r.expires_at > now for r in self.tokens
        )

    def valid_access_tokens(self) -> list[str]:
        """All currently valid access tokens."""
        now = time.monotonic()
        return [r.access_token for r in self.tokens if r.access_valid and r.expires_at > now]

    def revoke_tokens(self) -> None:
        """Revoke every issued token and code."""
        for record in self.tokens:
            record.access_valid = False
            record.refresh_valid = False
        self.codes.clear()
        self._changed_tokens()

    def expire_tokens(self) -> None:
        """Expire every access token; refresh tokens stay valid."""
        for record in self.tokens:
            record.access_valid = False
        self._changed_tokens()

    # ----------------------------------------------------------------------- faults
    def take_fault(self, path: str) -> Fault | None:
        """The first fault matching a path (its count is used up)."""
        for fault in self.faults:
            if path.startswith(fault.path):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    # ----------------------------------------------------------------------- counters
    def counters(self) -> JsonDict:
        """Request and publish counters."""
        return {
            "http": dict(self.http_counts),
            "properties_read": sum(self.read_items.values()),
            "mqtt": {
                "published": sum(self.mqtt_counts.values()),
                "by_kind": dict(self.mqtt_counts),
            },
        }

    def reset_counters(self) -> None:
        """Zero every counter."""
        self.http_counts.clear()
        self.mqtt_counts.clear()
        self.read_items.clear()

    # ----------------------------------------------------------------------- push
    def _publish(self, topic: str, payload: JsonDict, kind: str) -> None:
        if self.publish_hook is not None:
            self.publish_hook(topic, payload, kind)

    def _push_property(self, device: Device, siid: int, piid: int) -> None:
        prop = device.spec.properties[(siid, piid)]
        if not device.online or "notify" not in prop.get("access", []):
            return
        payload = {
            "params": {
                "did": device.did,
                "siid": siid,
                "piid": piid,
                "value": device.values[(siid, piid)],
            }
        }
        topic = f"device/{device.did}/up/properties_changed/{siid}/{piid}"
        self._publish(topic, payload, "properties_changed")

    def _store(self, device: Device, siid: int, piid: int, value: Any) -> None:
        device.values[(siid, piid)] = value
        self._push_property(device, siid, piid)

    def set_online(self, did: str, online: bool) -> None:
        """Bring a device online or offline (publishes the state topic)."""
        device = self.device(did)
        device.online = online
        if not device.pushes_state:
            return
        event = "online" if online else "offline"
        payload = {
            "device_id": did,
            "device_name": device.name,
            "event": event,
            "model": device.model,
            "timestamp": int(time.time() * 1000),
            "uid": self.uid,
        }
        self._publish(f"device/{did}/state/{event}", payload, "state")

    def set_property(self, did: str, siid: int, piid: int, value: Any) -> None:
        """Set a value as the device itself would (read-only too); pushes when notify."""
        device = self.device(did)
        prop = device.spec.properties.get((siid, piid))
        if prop is None:
            raise NotFoundError(f"{siid}.{piid}")
        self._store(device, siid, piid, validate_value(prop, value))

    def fire_event(self, did: str, siid: int, eiid: int, arguments: list[JsonDict]) -> None:
        """Fire an event (pushes `event_occured`)."""
        device = self.device(did)
        if (siid, eiid) not in device.spec.events:
            raise NotFoundError(f"{siid}.{eiid}")
        args = [{"piid": int(arg["piid"]), "value": arg["value"]} for arg in arguments]
        payload = {"params": {"did": did, "siid": siid, "eiid": eiid, "arguments": args}}
        self._publish(f"device/{did}/up/event_occured/{siid}/{eiid}", payload, "event_occured")

    # ----------------------------------------------------------------------- API operations
    def _lookup(self, item: JsonDict) -> tuple[Device, int, int, JsonDict]:
        """Resolve a did/siid/piid item; raises (code) as `_ItemError`."""
        did = str(item.get("did", ""))
        device = self.devices.get(did)
        if device is None:
            raise _ItemError(CODE_DID_ERROR)
        try:
            siid, piid = _param_iid(item, "siid"), _param_iid(item, "piid")
        except NotFoundError:
            raise _ItemError(CODE_BAD_IID) from None
        prop = device.spec.properties.get((siid, piid))
        if prop is None:
            raise _ItemError(CODE_BAD_IID)
        if not device.online:
            raise _ItemError(CODE_OFFLINE)
        return device, siid, piid, prop

    @staticmethod
    def _per_item(
        params: Iterable[JsonDict], handle: Callable[[JsonDict], JsonDict]
    ) -> list[JsonDict]:
        """One result per item: did/siid/piid echoed, `code` 0 with what `handle` returns, or
        the item's error code."""
        result: list[JsonDict] = []
        for item in params:
            entry: JsonDict = {
                "did": item.get("did"),
                "siid": item.get("siid"),
                "piid": item.get("piid"),
            }
            try:
                entry.update(handle(item))
                entry["code"] = CODE_OK
            except _ItemError as err:
                entry["code"] = err.code
            result.append(entry)
        return result

    def get_properties(self, params: Iterable[JsonDict]) -> list[JsonDict]:
        """`miotspec/prop/get`."""

        def read(item: JsonDict) -> JsonDict:
            with contextlib.suppress(NotFoundError):
                key = (str(item.get("did", "")), _param_iid(item, "siid"), _param_iid(item, "piid"))
                self.read_items[key] += 1
            device, siid, piid, prop = self._lookup(item)
            if "read" not in prop.get("access", []):
                raise _ItemError(CODE_BAD_IID)
            return {"value": device.values[(siid, piid)]}

        return self._per_item(params, read)

    def set_properties(self, params: Iterable[JsonDict]) -> list[JsonDict]:
        """`miotspec/prop/set`."""

        def write(item: JsonDict) -> JsonDict:
            device, siid, piid, prop = self._lookup(item)
            if "write" not in prop.get("access", []):
                raise _ItemError(CODE_VALUE_ERROR)
            try:
                value = validate_value(prop, item.get("value"))
            except SpecError:
                raise _ItemError(CODE_VALUE_ERROR) from None
            self._store(device, siid, piid, value)
            return {}

        return self._per_item(params, write)

    def do_action(self, params: JsonDict) -> JsonDict:
        """`miotspec/action`."""
        result: JsonDict = {
            "did": params.get("did"),
            "siid": params.get("siid"),
            "aiid": params.get("aiid"),
        }
        device = self.devices.get(str(params.get("did", "")))
        try:
            if device is None:
                raise _ItemError(CODE_DID_ERROR)
            try:
                siid, aiid = _param_iid(params, "siid"), _param_iid(params, "aiid")
            except NotFoundError:
                raise _ItemError(CODE_BAD_ACTION) from None
            action = device.spec.actions.get((siid, aiid))
            if action is None:
                raise _ItemError(CODE_BAD_ACTION)
            if not device.online:
                raise _ItemError(CODE_OFFLINE)
            ins = self._action_inputs(device, siid, action, params.get("in", []))
            device.actions.append({"siid": siid, "aiid": aiid, "in": ins, "ts": time.time()})
            self._action_effects(device, siid, action, ins)
            if self.action_hook is not None:
                self.action_hook(device, siid, action, ins)
            out = [
                default_value(device.spec.properties.get((siid, int(piid)), {"format": "string"}))
                for piid in action.get("out", [])
            ]
            result.update(code=CODE_OK, out=out)
        except _ItemError as err:
            result["code"] = err.code
        return result

    @staticmethod
    def _action_inputs(device: Device, siid: int, action: JsonDict, raw: Any) -> list[Any]:
        expected = [int(piid) for piid in action.get("in", [])]
        if not isinstance(raw, list) or len(raw) != len(expected):
            raise _ItemError(CODE_ACTION_PARAM_ERROR)
        values: list[Any] = []
        for piid, item in zip(expected, raw, strict=True):
            value = item.get("value") if isinstance(item, dict) else item
            prop = device.spec.properties.get((siid, piid))
            if prop is not None:
                try:
                    value = validate_value(prop, value)
                except SpecError:
                    raise _ItemError(CODE_ACTION_PARAM_ERROR) from None
            values.append(value)
        return values

    def _action_effects(self, device: Device, siid: int, action: JsonDict, ins: list[Any]) -> None:
        for piid, value in zip(action.get("in", []), ins, strict=True):
            if (siid, int(piid)) in device.spec.properties:
                self._store(device, siid, int(piid), value)
        name = urn_name(str(action.get("type", "")))
        on_key = self._find_prop(device, [siid], "on", "bool")
        if on_key is not None and name in ("toggle", "turn-on", "turn-off"):
            new = {"toggle": not device.values[on_key], "turn-on": True, "turn-off": False}[name]
            self._store(device, *on_key, new)
            return
        if name in _PLAYING_EFFECTS and self._apply_status(
            device, siid, _PLAYING_EFFECTS[name], prop_name="playing-state"
        ):
            return
        for action_words, status_words in _STATUS_EFFECTS:
            if any(word in name for word in action_words):
                self._apply_status(device, siid, status_words)
                return

    def _apply_status(
        self, device: Device, siid: int, words: tuple[str, ...], prop_name: str = "status"
    ) -> bool:
        """Set the first `prop_name` value whose description has one of the words."""
        siids = [siid, *sorted(s for s in device.spec.services if s != siid)]
        for candidate in siids:
            key = self._find_prop(device, [candidate], prop_name, None)
            if key is None:
                continue
            for item in device.spec.properties[key].get("value-list") or []:
                if any(word in str(item.get("description", "")).lower() for word in words):
                    self._store(device, *key, item.get("value"))
                    return True
        return False

    @staticmethod
    def _find_prop(
        device: Device, siids: list[int], name: str, fmt: str | None
    ) -> tuple[int, int] | None:
        for siid in siids:
            for piid, prop in device.spec.service_props(siid):
                if urn_name(str(prop.get("type", ""))) == name and fmt in (
                    None,
                    prop.get("format"),
                ):
                    return siid, piid
        return None

    # ----------------------------------------------------------------------- listings
    def hide(self, did: str, lists: int = 1) -> None:
        """Leave a device out of the next `lists` device-list answers (a glitchy cloud answer)."""
        self.device(did)
        if lists > 0:
            self.hidden[did] = lists
        else:
            self.hidden.pop(did, None)

    def listed_once(self) -> None:
        """A device-list answer was served: hidden devices count it."""
        for did in list(self.hidden):
            self.hidden[did] -= 1
            if self.hidden[did] <= 0:
                del self.hidden[did]

    def push_raw(self, did: str, siid: int, piid: int, value: Any) -> None:
        """Push a value as a misbehaving device would: not checked against the spec, not stored."""
        device = self.device(did)
        payload = {"params": {"did": did, "siid": siid, "piid": piid, "value": value}}
        topic = f"device/{device.did}/up/properties_changed/{siid}/{piid}"
        self._publish(topic, payload, "properties_changed")

    def placements(self) -> list[tuple[Home, str | None, str]]:
        """Every (home, room id or None, did), in paging order: own homes first, then shared."""
        by_place: dict[tuple[str, str | None], list[str]] = {}
        for device in self.devices.values():
            if device.did in self.hidden:
                continue
            if device.home_id is not None:
                by_place.setdefault((device.home_id, device.room_id), []).append(device.did)
        result: list[tuple[Home, str | None, str]] = []
        homes = sorted(self.homes.values(), key=lambda h: (h.shared, h.id))
        for home in homes:
            for room_id in [room.id for room in home.rooms] + [None]:
                result.extend((home, room_id, did) for did in by_place.get((home.id, room_id), []))
        return result

    def home_json(self, home: Home, placed: Iterable[tuple[str | None, str]]) -> JsonDict:
        """A home entry of `gethome` with the given dids."""
        room_dids: dict[str | None, list[str]] = {}
        for room_id, did in placed:
            room_dids.setdefault(room_id, []).append(did)
        return {
            "id": home.id,
            "name": home.name,
            "uid": home.owner_uid,
            "roomlist": [
                {"id": room.id, "name": room.name, "dids": room_dids.get(room.id, [])}
                for room in home.rooms
            ],
            "dids": room_dids.get(None, []),
            "city_id": home.city_id,
            "longitude": home.longitude,
            "latitude": home.latitude,
            "address": home.address,
        }

    def page(self, start: int, limit: int) -> tuple[list[tuple[Home, str | None, str]], bool, int]:
        """A page of placements: (items, has_more, next index)."""
        items = self.placements()
        chunk = items[start : start + limit]
        end = start + len(chunk)
        return chunk, end < len(items), end

    def account_dids(self) -> list[str]:
        """The account's own device list (`device_list_page` with no dids): devices of its own
        homes and devices shared with it on their own; not those of homes shared with it."""
        return [
            device.did
            for device in self.devices.values()
            if device.did not in self.hidden
            and (
                device.shared_by is not None
                or (device.home_id is not None and not self.homes[device.home_id].shared)
            )
        ]

    def _owner(self, device: Device) -> JsonDict | None:
        """`owner` of a device entry: who shared it, or None for the account's own devices."""
        if device.shared_by is not None:
            return {"userid": device.shared_by[0], "nickname": device.shared_by[1]}
        home = self.homes[device.home_id] if device.home_id is not None else None
        if home is not None and home.shared:
            return {"userid": home.owner_uid, "nickname": "Friend"}
        return None

    def device_json(self, device: Device) -> JsonDict:
        """A `device_list_page` entry."""
        if device.did.startswith("blt."):
            pid = 6
        elif device.parent_id:
            pid = 16
        else:
            pid = 0
        return {
            "did": device.did,
            "uid": self.uid,
            "name": device.name,
            "model": device.model,
            "spec_type": device.urn,
            "isOnline": device.online,
            "pid": pid,
            "token": device.token,
            "icon": "",
            "parent_id": device.parent_id or "",
            "voice_ctrl": device.voice_ctrl,
            "rssi": -45,
            "owner": self._owner(device),
            "local_ip": local_ip_of(device.did),
            "ssid": "MiHome",
            "bssid": "AA:BB:CC:DD:EE:FF",
            "orderTime": 1700000000,
            "extra": {"fw_version": device.fw_version, "mcu_version": "", "platform": ""},
        }

    def iter_devices(self) -> Iterator[Device]:
        """Devices in insertion order."""
        return iter(list(self.devices.values()))


class _ItemError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
