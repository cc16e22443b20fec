"""HTTP API: headers, homes, device lists, properties and actions (docs/protocol.md, "HTTP API").

Rows name demo-home devices (simulator/homes/demo.yaml) and their spec documents."""

from __future__ import annotations

import re
from typing import Any

import pytest

from . import shapes
from .conftest import APP_ID, Client

GETHOME = "/app/v2/homeroom/gethome"
DEV_ROOM_PAGE = "/app/v2/homeroom/get_dev_room_page"
DEVICE_LIST = "/app/v2/home/device_list_page"
PROP_GET = "/app/v2/miotspec/prop/get"
PROP_SET = "/app/v2/miotspec/prop/set"
ACTION = "/app/v2/miotspec/action"
GETHOME_BODY = {
    "limit": 150,
    "fetch_share": True,
    "fetch_share_dev": True,
    "plat_form": 0,
    "app_ver": 9,
}

# Per-item codes (protocol.md)
OK = 0
BAD_IID = -704083036
OFFLINE = -704042011
BAD_ACTION = -704040005
VALUE_ERROR = -4005
ACTION_PARAM_ERROR = -4006
DID_ERROR = -4007

LAMP = "100001"  # yeelink.light.color2: 2.1 on (bool), 2.2 brightness (1..100), 3.1 write-only
OFFLINE_PLUG = "100034"  # qmi.powerstrip.v1, offline
THERMOMETER = "blt.3.1a2b3c4d5e6f"  # miaomiaoce.sensor_ht.t2: 2.1 temperature (read, notify)
PURIFIER = "100005"  # zhimi.airpurifier.ma4: 2.5 mode (value-list), 3.8 read-only
SPEAKER = "100007"  # xiaomi.wifispeaker.lx06: 5.1 play-text (in: text)


def _headers(**change: str | None) -> dict[str, str]:
    base = {
        "X-Client-BizId": "haapi",
        "Content-Type": "application/json",
        "X-Client-AppId": APP_ID,
        "Authorization": "Bearer{token}",
    }
    for key, value in change.items():
        name = key.replace("_", "-")
        if value is None:
            base.pop(name)
        else:
            base[name] = value
    return base


# (case, headers with {token} for the valid token, HTTP status)
HEADER_CASES = [
    ("official headers", _headers(), 200),
    ("no Authorization", _headers(Authorization=None), 401),
    ("unknown token", _headers(Authorization="BearerV3_unknown"), 401),
    # (simulator) the app id header must name the app
    ("no X-Client-AppId", _headers(X_Client_AppId=None), 401),
    ("other X-Client-AppId", _headers(X_Client_AppId="1"), 401),
]


@pytest.mark.parametrize(
    ("case", "headers", "status"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES]
)
async def test_api_headers(client: Client, case: str, headers: dict[str, str], status: int) -> None:
    """The API answers HTTP 401 when the token is missing or invalid."""
    filled = {k: v.replace("{token}", client.access_token) for k, v in headers.items()}
    got, answer = await client.api(GETHOME, GETHOME_BODY, headers=filled)
    assert got == status, answer
    if status == 200:
        shapes.check(answer, shapes.envelope(shapes.GETHOME))


async def test_gethome_shape_and_shared_homes(client: Client) -> None:
    """Homes with rooms and dids; shared homes only with `fetch_share`."""
    result = await client.result(GETHOME, GETHOME_BODY)
    shapes.check(result, shapes.GETHOME)
    assert result["homelist"]
    assert result["share_home_list"]
    without = await client.result(GETHOME, {**GETHOME_BODY, "fetch_share": False})
    assert without["share_home_list"] == []


def _home_dids(homes: list[dict[str, Any]]) -> list[str]:
    return [
        did
        for home in homes
        for did in home["dids"] + [d for room in home["roomlist"] for d in room["dids"]]
    ]


async def test_home_paging(big_client: Client) -> None:
    """More than 150 devices: `gethome` gives a first page, `get_dev_room_page` the rest from
    `max_id` (a string) while `has_more`; together every did once."""
    first = await big_client.result(GETHOME, GETHOME_BODY)
    shapes.check(first, shapes.GETHOME)
    seen = _home_dids(first["homelist"])
    assert len(seen) <= 150
    assert first["has_more"] is True
    home_ids = {home["id"] for home in first["homelist"]}
    max_id = first["max_id"]
    while True:
        page = await big_client.result(DEV_ROOM_PAGE, {"start_id": max_id, "limit": 150})
        shapes.check(page, shapes.DEV_ROOM_PAGE)
        for info in page["info"]:
            assert info["id"] in home_ids
            seen += info["dids"] + [d for room in info["roomlist"] for d in room["dids"]]
        if not page["has_more"]:
            break
        max_id = page["max_id"]
    assert len(seen) == len(set(seen)) == 330


