"""Typed records of the MIoT cloud: homes, rooms, devices, profile, results and push messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except TypeError, ValueError:
        return None


@dataclass(slots=True)
class Room:
    """A room of a home and the devices placed in it."""

    room_id: str
    name: str
    home_id: str
    dids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Home:
    """A home (own or shared) with its rooms."""

    home_id: str
    name: str
    uid: str = ""
    shared: bool = False
    rooms: list[Room] = field(default_factory=list)
    dids: list[str] = field(default_factory=list)
    city_id: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    address: str | None = None

    def all_dids(self) -> list[str]:
        """Every device of the home: unassigned ones first, then room by room."""
        seen: dict[str, None] = dict.fromkeys(self.dids)
        for room in self.rooms:
            seen.update(dict.fromkeys(room.dids))
        return list(seen)

    def room_of(self, did: str) -> Room | None:
        """The room a device is in (None: not in a room)."""
        return next((room for room in self.rooms if did in room.dids), None)

    @classmethod
    def from_cloud(cls, data: dict[str, Any], *, shared: bool = False) -> Home:
        """Build from a `gethome` home entry."""
        home_id = _str(data.get("id"))
        rooms = [
            Room(
                room_id=_str(room.get("id")),
                name=_str(room.get("name")),
                home_id=home_id,
                dids=[str(did) for did in room.get("dids") or []],
            )
            for room in data.get("roomlist") or []
            if isinstance(room, dict)
        ]

        def _float(value: Any) -> float | None:
            try:
                return None if value in (None, "") else float(value)
            except TypeError, ValueError:
                return None

        return cls(
            home_id=home_id,
            name=_str(data.get("name")),
            uid=_str(data.get("uid")),
            shared=shared,
            rooms=rooms,
            dids=[str(did) for did in data.get("dids") or []],
            city_id=_opt_str(data.get("city_id")),
            longitude=_float(data.get("longitude")),
            latitude=_float(data.get("latitude")),
            address=_opt_str(data.get("address")),
        )


@dataclass(slots=True)
class Device:
    """A device of the account as the cloud lists it."""

    did: str
    name: str
    model: str
    urn: str
    online: bool
    uid: str = ""
    parent_id: str | None = None
    sub_devices: list[Device] = field(default_factory=list, repr=False)
    fw_version: str | None = None
    mcu_version: str | None = None
    platform: str | None = None
    room_id: str | None = None
    home_id: str | None = None
    voice_ctrl: int = 0
    rssi: int | None = None
    local_ip: str | None = None
    ssid: str | None = None
    bssid: str | None = None
    token: str | None = field(default=None, repr=False)
    pid: int | None = None
    owner: str | None = None
    icon: str | None = None

    @property
    def is_sub_device(self) -> bool:
        """Whether the device hangs off a parent (gateway)."""
        return self.parent_id is not None

    @property
    def pushes_state(self) -> bool:
        """Whether the cloud publishes online/offline for it (not for BLE or proxied devices)."""
        return not self.did.startswith(("blt.", "proxy."))

    @classmethod
    def from_cloud(cls, data: dict[str, Any]) -> Device:
        """Build from a `device_list_page` entry."""
        extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
        assert isinstance(extra, dict)
        did = _str(data.get("did"))
        parent = _opt_str(data.get("parent_id"))
        owner = data.get("owner")
        return cls(
            did=did,
            name=_str(data.get("name")) or did,
            model=_str(data.get("model")),
            urn=_str(data.get("spec_type")),
            online=bool(data.get("isOnline", False)),
            uid=_str(data.get("uid")),
            parent_id=parent if parent != did else None,
            fw_version=_opt_str(extra.get("fw_version")),
            mcu_version=_opt_str(extra.get("mcu_version")),
            platform=_opt_str(extra.get("platform")),
            voice_ctrl=_opt_int(data.get("voice_ctrl")) or 0,
            rssi=_opt_int(data.get("rssi")),
            local_ip=_opt_str(data.get("local_ip")),
            ssid=_opt_str(data.get("ssid")),
            bssid=_opt_str(data.get("bssid")),
            token=_opt_str(data.get("token")),
            pid=_opt_int(data.get("pid")),
            owner=_opt_str(owner.get("userid") if isinstance(owner, dict) else owner),
            icon=_opt_str(data.get("icon")),
        )


@dataclass(slots=True, frozen=True)
class UserProfile:
    """The account behind a token."""

    union_id: str
    nickname: str
    icon: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True, frozen=True)
class PropertyResult:
    """Outcome of reading or writing one property (`code` 0 or 1 = success)."""

    did: str
    siid: int
    piid: int
    code: int
    value: Any = None

    @property
    def ok(self) -> bool:
        """Whether the cloud accepted the item."""
        return self.code in (0, 1)


@dataclass(slots=True, frozen=True)
class PropertyChange:
    """A property value pushed by the cloud."""

    did: str
    siid: int
    piid: int
    value: Any


@dataclass(slots=True, frozen=True)
class EventOccurred:
    """A spec event pushed by the cloud; `arguments` maps piid to value."""

    did: str
    siid: int
    eiid: int
    arguments: dict[int, Any]


@dataclass(slots=True, frozen=True)
class DeviceStateChange:
    """A device came online or went offline."""

    did: str
    online: bool
    timestamp: int | None = None
