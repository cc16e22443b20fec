"""The MiNA twin over raw HTTP: device list, ubus, conversations and the /_sim/speakers API."""

from __future__ import annotations

import json
from typing import Any

from simulator import Simulator
from simulator.cloud import Device
from simulator.mina import DEFAULT_ANSWER, is_speaker
from simulator.passport import DEFAULT_PASSWORD, client_sign, password_hash

from .conftest import Reply, TwinClient

SPEAKER = "100007"
LAMP = "100001"
# A speaker spec with a playing-state that knows only "Playing", and no volume.
MINI_SPEC = {
    "type": "urn:miot-spec-v2:device:speaker:0000A015:test-mini:1",
    "description": "Speaker",
    "services": [
        {
            "iid": 2,
            "type": "urn:miot-spec-v2:service:play-control:0000781D:test-mini:1",
            "properties": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:property:playing-state:00000023:test-mini:1",
                    "format": "uint8",
                    "access": ["read", "notify"],
                    "value-list": [{"value": 1, "description": "Playing"}],
                }
            ],
        },
        {
            "iid": 3,
            "type": "urn:miot-spec-v2:service:intelligent-speaker:0000789B:test-mini:1",
            "properties": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:property:text-content:000000C1:test-mini:1",
                    "format": "string",
                    "access": [],
                }
            ],
            "actions": [
                {
                    "iid": 1,
                    "type": "urn:miot-spec-v2:action:play-text:00002803:test-mini:1",
                    "in": [1],
                    "out": [],
                }
            ],
        },
    ],
}


async def cookies_of(twin: TwinClient) -> dict[str, str]:
    """userId and serviceToken of the demo account (password sign-in over raw HTTP)."""
    login = (await twin.request("GET", "/pass/serviceLogin")).account_json()
    form = {key: login[key] for key in ("qs", "sid", "_sign", "callback")}
    form.update(user="demo@example.com", hash=password_hash(DEFAULT_PASSWORD), _json="true")
    answer = (await twin.request("POST", "/pass/serviceLoginAuth2", data=form)).account_json()
    sign = client_sign(answer["nonce"], answer["ssecurity"])
    sts = await twin.request("GET", answer["location"], params={"clientSign": sign})
    return {"userId": sts.cookies["userId"], "serviceToken": sts.cookies["serviceToken"]}


async def ubus(
    twin: TwinClient, cookies: dict[str, str], device_id: str, path: str, method: str, message: Any
) -> Reply:
    """POST /remote/ubus with `message` encoded as a JSON string (unless it is a str already)."""
    text = message if isinstance(message, str) else json.dumps(message)
    form = {"deviceId": device_id, "path": path, "method": method, "message": text}
    return await twin.request("POST", "/remote/ubus", data=form, cookies=cookies)


def mini_speaker(sim: Simulator) -> Device:
    """Add the minimal speaker to the demo home."""
    sim.cloud.specs.add(MINI_SPEC, "test.wifispeaker.mini")
    return sim.cloud.add_device("900001", "Mini", "test.wifispeaker.mini", home_id="10001")


async def test_device_list(twin: TwinClient, twin_sim: Simulator) -> None:
    """Only speakers; MiNA ids and the fields public clients read."""
    cookies = await cookies_of(twin)
    reply = await twin.request(
        "GET", "/admin/v2/device_list", params={"master": "0"}, cookies=cookies
    )
    answer = reply.json()
    assert (answer["code"], answer["message"]) == (0, "Success")
    (entry,) = answer["data"]
    assert entry["miotDID"] == SPEAKER
    assert entry["hardware"] == "LX06"
    assert entry["deviceID"] == twin_sim.mina.state(SPEAKER).device_id
    assert {"serialNumber", "name", "alias", "presence", "capabilities", "mac"} <= set(entry)
    assert is_speaker(twin_sim.cloud.device(SPEAKER))
    assert not is_speaker(twin_sim.cloud.device(LAMP))


async def test_unauthorized(twin: TwinClient, twin_sim: Simulator) -> None:
    """No, wrong or expired service token: HTTP 401."""
    cookies = await cookies_of(twin)
    for path, method in [
        ("/admin/v2/device_list", "GET"),
        ("/remote/ubus", "POST"),
        ("/device_profile/v2/conversation", "GET"),
    ]:
        assert (await twin.request(method, path)).status == 401
        bad = {**cookies, "serviceToken": "forged"}
        assert (await twin.request(method, path, cookies=bad)).status == 401
    twin_sim.passport.expire_service_tokens()
    reply = await twin.request("GET", "/admin/v2/device_list", cookies=cookies)
    assert reply.status == 401
    assert reply.json()["code"] == 401


