"""HTTP API: authentication, homes, properties and actions with their per-item codes."""

from __future__ import annotations

from typing import Any

from simulator import CLIENT_ID, Simulator
from simulator.const import (
    CODE_ACTION_PARAM_ERROR,
    CODE_BAD_ACTION,
    CODE_BAD_IID,
    CODE_DID_ERROR,
    CODE_OFFLINE,
    CODE_VALUE_ERROR,
)

from .conftest import Api

GETHOME = "/app/v2/homeroom/gethome"
PROP_GET = "/app/v2/miotspec/prop/get"
PROP_SET = "/app/v2/miotspec/prop/set"
ACTION = "/app/v2/miotspec/action"
LAMP = "100001"  # yeelink.light.color2
VACUUM = "100051"  # roborock.vacuum.a15
SPEAKER = "100007"  # xiaomi.wifispeaker.lx06
OFFLINE = "100034"


async def test_auth_errors(api: Api, simulator: Simulator) -> None:
    """Missing, wrong, expired or revoked tokens answer 401; `Bearer <token>` is tolerated."""
    body = {"limit": 150}
    assert (await api.post(GETHOME, body))[0] == 200
    assert (await api.post(GETHOME, body, token=""))[0] == 401
    assert (await api.post(GETHOME, body, token="nope"))[0] == 401
    headers = {"X-Client-AppId": CLIENT_ID, "Authorization": f"Bearer {api.token}"}
    url = simulator.base_url + GETHOME
    async with api.session.post(url, json=body, headers=headers) as resp:
        assert resp.status == 200
    async with api.session.post(url, json=body, headers={"X-Client-AppId": CLIENT_ID}) as resp:
        assert resp.status == 401
    headers = {"Authorization": f"Bearer{api.token}", "X-Client-AppId": "1"}
    async with api.session.post(url, json=body, headers=headers) as resp:
        assert resp.status == 401
    assert (await api.control("POST", "tokens/expire"))[0] == 200
    status, data = await api.post(GETHOME, body)
    assert status == 401
    assert data["code"] == 401
    api.token = simulator.issue_tokens()["access_token"]
    assert (await api.post(GETHOME, body))[0] == 200
    assert (await api.control("POST", "tokens/revoke"))[0] == 200
    assert (await api.post(GETHOME, body))[0] == 401


async def test_gethome(api: Api) -> None:
    """Homes, rooms, unroomed dids and shared homes."""
    result = await api.result(GETHOME, {"limit": 150, "fetch_share": True, "fetch_share_dev": True})
    assert result["has_more"] is False
    home = result["homelist"][0]
    assert home["name"] == "Demo Home"
    assert [room["name"] for room in home["roomlist"]] == [
        "Living Room",
        "Bedroom",
        "Kitchen",
        "Study",
        "Bathroom",
    ]
    assert home["dids"] == [VACUUM]
    assert sum(len(room["dids"]) for room in home["roomlist"]) == 27
    assert {"city_id", "longitude", "latitude", "address", "uid"} <= set(home)
    shared = result["share_home_list"]
    assert shared[0]["roomlist"][0]["dids"] == ["100061"]
    result = await api.result(GETHOME, {"fetch_share": True})
    assert result["share_home_list"][0]["roomlist"][0]["dids"] == []
    assert (await api.result(GETHOME, {}))["share_home_list"] == []


async def test_device_list(api: Api) -> None:
    """Device details of the dids asked for."""
    dids = [LAMP, "100008.s1", "blt.3.1a2b3c4d5e6f", SPEAKER, "100061", "unknown"]
    result = await api.result("/app/v2/home/device_list_page", {"limit": 200, "dids": dids})
    by_did = {item["did"]: item for item in result["list"]}
    assert list(by_did) == dids[:-1]
    assert result["has_more"] is False
    assert by_did[LAMP]["spec_type"] == "urn:miot-spec-v2:device:light:0000A001:yeelink-color2:1"
    assert by_did[LAMP]["isOnline"] is True
    assert by_did[LAMP]["owner"] is None
    assert by_did["100008.s1"]["parent_id"] == "100008"
    assert by_did["blt.3.1a2b3c4d5e6f"]["pid"] == 6
    assert by_did[SPEAKER]["voice_ctrl"] == 2
    assert by_did[SPEAKER]["extra"]["fw_version"] == "1.88.51"
    assert by_did["100061"]["owner"]["userid"] == 1234500000
    every = await api.result("/app/v2/home/device_list_page", {"limit": 200})
    assert len(every["list"]) == 28  # the account's own devices: not those of the shared home


