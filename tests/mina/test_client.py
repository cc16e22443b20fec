"""MiNA API calls against the MiNA twin: speakers, TTS, player, conversations, auth errors."""

from __future__ import annotations

import asyncio
import logging

from mina import (
    ConversationTracker,
    MinaAuth,
    MinaAuthError,
    MinaClient,
    MinaCloudUnavailableError,
    MinaCodeError,
    MinaRateLimitedError,
    MinaSpeaker,
    MinaTimeoutError,
    PlayerAction,
)
import pytest

from .conftest import SPEAKER, Harness


async def speaker(harness: Harness) -> MinaSpeaker:
    """The demo home's Xiaoai speaker as MiNA lists it."""
    (found,) = await harness.client.device_list()
    return found


async def test_device_list(harness: Harness) -> None:
    """The simulator's speakers with their MiNA ids."""
    found = await speaker(harness)
    assert found.miot_did == SPEAKER
    assert found.hardware == "LX06"
    assert found.name == "Xiaoai Speaker"
    assert found.device_id == harness.sim.mina.state(SPEAKER).device_id
    assert "yunduantts" in found.capabilities
    assert found.serial_number
    assert found.mac
    assert found.raw["presence"] == "online"
    assert harness.client.endpoints is harness.endpoints


async def test_text_to_speech_is_recorded(harness: Harness) -> None:
    """What the speaker said can be read back from the twin."""
    found = await speaker(harness)
    await harness.client.text_to_speech(found.device_id, "客厅灯已打开")
    detail = await harness.control("GET", f"speakers/{SPEAKER}")
    assert [(item["text"], item["via"]) for item in detail["spoken"]] == [("客厅灯已打开", "ubus")]
    status = await harness.client.player_get_play_status(found.device_id)
    assert status.playing


async def test_player(harness: Harness) -> None:
    """play/pause/stop/toggle move the status, mirrored to the MIoT playing-state."""
    found = await speaker(harness)
    device = harness.sim.cloud.device(SPEAKER)
    client = harness.client
    await client.player_play_operation(found.device_id, PlayerAction.PLAY)
    assert (await client.player_get_play_status(found.device_id)).status == 1
    assert device.values[(3, 1)] == 1  # Playing
    await client.player_play_operation(found.device_id, "pause")
    assert (await client.player_get_play_status(found.device_id)).status == 2
    assert device.values[(3, 1)] == 2  # Pause
    await client.player_play_operation(found.device_id, PlayerAction.TOGGLE)
    assert (await client.player_get_play_status(found.device_id)).status == 1
    await client.player_play_operation(found.device_id, PlayerAction.TOGGLE)
    assert (await client.player_get_play_status(found.device_id)).status == 2
    await client.player_play_operation(found.device_id, PlayerAction.STOP)
    status = await client.player_get_play_status(found.device_id)
    assert status.status == 3
    assert not status.playing
    assert device.values[(3, 1)] == 0  # Stop
    operations = harness.sim.mina.state(SPEAKER).operations
    assert [op["action"] for op in operations] == ["play", "pause", "toggle", "toggle", "stop"]
    with pytest.raises(ValueError, match="rewind"):
        await client.player_play_operation(found.device_id, "rewind")


async def test_volume(harness: Harness) -> None:
    """The volume is the speaker's MIoT volume."""
    found = await speaker(harness)
    await harness.client.player_set_volume(found.device_id, 65)
    assert harness.sim.cloud.device(SPEAKER).values[(2, 1)] == 65
    assert (await harness.client.player_get_play_status(found.device_id)).volume == 65
    for bad in (101, -1, True, 2.5):
        with pytest.raises(ValueError, match="volume"):
            await harness.client.player_set_volume(found.device_id, bad)  # type: ignore[arg-type]


async def test_conversation_after_say(harness: Harness) -> None:
    """A query said to the speaker shows up in its history with Xiaoai's answer."""
    found = await speaker(harness)
    tracker = ConversationTracker()
    assert (
        tracker.new_records(await harness.client.get_conversations(found.device_id, "LX06")) == []
    )
    said = await harness.control(
        "POST", f"speakers/{SPEAKER}/say", {"text": "今天天气怎么样", "answer": "晴，25度"}
    )
    records = await harness.client.get_conversations(found.device_id, found.hardware, limit=5)
    assert len(records) == 1
    record = records[0]
    assert record.query == "今天天气怎么样"
    assert record.answer_text == "晴，25度"
    assert record.request_id == said["requestId"]
    assert record.time == said["time"]
    assert [answer.type for answer in record.answers] == ["TTS"]
    assert tracker.new_records(records) == [record]
    assert tracker.new_records(records) == []
    # Xiaoai is now speaking its answer.
    assert (await harness.client.player_get_play_status(found.device_id)).playing