async def test_device_list_paging(big_client: Client) -> None:
    """Details of ≤150 dids per request, paged by `limit` with `has_more` and `next_start_did`."""
    first = await big_client.result(GETHOME, GETHOME_BODY)
    dids = _home_dids(first["homelist"])[:150]
    collected: list[str] = []
    body: dict[str, Any] = {
        "limit": 40,
        "get_split_device": True,
        "get_third_device": True,
        "dids": dids,
    }
    pages = 0
    while True:
        page = await big_client.result(DEVICE_LIST, body)
        shapes.check(page, shapes.DEVICE_PAGE)
        pages += 1
        collected += [item["did"] for item in page["list"]]
        if not page["has_more"]:
            break
        assert page["next_start_did"]
        body["start_did"] = page["next_start_did"]
    assert pages == 4
    assert collected == dids


async def test_device_list_of_every_home_did(client: Client) -> None:
    """Every did of `gethome` has a well-formed entry; sub-devices name their parent; unknown dids
    are left out."""
    homes = await client.result(GETHOME, GETHOME_BODY)
    dids = _home_dids(homes["homelist"] + homes["share_home_list"])
    body = {"limit": 200, "get_split_device": True, "get_third_device": True}
    page = await client.result(DEVICE_LIST, {**body, "dids": [*dids, "no-such-did"]})
    shapes.check(page, shapes.DEVICE_PAGE)
    by_did = {item["did"]: item for item in page["list"]}
    assert set(by_did) == set(dids)
    subs = [did for did in by_did if re.fullmatch(r".+\.s\d+", did)]
    assert subs
    for did in subs:
        assert by_did[did]["parent_id"] == did.rsplit(".", 1)[0]


async def test_device_list_with_empty_dids(client: Client, simulator: Any) -> None:
    """`"dids": []`: the account's device list; devices another user shared on their own carry
    `owner {userid, nickname}`, the account's own devices `owner` null."""
    simulator.cloud.add_device(
        "100099", "Shared Lamp", "yeelink.light.mono4", shared_by=(1234522222, "Neighbour")
    )
    page = await client.result(
        DEVICE_LIST, {"limit": 200, "get_split_device": True, "get_third_device": True, "dids": []}
    )
    shapes.check(page, shapes.DEVICE_PAGE)
    owners = {item["did"]: item["owner"] for item in page["list"]}
    assert owners["100099"] == {"userid": 1234522222, "nickname": "Neighbour"}
    homes = await client.result(GETHOME, GETHOME_BODY)
    own = set(_home_dids(homes["homelist"]))
    assert own <= set(owners)
    assert all(owners[did] is None for did in own)
    assert "100099" not in _home_dids(homes["homelist"] + homes["share_home_list"])


# (case, item, code) for prop/get
GET_CASES: list[tuple[str, dict[str, Any], int]] = [
    ("bool property", {"did": LAMP, "siid": 2, "piid": 1}, OK),
    ("ranged property", {"did": LAMP, "siid": 2, "piid": 2}, OK),
    ("BLE device", {"did": THERMOMETER, "siid": 2, "piid": 1}, OK),
    ("unknown did", {"did": "no-such-did", "siid": 2, "piid": 1}, DID_ERROR),
    ("unknown siid", {"did": LAMP, "siid": 99, "piid": 1}, BAD_IID),
    ("unknown piid", {"did": LAMP, "siid": 2, "piid": 99}, BAD_IID),
    ("offline device", {"did": OFFLINE_PLUG, "siid": 2, "piid": 1}, OFFLINE),
    # (simulator) a property without read access is a bad combination
    ("write-only property", {"did": LAMP, "siid": 3, "piid": 1}, BAD_IID),
]


async def test_prop_get_per_item_codes(client: Client) -> None:
    """One result per item, in order, echoing did/siid/piid with `code`; `value` when 0."""
    params = [case[1] for case in GET_CASES]
    result = await client.result(PROP_GET, {"datasource": 1, "params": params})
    shapes.check(result, [shapes.PROP_ITEM])
    assert len(result) == len(GET_CASES)
    for (case, item, code), got in zip(GET_CASES, result, strict=True):
        assert (got["did"], got["siid"], got["piid"]) == (item["did"], item["siid"], item["piid"])
        assert got["code"] == code, case
        assert ("value" in got) is (code == OK), case
    assert isinstance(result[0]["value"], bool)
    assert 1 <= result[1]["value"] <= 100