async def test_device_list_empty_dids_finds_devices_shared_on_their_own(
    api: Api, simulator: Simulator
) -> None:
    """`"dids": []` answers the account's device list, paged: its own devices (`owner` null) and
    devices another user shared with it on their own (`owner` {userid, nickname}), which are in
    none of its homes; devices of homes shared with it are not in that list."""
    simulator.cloud.add_device(
        "100071", "Friend's Lamp", "yeelink.light.mono4", shared_by=(1234511111, "Friend")
    )
    gethome = await api.result(GETHOME, {"fetch_share": True, "fetch_share_dev": True})
    placed = {
        did
        for key in ("homelist", "share_home_list")
        for home in gethome[key]
        for did in home["dids"] + [d for room in home["roomlist"] for d in room["dids"]]
    }
    assert "100071" not in placed
    seen: list[dict[str, Any]] = []
    body: dict[str, Any] = {"limit": 10, "get_split_device": True, "dids": []}
    while True:
        page = await api.result("/app/v2/home/device_list_page", body)
        seen += page["list"]
        if not page["has_more"]:
            break
        body["start_did"] = page["next_start_did"]
    by_did = {item["did"]: item for item in seen}
    assert len(seen) == len(by_did) == 29
    assert by_did["100071"]["owner"] == {"userid": 1234511111, "nickname": "Friend"}
    assert "100061" not in by_did
    shared = [did for did, item in by_did.items() if item["owner"] is not None]
    assert shared == ["100071"]
    status, listing = await api.control("GET", "devices")
    assert status == 200
    assert next(d for d in listing if d["did"] == "100071")["shared_by"]["userid"] == 1234511111
    # the device works like any other
    result = await api.result(PROP_GET, {"params": [{"did": "100071", "siid": 2, "piid": 1}]})
    assert result[0]["code"] == 0


async def test_prop_get(api: Api) -> None:
    """Values and the per-item codes of reads."""
    params = [
        {"did": LAMP, "siid": 2, "piid": 1},
        {"did": LAMP, "siid": 2, "piid": 2},
        {"did": "nope", "siid": 2, "piid": 1},
        {"did": LAMP, "siid": 9, "piid": 1},
        {"did": LAMP, "siid": "x", "piid": 1},
        {"did": LAMP, "siid": True, "piid": 1},
        {"did": OFFLINE, "siid": 2, "piid": 1},
        {"did": LAMP, "siid": 3, "piid": 1},  # write-only
        {"did": "blt.3.1a2b3c4d5e6f", "siid": "2", "piid": 1},
    ]
    result = await api.result(PROP_GET, {"datasource": 1, "params": params})
    assert [item["code"] for item in result] == [
        0,
        0,
        CODE_DID_ERROR,
        CODE_BAD_IID,
        CODE_BAD_IID,
        CODE_BAD_IID,
        CODE_OFFLINE,
        CODE_BAD_IID,
        0,
    ]
    assert result[0]["value"] is True
    assert result[1]["value"] == 60
    assert result[8]["value"] == 21.5
    assert "value" not in result[2]


async def test_prop_set_validation(api: Api, simulator: Simulator) -> None:
    """Range, step, value-list, format and read-only errors are -4005."""
    cases: list[tuple[dict[str, Any], int]] = [
        ({"did": LAMP, "siid": 2, "piid": 2, "value": 55}, 0),
        ({"did": LAMP, "siid": 2, "piid": 2, "value": 101}, CODE_VALUE_ERROR),  # range 1..100
        ({"did": LAMP, "siid": 2, "piid": 2, "value": 5.5}, CODE_VALUE_ERROR),  # integer format
        ({"did": LAMP, "siid": 2, "piid": 2, "value": "50"}, CODE_VALUE_ERROR),  # format
        ({"did": LAMP, "siid": 2, "piid": 1, "value": 1}, CODE_VALUE_ERROR),  # bool format
        ({"did": "100005", "siid": 10, "piid": 1, "value": 305}, CODE_VALUE_ERROR),  # step 10
        ({"did": "100005", "siid": 10, "piid": 1, "value": 310}, 0),
        ({"did": "100005", "siid": 2, "piid": 5, "value": 9}, CODE_VALUE_ERROR),  # value-list
        ({"did": "100005", "siid": 2, "piid": 5, "value": 1}, 0),
        ({"did": "100005", "siid": 3, "piid": 8, "value": 20.0}, CODE_VALUE_ERROR),  # read-only
        ({"did": "100004", "siid": 2, "piid": 4, "value": 22.5}, 0),  # float step 0.5
        ({"did": "100004", "siid": 2, "piid": 4, "value": 22.7}, CODE_VALUE_ERROR),
        ({"did": "100004", "siid": 2, "piid": 4, "value": float("nan")}, CODE_VALUE_ERROR),
        ({"did": "100004", "siid": 2, "piid": 4, "value": True}, CODE_VALUE_ERROR),
        ({"did": "100004", "siid": 2, "piid": 4, "value": 24}, 0),
        ({"did": "100004", "siid": 9, "piid": 1, "value": "deep"}, 0),  # string
        ({"did": "100004", "siid": 9, "piid": 1, "value": 3}, CODE_VALUE_ERROR),
        ({"did": LAMP, "siid": 2, "piid": 2, "value": 2**40}, CODE_VALUE_ERROR),  # uint8
        ({"did": LAMP, "siid": 2, "piid": 2, "value": 70.0}, 0),  # integral float accepted
        ({"did": OFFLINE, "siid": 2, "piid": 1, "value": True}, CODE_OFFLINE),
        ({"did": "nope", "siid": 2, "piid": 1, "value": True}, CODE_DID_ERROR),
        ({"did": LAMP, "siid": 2, "piid": 99, "value": True}, CODE_BAD_IID),
    ]
    body = {"params": [case[0] for case in cases]}
    result = await api.result(PROP_SET, body)
    assert [item["code"] for item in result] == [case[1] for case in cases]
    assert simulator.cloud.devices[LAMP].values[(2, 2)] == 70
    assert isinstance(simulator.cloud.devices[LAMP].values[(2, 2)], int)