async def test_conversation_window(harness: Harness) -> None:
    """`limit` and `timestamp` select the newest records up to a time; wrong hardware: none."""
    found = await speaker(harness)
    said = [
        await harness.control("POST", f"speakers/{SPEAKER}/say", {"text": f"q{n}", "answer": None})
        for n in range(3)
    ]
    records = await harness.client.get_conversations(found.device_id, "LX06", limit=2)
    assert [record.query for record in records] == ["q2", "q1"]
    assert records[0].answers == ()
    assert records[0].answer_text is None
    earlier = await harness.client.get_conversations(
        found.device_id, "LX06", limit=5, timestamp_ms=said[1]["time"]
    )
    assert [record.query for record in earlier] == ["q1", "q0"]
    assert await harness.client.get_conversations(found.device_id, "L05B") == []
    assert await harness.client.get_conversations("unknown-device", "LX06") == []


async def test_miot_execute_text_in_history(harness: Harness) -> None:
    """The MIoT execute-text action (cloud action on the speaker) lands in the history."""
    found = await speaker(harness)
    await harness.miot_action(SPEAKER, 5, 5, ["打开客厅灯", False])
    await harness.miot_action(SPEAKER, 5, 5, ["关闭客厅灯", True])  # silent: no answer
    records = await harness.client.get_conversations(found.device_id, "LX06", limit=5)
    assert [(r.query, r.answer_text) for r in records] == [
        ("关闭客厅灯", None),
        ("打开客厅灯", "好的"),
    ]


async def test_miot_play_text_is_recorded(harness: Harness) -> None:
    """The MIoT play-text action is recorded as spoken."""
    await harness.miot_action(SPEAKER, 5, 1, ["你好"])
    detail = await harness.control("GET", f"speakers/{SPEAKER}")
    assert detail["spoken"][-1]["text"] == "你好"
    assert detail["spoken"][-1]["via"] == "miot"


async def test_stop_answer(harness: Harness) -> None:
    """Xiaoai's own answer is paused while it plays (xiaogpt's mute); not touched when idle."""
    found = await speaker(harness)
    assert await harness.client.stop_answer(found.device_id) is False
    await harness.control("POST", f"speakers/{SPEAKER}/say", {"text": "讲个笑话", "answer": "好"})
    assert await harness.client.stop_answer(found.device_id) is True
    detail = await harness.control("GET", f"speakers/{SPEAKER}")
    assert detail["operations"][-1]["action"] == "pause"
    assert detail["status"] == 2
    assert await harness.client.stop_answer(found.device_id) is False
    await harness.control("POST", f"speakers/{SPEAKER}/say", {"text": "再讲一个", "answer": "好"})
    assert await harness.client.stop_answer(found.device_id, PlayerAction.STOP) is True
    assert harness.sim.mina.state(SPEAKER).operations[-1]["action"] == "stop"


async def test_expired_service_token_is_renewed_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """401: one renewal from the passToken, the call is retried; secrets stay out of logs."""
    caplog.set_level(logging.DEBUG)
    old = harness.auth.credential
    await harness.control("POST", "passport/expire")
    await harness.control("DELETE", "counters")
    speakers = await harness.client.device_list()
    assert len(speakers) == 1
    new = harness.auth.credential
    assert new.service_token != old.service_token
    assert new.pass_token == old.pass_token
    assert new.device_id == old.device_id
    assert harness.saved == [new]
    assert await harness.http_count("/pass/serviceLogin") == 1
    assert await harness.http_count("/admin/v2/device_list") == 2
    for secret in (old.service_token, new.service_token, new.pass_token, new.ssecurity):
        assert secret not in caplog.text


