"""Homes from YAML home files, and generated homes of any size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .cloud import Cloud, Home, Room

HOMES_DIR = Path(__file__).resolve().parent / "homes"
GENERATED_ROOMS = 10
GENERATED_ROOM_SIZE = 20


def home_file(home: str | Path) -> Path:
    """Resolve a home name (`demo`) or path to a YAML file."""
    if isinstance(home, Path):
        return home
    candidate = HOMES_DIR / f"{home}.yaml"
    return candidate if candidate.exists() else Path(home)


def load_home_file(cloud: Cloud, path: Path) -> None:
    """Add the homes, rooms and devices of a YAML home file."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    user = data.get("user") or {}
    if "uid" in user:
        cloud.uid = int(user["uid"])
    if "nickname" in user:
        cloud.nickname = str(user["nickname"])
    for home_data in data.get("homes", []):
        home = cloud.add_home(
            Home(
                id=str(home_data["id"]),
                name=str(home_data["name"]),
                rooms=[Room(str(r["id"]), str(r["name"])) for r in home_data.get("rooms", [])],
                shared=bool(home_data.get("shared", False)),
                owner_uid=int(home_data.get("owner_uid", cloud.uid)),
                address=str(home_data.get("address", "")),
            )
        )
        rooms_by_name = {room.name: room.id for room in home.rooms}
        for dev in home_data.get("devices", []):
            room = dev.get("room")
            room_id = rooms_by_name.get(str(room), str(room)) if room is not None else None
            _add_device(cloud, dev, room_id=room_id, home_id=home.id)
    for dev in data.get("shared_devices", []):
        owner = dev.get("owner") or {}
        shared_by = (int(owner.get("uid", 0)), str(owner.get("nickname", "")))
        _add_device(cloud, dev, shared_by=shared_by)


def _add_device(cloud: Cloud, dev: dict[str, Any], **place: Any) -> None:
    """One device entry of a home file."""
    cloud.add_device(
        str(dev["did"]),
        str(dev["name"]),
        str(dev["model"]),
        urn=dev.get("urn"),
        online=bool(dev.get("online", True)),
        parent_id=str(dev["parent"]) if dev.get("parent") else None,
        fw_version=str(dev.get("fw_version", "1.0.0")),
        voice_ctrl=int(dev.get("voice_ctrl", 0)),
        properties=dev.get("properties"),
        **place,
    )


def generate_devices(cloud: Cloud, count: int) -> None:
    """Add `count` devices, cycling over every loaded spec, in generated homes and rooms."""
    models = cloud.specs.models()
    if not models:
        raise ValueError("no spec documents loaded")
    per_home = GENERATED_ROOMS * GENERATED_ROOM_SIZE
    home: Home | None = None
    for index in range(count):
        home_no, slot = divmod(index, per_home)
        if slot == 0:
            home = cloud.add_home(
                Home(
                    id=str(800000 + home_no),
                    name=f"Generated Home {home_no + 1}",
                    rooms=[
                        Room(str(810000 + home_no * 100 + n), f"Room {n + 1}")
                        for n in range(GENERATED_ROOMS)
                    ],
                )
            )
        assert home is not None
        model = models[index % len(models)]
        cloud.add_device(
            str(700000000 + index),
            f"{model} #{index + 1}",
            model,
            room_id=home.rooms[slot // GENERATED_ROOM_SIZE].id,
        )