async def test_ubus(twin: TwinClient, twin_sim: Simulator) -> None:
    """TTS, player operations, status (info is a JSON string), volume; errors per speaker."""
    cookies = await cookies_of(twin)
    device_id = twin_sim.mina.state(SPEAKER).device_id
    reply = await ubus(twin, cookies, device_id, "mibrain", "text_to_speech", {"text": "你好"})
    assert reply.json() == {"code": 0, "message": "Success", "data": {"code": 0, "info": ""}}
    status = await ubus(twin, cookies, device_id, "mediaplayer", "player_get_play_status", {})
    info = json.loads(status.json()["data"]["info"])
    assert info == {"status": 1, "volume": 40, "loop_type": 1}
    for message, code in [
        ({"action": "rewind"}, 1),
        ({"action": "pause", "media": "app_ios"}, 0),
    ]:
        reply = await ubus(
            twin, cookies, device_id, "mediaplayer", "player_play_operation", message
        )
        assert reply.json()["data"]["code"] == code
    for volume, code in [(30, 0), (101, 1), ("30", 1), (True, 1)]:
        message = {"volume": volume, "media": "app_ios"}
        reply = await ubus(twin, cookies, device_id, "mediaplayer", "player_set_volume", message)
        assert reply.json()["data"]["code"] == code
    assert twin_sim.cloud.device(SPEAKER).values[(2, 1)] == 30
    assert (await ubus(twin, cookies, device_id, "mibrain", "nlp_result_get", {})).json()["data"][
        "code"
    ] == 1
    assert (await ubus(twin, cookies, "nope", "mibrain", "text_to_speech", {})).json()[
        "code"
    ] == 101
    for bad in ("{oops", "[1]"):
        reply = await ubus(twin, cookies, device_id, "mibrain", "text_to_speech", bad)
        assert reply.json()["code"] == 400
    twin_sim.cloud.set_online(SPEAKER, False)
    reply = await ubus(twin, cookies, device_id, "mibrain", "text_to_speech", {"text": "x"})
    assert reply.json()["data"] == {"code": 1, "info": "device offline"}
    state = twin_sim.mina.state(SPEAKER)
    assert [item["text"] for item in state.spoken] == ["你好"]
    assert [item["action"] for item in state.operations] == ["pause"]


async def test_conversation(twin: TwinClient, twin_sim: Simulator) -> None:
    """`data` is a JSON string; records newest first, up to `timestamp`, `limit` of them."""
    cookies = await cookies_of(twin)
    state = twin_sim.mina.state(SPEAKER)
    said = [
        (await twin.request("POST", f"/_sim/speakers/{SPEAKER}/say", json_body=body)).json()
        for body in (
            {"text": "一", "answer": "1"},
            {"text": "二", "answer": "2", "answer_type": "llm"},
            {"text": "三"},
        )
    ]
    assert said[1]["time"] > said[0]["time"]
    cookies["deviceId"] = state.device_id
    params = {"source": "dialogu", "hardware": "LX06", "limit": "2", "timestamp": "9" * 13}
    reply = await twin.request(
        "GET", "/device_profile/v2/conversation", params=params, cookies=cookies
    )
    answer = reply.json()
    assert isinstance(answer["data"], str)
    data = json.loads(answer["data"])
    assert [record["query"] for record in data["records"]] == ["三", "二"]
    assert data["records"][0]["answers"] == []
    assert data["records"][1]["answers"][0] == {
        "bitSet": [0, 1, 1, 1],
        "type": "LLM",
        "llm": {"bitSet": [0, 1], "text": "2"},
    }
    assert data["nextEndTime"] == said[1]["time"] - 1
    params.update(timestamp=str(said[0]["time"]), limit="x")
    data = json.loads(
        (
            await twin.request(
                "GET", "/device_profile/v2/conversation", params=params, cookies=cookies
            )
        ).json()["data"]
    )
    assert [record["query"] for record in data["records"]] == ["一"]
    params.update(timestamp="soon", hardware="L05B")
    data = json.loads(
        (
            await twin.request(
                "GET", "/device_profile/v2/conversation", params=params, cookies=cookies
            )
        ).json()["data"]
    )
    assert data["records"] == []
    cookies["deviceId"] = "unknown"
    data = json.loads(
        (await twin.request("GET", "/device_profile/v2/conversation", cookies=cookies)).json()[
            "data"
        ]
    )
    assert data["records"] == []