async def test_concurrent_calls_share_one_renewal(harness: Harness) -> None:
    """Callers refused at the same time renew once."""
    found = await speaker(harness)
    await harness.control("POST", "passport/expire")
    await harness.control("DELETE", "counters")
    await asyncio.gather(
        harness.client.device_list(),
        harness.client.player_get_play_status(found.device_id),
        harness.client.get_conversations(found.device_id, "LX06"),
    )
    assert await harness.http_count("/pass/serviceLogin") == 1


async def test_async_credential_callback(harness: Harness) -> None:
    """An async `on_credential_update` is awaited; `renew()` renews at once."""
    saved = []

    async def store(credential: object) -> None:
        saved.append(credential)

    auth = MinaAuth(
        harness.session, harness.endpoints, harness.auth.credential, on_credential_update=store
    )
    assert "***" in repr(auth)
    renewed = await auth.renew()
    assert saved == [renewed]
    assert renewed.service_token != harness.auth.credential.service_token


async def test_renew_is_shared(harness: Harness) -> None:
    """Concurrent renewals run once; no callback is fine."""
    auth = MinaAuth(harness.session, harness.endpoints, harness.auth.credential)
    await harness.control("DELETE", "counters")
    first, second = await asyncio.gather(auth.renew(), auth.renew())
    assert first is second is auth.credential
    assert await harness.http_count("/pass/serviceLogin") == 1


async def test_revoked_pass_token_is_an_auth_error(harness: Harness) -> None:
    """The passToken no longer works: a typed auth error (sign in again)."""
    await harness.control("POST", "passport/revoke")
    with pytest.raises(MinaAuthError) as err:
        await harness.client.device_list()
    assert harness.auth.credential.pass_token not in str(err.value)


async def test_refused_after_renewal(harness: Harness) -> None:
    """Still refused after the renewal: MinaAuthError."""
    await harness.fault(path="/admin/v2/device_list", status=401, count=2)
    with pytest.raises(MinaAuthError, match="after renewing"):
        await harness.client.device_list()
    assert len(harness.saved) == 1


async def test_transport_errors(harness: Harness) -> None:
    """Server errors, rate limits, garbage and timeouts map to typed errors."""
    found = await speaker(harness)
    await harness.fault(path="/remote/ubus", status=500, count=1)
    with pytest.raises(MinaCloudUnavailableError, match="HTTP 500"):
        await harness.client.text_to_speech(found.device_id, "x")
    await harness.fault(path="/remote/ubus", rate_limit=True, count=1)
    with pytest.raises(MinaRateLimitedError):
        await harness.client.text_to_speech(found.device_id, "x")
    await harness.fault(path="/admin/v2/device_list", malformed=True, count=1)
    with pytest.raises(MinaCloudUnavailableError, match="malformed"):
        await harness.client.device_list()
    await harness.fault(path="/admin/v2/device_list", status=404, count=1)
    with pytest.raises(MinaCloudUnavailableError, match="HTTP 404"):
        await harness.client.device_list()
    await harness.fault(path="/admin/v2/device_list", latency=1.0, count=1)
    quick = MinaClient(harness.auth, timeout=0.2)
    with pytest.raises(MinaTimeoutError):
        await quick.device_list()


async def test_connection_refused(harness: Harness) -> None:
    """Nobody listening: MinaCloudUnavailableError."""
    await harness.sim.stop()
    with pytest.raises(MinaCloudUnavailableError):
        await harness.client.device_list()


async def test_speaker_errors(harness: Harness) -> None:
    """An offline or unknown speaker: MinaCodeError with the code."""
    found = await speaker(harness)
    harness.sim.cloud.device(SPEAKER).online = False
    with pytest.raises(MinaCodeError) as err:
        await harness.client.text_to_speech(found.device_id, "x")
    assert err.value.code == 1
    with pytest.raises(MinaCodeError) as err:
        await harness.client.text_to_speech("no-such-device", "x")
    assert err.value.code == 101


async def test_clean_shutdown(harness: Harness) -> None:
    """The library starts no task or timer: closing the session and the server leaves none."""
    found = await speaker(harness)
    await harness.control("POST", "passport/expire")
    await harness.client.text_to_speech(found.device_id, "done")
    await harness.client.get_conversations(found.device_id, "LX06")
    await harness.session.close()
    await harness.sim.stop()
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == {asyncio.current_task()}
    loop = asyncio.get_running_loop()
    assert not [h for h in getattr(loop, "_scheduled", []) if not h.cancelled()]