async def test_actions(api: Api, simulator: Simulator) -> None:
    """Toggle flips `on`, vacuum actions set the status, speakers log the text."""
    before = simulator.cloud.devices[LAMP].values[(2, 1)]
    result = await api.result(ACTION, {"params": {"did": LAMP, "siid": 2, "aiid": 1, "in": []}})
    assert result["code"] == 0
    assert result["out"] == []
    assert simulator.cloud.devices[LAMP].values[(2, 1)] is (not before)

    vacuum = simulator.cloud.devices[VACUUM]
    status_list = {
        i["value"]: i["description"] for i in vacuum.spec.properties[(2, 1)]["value-list"]
    }
    for aiid, siid, word in ((1, 2, "sweep"), (1, 3, "charg"), (2, 2, "idle")):
        result = await api.result(
            ACTION, {"params": {"did": VACUUM, "siid": siid, "aiid": aiid, "in": []}}
        )
        assert result["code"] == 0
        assert word in status_list[vacuum.values[(2, 1)]].lower()

    rpc = {"did": VACUUM, "siid": 7, "aiid": 1, "in": ["get_status"]}
    assert (await api.result(ACTION, {"params": rpc}))["out"] == [""]

    say = {"did": SPEAKER, "siid": 5, "aiid": 1, "in": ["hello"]}
    assert (await api.result(ACTION, {"params": say}))["code"] == 0
    directive = {
        "did": SPEAKER,
        "siid": 5,
        "aiid": 5,
        "in": [{"piid": 1, "value": "turn on"}, True],
    }
    assert (await api.result(ACTION, {"params": directive}))["code"] == 0
    status, detail = await api.control("GET", f"devices/{SPEAKER}")
    assert status == 200
    assert [entry["in"] for entry in detail["actions"]] == [["hello"], ["turn on", True]]
    assert detail["actions"][0]["siid"] == 5
    assert detail["actions"][0]["aiid"] == 1

    errors = [
        ({"did": "nope", "siid": 2, "aiid": 1, "in": []}, CODE_DID_ERROR),
        ({"did": LAMP, "siid": 2, "aiid": 9, "in": []}, CODE_BAD_ACTION),
        ({"did": LAMP, "siid": "x", "aiid": 1, "in": []}, CODE_BAD_ACTION),
        ({"did": LAMP, "siid": 2, "aiid": 1, "in": [1]}, CODE_ACTION_PARAM_ERROR),
        ({"did": LAMP, "siid": 2, "aiid": 1, "in": "x"}, CODE_ACTION_PARAM_ERROR),
        ({"did": SPEAKER, "siid": 5, "aiid": 1, "in": [5]}, CODE_ACTION_PARAM_ERROR),
        ({"did": OFFLINE, "siid": 2, "aiid": 1, "in": []}, CODE_BAD_ACTION),
    ]
    for params, code in errors:
        assert (await api.result(ACTION, {"params": params}))["code"] == code


async def test_action_offline(api: Api, simulator: Simulator) -> None:
    """Actions on an offline device answer the offline code."""
    simulator.cloud.set_online(LAMP, False)
    result = await api.result(ACTION, {"params": {"did": LAMP, "siid": 2, "aiid": 1, "in": []}})
    assert result["code"] == CODE_OFFLINE


async def test_bad_bodies(api: Api) -> None:
    """Bodies that are not what the API expects."""
    assert (await api.post(PROP_GET, [1]))[0] == 400
    assert (await api.post(PROP_GET, {"params": [1]}))[0] == 400
    assert (await api.post(ACTION, {"params": []}))[0] == 400
    headers = {"X-Client-AppId": CLIENT_ID, "Authorization": f"Bearer{api.token}"}
    async with api.session.post(api.sim.base_url + PROP_SET, data=b"{", headers=headers) as resp:
        assert resp.status == 400


async def test_string_with_unit_starts_numeric(api: Api) -> None:
    """xiaomi.airc.r24r00 10.6 (`humidity-range`, string, unit percentage) starts as a number in
    its unit, which clients that trust the unit accept; strings without a unit are unchanged."""
    params = [{"did": "100004", "siid": 10, "piid": 6}, {"did": "100004", "siid": 12, "piid": 22}]
    result = await api.result(PROP_GET, {"datasource": 1, "params": params})
    assert [item["code"] for item in result] == [0, 0]
    assert result[0]["value"] == "50"
    assert float(result[0]["value"]) == 50
    assert result[1]["value"] == ""
