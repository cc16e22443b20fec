"""Spec service: instances, instance documents, names per language, standard library
(docs/protocol.md, "MIoT-Spec-V2")."""

from __future__ import annotations

import re
from typing import Any

import pytest

from . import shapes
from .conftest import Client

KINDS = ("device", "service", "property", "event", "action")


async def _documents(client: Client) -> list[dict[str, Any]]:
    """Every released instance document, fetched as a client would: list, then each by urn."""
    status, listing = await client.get("/miot-spec-v2/instances", status="all")
    assert status == 200
    shapes.check(listing, shapes.INSTANCES)
    docs: list[dict[str, Any]] = []
    for urn in sorted({item["type"] for item in listing["instances"]}):
        status, doc = await client.get("/miot-spec-v2/instance", type=urn)
        assert status == 200, urn
        docs.append(doc)
    return docs


def _items(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(kind, item, its service) of every service, property, action and event."""
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for service in doc.get("services", []):
        found.append(("service", service, service))
        for key, kind in (("properties", "property"), ("actions", "action"), ("events", "event")):
            found += [(kind, item, service) for item in service.get(key, [])]
    return found


def _standard(urn: str) -> str | None:
    parts = urn.split(":")
    return ":".join(parts[:5]) if parts[1] == "miot-spec-v2" else None


async def test_instance_documents(client: Client) -> None:
    """Each listed urn has a document of that type with services, properties (format, access,
    value-range / value-list), actions (in, out: piids) and events (arguments: piids)."""
    docs = await _documents(client)
    assert docs
    for doc in docs:
        shapes.check(doc, shapes.INSTANCE)
        for kind, item, _service in _items(doc):
            if kind == "property":
                shapes.check(item, shapes.PROPERTY)
                if "value-range" in item:
                    assert len(item["value-range"]) in (2, 3)
                if "value-list" in item:
                    shapes.check(item["value-list"], [{"value": object, "description": str}])
            elif kind == "action":
                shapes.check(item, {"iid": int, "type": shapes.URN, "in": [int], "out": [int]})
            elif kind == "event":
                shapes.check(item, {"iid": int, "type": shapes.URN, "arguments": [int]})
    status, _ = await client.get(
        "/miot-spec-v2/instance", type="urn:miot-spec-v2:device:none:0000A000:no-model:1"
    )
    assert status != 200  # (simulator) 404 with a JSON error


@pytest.mark.parametrize(
    ("status", "listed"), [("all", True), ("released", True), ("debug", False)]
)
async def test_instances_by_status(client: Client, status: str, listed: bool) -> None:
    """`instances?status=`: the simulator's documents are all released."""
    got, listing = await client.get("/miot-spec-v2/instances", status=status)
    assert got == 200
    shapes.check(listing, shapes.INSTANCES)
    assert bool(listing["instances"]) is listed
    assert all(item["status"] == "released" for item in listing["instances"])


async def test_multi_language(client: Client) -> None:
    """`data.<lang>` maps zero-padded keys to names; every service and property of the document
    is named in `en`; an unknown urn answers plain text."""
    docs = await _documents(client)
    for doc in docs:
        status, answer = await client.get("/instance/v2/multiLanguage", urn=doc["type"])
        assert status == 200
        shapes.check(answer, {"data": {"en": dict, "zh_cn": dict}})
        for names in answer["data"].values():
            for key, text in names.items():
                assert re.fullmatch(shapes.LANGUAGE_KEY, key), key
                assert isinstance(text, str)
        for kind, item, service in _items(doc):
            if kind == "service":
                assert f"service:{item['iid']:03d}" in answer["data"]["en"]
            elif kind == "property":
                key = f"service:{service['iid']:03d}:property:{item['iid']:03d}"
                assert key in answer["data"]["en"]
    status, text = await client.get("/instance/v2/multiLanguage", urn="urn:none")
    assert status == 200
    assert isinstance(text, str)


@pytest.mark.parametrize("kind", KINDS)
async def test_template_list_covers_every_served_standard_type(client: Client, kind: str) -> None:
    """`template/list/<kind>`: `result[].type` (five-part urn of that kind) and
    `.description` (names per language); every standard type of that kind used by a served
    document is there."""
    status, answer = await client.get(f"/miot-spec-v2/template/list/{kind}")
    assert status == 200
    shapes.check(answer, shapes.TEMPLATES)
    listed = {item["type"] for item in answer["result"]}
    assert all(urn.split(":")[2] == kind for urn in listed)
    used: set[str] = set()
    for doc in await _documents(client):
        urns = [doc["type"]] if kind == "device" else []
        urns += [item["type"] for item_kind, item, _ in _items(doc) if item_kind == kind]
        used |= {std for urn in urns if (std := _standard(urn)) is not None}
    assert used
    assert used <= listed


async def test_property_value_normalization(client: Client) -> None:
    """`normalization/list/property_value`: `result[]` of `urn` (a standard service type),
    `proName`, `normalization` (English value name) and `description`; each names a value of a
    standard property of that service in a served document."""
    status, answer = await client.get("/miot-spec-v2/normalization/list/property_value")
    assert status == 200
    shapes.check(answer, shapes.NORMALIZATION)
    served: set[tuple[str, str, str]] = set()
    for doc in await _documents(client):
        for kind, item, service in _items(doc):
            service_std = _standard(service["type"])
            if kind != "property" or service_std is None or _standard(item["type"]) is None:
                continue
            for entry in item.get("value-list", []):
                served.add((service_std, item["type"].split(":")[3], entry["description"]))
    listed = {(e["urn"], e["proName"], e["normalization"]) for e in answer["result"]}
    assert listed
    assert listed <= served