async def test_prop_get_150_items(client: Client) -> None:
    """The official client sends up to 150 properties per request."""
    params = [{"did": LAMP, "siid": 2, "piid": 1 + n % 2} for n in range(150)]
    result = await client.result(PROP_GET, {"datasource": 1, "params": params})
    assert len(result) == 150
    assert {item["code"] for item in result} == {OK}


# (case, item, code) for prop/set
SET_CASES: list[tuple[str, dict[str, Any], int]] = [
    ("in range", {"did": LAMP, "siid": 2, "piid": 2, "value": 55}, OK),
    ("bool", {"did": LAMP, "siid": 2, "piid": 1, "value": True}, OK),
    ("value-list entry", {"did": PURIFIER, "siid": 2, "piid": 5, "value": 1}, OK),
    ("out of range", {"did": LAMP, "siid": 2, "piid": 2, "value": 101}, VALUE_ERROR),
    ("wrong type", {"did": LAMP, "siid": 2, "piid": 2, "value": "55"}, VALUE_ERROR),
    ("not in value-list", {"did": PURIFIER, "siid": 2, "piid": 5, "value": 9}, VALUE_ERROR),
    ("unknown did", {"did": "no-such-did", "siid": 2, "piid": 1, "value": True}, DID_ERROR),
    ("unknown piid", {"did": LAMP, "siid": 2, "piid": 99, "value": True}, BAD_IID),
    ("offline device", {"did": OFFLINE_PLUG, "siid": 2, "piid": 1, "value": True}, OFFLINE),
    # (simulator) writing a property without write access is a value error
    ("read-only property", {"did": PURIFIER, "siid": 3, "piid": 8, "value": 20.0}, VALUE_ERROR),
]


async def test_prop_set_per_item_codes(client: Client) -> None:
    """One result per item echoing did/siid/piid with `code` (0 or 1 is success); a write is
    read back."""
    result = await client.result(PROP_SET, {"params": [case[1] for case in SET_CASES]})
    shapes.check(result, [shapes.PROP_ITEM])
    for (case, item, code), got in zip(SET_CASES, result, strict=True):
        assert (got["did"], got["siid"], got["piid"]) == (item["did"], item["siid"], item["piid"])
        expected = (OK, 1) if code == OK else (code,)
        assert got["code"] in expected, case
    read = await client.result(
        PROP_GET, {"datasource": 1, "params": [{"did": LAMP, "siid": 2, "piid": 2}]}
    )
    assert read[0]["value"] == 55


# (case, params, code)
ACTION_CASES: list[tuple[str, dict[str, Any], int]] = [
    ("no inputs", {"did": LAMP, "siid": 2, "aiid": 1, "in": []}, OK),
    ("text input", {"did": SPEAKER, "siid": 5, "aiid": 1, "in": ["hello"]}, OK),
    ("unknown did", {"did": "no-such-did", "siid": 2, "aiid": 1, "in": []}, DID_ERROR),
    ("unknown aiid", {"did": LAMP, "siid": 2, "aiid": 99, "in": []}, BAD_ACTION),
    ("too many inputs", {"did": LAMP, "siid": 2, "aiid": 1, "in": [1]}, ACTION_PARAM_ERROR),
    ("wrong input type", {"did": SPEAKER, "siid": 5, "aiid": 1, "in": [5]}, ACTION_PARAM_ERROR),
]


@pytest.mark.parametrize(("case", "params", "code"), ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
async def test_action_codes(client: Client, case: str, params: dict[str, Any], code: int) -> None:
    """`result {did, siid, aiid, code}`, with `out` (a list) on success."""
    result = await client.result(ACTION, {"params": params})
    shapes.check(result, shapes.ACTION_RESULT)
    assert (result["did"], result["siid"], result["aiid"]) == (
        params["did"],
        params["siid"],
        params["aiid"],
    )
    assert result["code"] == code
    if code == OK:
        assert isinstance(result["out"], list)


async def test_action_on_offline_device(client: Client, simulator: Any) -> None:
    """An action on an offline device answers the offline code."""
    simulator.cloud.set_online(LAMP, False)
    result = await client.result(ACTION, {"params": {"did": LAMP, "siid": 2, "aiid": 1, "in": []}})
    assert result["code"] == OFFLINE