async def test_miot_actions(twin_sim: Simulator) -> None:
    """execute-text lands in the history, play-text is spoken, play/pause move the status."""
    cloud = twin_sim.cloud
    state = twin_sim.mina.state(SPEAKER)
    assert (
        cloud.do_action({"did": SPEAKER, "siid": 5, "aiid": 5, "in": ["开灯", False]})["code"] == 0
    )
    assert state.history[0]["query"] == "开灯"
    assert state.history[0]["answers"][0]["tts"]["text"] == DEFAULT_ANSWER
    assert state.status == 1
    cloud.do_action({"did": SPEAKER, "siid": 5, "aiid": 1, "in": ["hello"]})
    assert state.spoken[-1]["via"] == "miot"
    cloud.do_action({"did": SPEAKER, "siid": 3, "aiid": 2, "in": []})
    assert state.status == 2
    assert state.operations[-1] == {
        "action": "pause",
        "via": "miot",
        "ts": state.operations[-1]["ts"],
    }
    cloud.do_action({"did": SPEAKER, "siid": 5, "aiid": 3, "in": []})  # wake-up: nothing recorded
    cloud.do_action({"did": LAMP, "siid": 2, "aiid": 1, "in": []})  # not a speaker
    assert len(state.history) == 1
    cloud.action_hook = None  # a Cloud without the twin
    assert cloud.do_action({"did": SPEAKER, "siid": 5, "aiid": 5, "in": ["x", False]})["code"] == 0
    assert len(state.history) == 1


async def test_speaker_without_volume(twin: TwinClient, twin_sim: Simulator) -> None:
    """A speaker spec without volume keeps the volume in the twin; unmatched states are kept."""
    device = mini_speaker(twin_sim)
    cookies = await cookies_of(twin)
    device_id = twin_sim.mina.state(device.did).device_id
    reply = await ubus(twin, cookies, device_id, "mediaplayer", "player_set_volume", {"volume": 7})
    assert reply.json()["data"]["code"] == 0
    reply = await ubus(
        twin, cookies, device_id, "mediaplayer", "player_play_operation", {"action": "play"}
    )
    assert device.values[(2, 1)] == 1
    reply = await ubus(
        twin, cookies, device_id, "mediaplayer", "player_play_operation", {"action": "stop"}
    )
    assert device.values[(2, 1)] == 1  # the spec has no Stop value
    status = await ubus(twin, cookies, device_id, "mediaplayer", "player_get_play_status", {})
    assert json.loads(status.json()["data"]["info"])["volume"] == 7
    assert json.loads(status.json()["data"]["info"])["status"] == 3
    listing = (await twin.request("GET", "/admin/v2/device_list", cookies=cookies)).json()["data"]
    assert [entry["hardware"] for entry in listing] == ["LX06", "MINI"]
    # Without any playing-state the status lives in the twin only.
    bare_spec = {**MINI_SPEC, "type": "urn:miot-spec-v2:device:speaker:0000A015:test-bare:1"}
    bare_spec["services"] = MINI_SPEC["services"][1:]
    twin_sim.cloud.specs.add(bare_spec, "test.wifispeaker.bare")
    bare = twin_sim.cloud.add_device("900002", "Bare", "test.wifispeaker.bare", home_id="10001")
    bare_id = twin_sim.mina.state(bare.did).device_id
    reply = await ubus(twin, cookies, bare_id, "mibrain", "text_to_speech", {"text": "x"})
    assert reply.json()["data"]["code"] == 0
    assert twin_sim.mina.state(bare.did).status == 1


async def test_control_api(twin: TwinClient, twin_sim: Simulator) -> None:
    """/_sim/speakers: list, detail, say; errors."""
    listing = (await twin.request("GET", "/_sim/speakers")).json()
    assert listing == [
        {
            "did": SPEAKER,
            "device_id": twin_sim.mina.state(SPEAKER).device_id,
            "hardware": "LX06",
            "name": "Xiaoai Speaker",
            "online": True,
            "status": 0,
            "volume": 40,
        }
    ]
    reply = await twin.request("POST", f"/_sim/speakers/{SPEAKER}/say", json_body={"text": "hi"})
    assert reply.status == 201
    detail = (await twin.request("GET", f"/_sim/speakers/{SPEAKER}")).json()
    assert detail["history"][0]["query"] == "hi"
    assert detail["spoken"] == []
    assert detail["operations"] == []
    assert (await twin.request("GET", f"/_sim/speakers/{LAMP}")).status == 404
    assert (await twin.request("GET", "/_sim/speakers/nope")).status == 404
    for bad in ({"answer": "x"}, {"text": 1}, {"text": "x", "answer": 2}, ["x"]):
        reply = await twin.request("POST", f"/_sim/speakers/{SPEAKER}/say", json_body=bad)
        assert reply.status == 400, bad
    reply = await twin.request("POST", f"/_sim/speakers/{LAMP}/say", json_body={"text": "x"})
    assert reply.status == 404
