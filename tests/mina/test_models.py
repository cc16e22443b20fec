"""Typed records, answer parsing and the conversation tracker (no I/O)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import subprocess
import sys

from mina import (
    ConversationRecord,
    ConversationTracker,
    MinaAuthError,
    MinaAuthError as AuthError,
    MinaCloudUnavailableError,
    MinaCodeError,
    MinaCredential,
    MinaRateLimitedError,
    MinaSpeaker,
    PlayStatus,
    check_answer,
    parse_conversation,
)
import pytest

from .conftest import MINA_DIR

# xiaogpt's MI_ASK_SIMULATE_DATA shape: `data` is a JSON string.
XIAOGPT_SAMPLE = {
    "code": 0,
    "message": "Success",
    "data": json.dumps(
        {
            "bitSet": [0, 1, 1],
            "records": [
                {
                    "bitSet": [0, 1, 1, 1, 1],
                    "answers": [
                        {"bitSet": [0, 1, 1, 1], "type": "TTS", "tts": {"text": "Fake Answer"}}
                    ],
                    "time": 1677851434593,
                    "query": "Fake Question",
                    "requestId": "fada34f8fa0c3f408ee6761ec7391d85",
                }
            ],
            "nextEndTime": 1677849207387,
        }
    ),
}


def test_parse_conversation() -> None:
    """String or dict `data`; answers of every kind; garbage entries skipped."""
    (record,) = parse_conversation(check_answer(200, json.dumps(XIAOGPT_SAMPLE), "c"))
    assert record.query == "Fake Question"
    assert record.answer_text == "Fake Answer"
    assert record.time == 1677851434593
    records = parse_conversation(
        {
            "records": [
                {
                    "query": "放首歌",
                    "time": "5",
                    "answers": [
                        {"type": "AUDIO", "audio": {"audioInfoList": []}},
                        {"type": "llm", "llm": {"text": "好的"}},
                        "junk",
                    ],
                },
                {"answers": "junk"},
                "junk",
            ]
        }
    )
    assert [a.type for a in records[0].answers] == ["AUDIO", "LLM"]
    assert records[0].answers[0].text is None
    assert records[0].answer_text == "好的"
    assert records[0].time == 5
    assert records[1] == ConversationRecord(query="", time=0, request_id="", answers=())
    assert parse_conversation("") == []
    assert parse_conversation({"records": None}) == []
    with pytest.raises(MinaCloudUnavailableError, match="string"):
        parse_conversation("{oops")
    with pytest.raises(MinaCloudUnavailableError, match="malformed data"):
        parse_conversation([1])


def test_tracker() -> None:
    """Only records after the start, oldest first; same-millisecond records by request id."""

    def rec(t: int, rid: str) -> ConversationRecord:
        return ConversationRecord(query=rid, time=t, request_id=rid)

    tracker = ConversationTracker(since_ms=100)
    assert tracker.new_records([rec(90, "old")]) == []
    assert tracker.new_records([rec(120, "b"), rec(110, "a")]) == [rec(110, "a"), rec(120, "b")]
    assert tracker.last_time == 120
    assert tracker.new_records([rec(120, "c"), rec(120, "b")]) == [rec(120, "c")]
    assert tracker.new_records([rec(120, "c")]) == []
    assert ConversationTracker().last_time > 1_700_000_000_000


def test_check_answer() -> None:
    """Status codes, garbage and codes; a message about auth is an auth error."""
    assert check_answer(200, '{"code": 0, "data": [1]}', "x") == [1]
    with pytest.raises(MinaAuthError):
        check_answer(401, "", "x")
    with pytest.raises(MinaRateLimitedError):
        check_answer(429, "", "x")
    with pytest.raises(MinaCloudUnavailableError, match="server error"):
        check_answer(503, "", "x")
    with pytest.raises(MinaCloudUnavailableError, match="HTTP 403"):
        check_answer(403, "", "x")
    with pytest.raises(MinaCloudUnavailableError, match="malformed JSON"):
        check_answer(200, "<html>", "x")
    with pytest.raises(MinaCloudUnavailableError, match="malformed answer"):
        check_answer(200, '{"data": 1}', "x")
    with pytest.raises(AuthError):
        check_answer(200, '{"code": 3, "message": "Auth Failed"}', "x")
    with pytest.raises(MinaCodeError) as err:
        check_answer(200, '{"code": 500, "message": "busy"}', "x")
    assert err.value.code == 500
    with pytest.raises(MinaCodeError) as err:
        check_answer(200, '{"code": "E1"}', "x")
    assert err.value.code == -1


def test_credential() -> None:
    """Secrets hidden; storage round trip; renewal keeps the user and device."""
    credential = MinaCredential("1", "PASS", "SERVICE", "SEC", "DEV", obtained_at=1.0)
    assert "PASS" not in repr(credential)
    assert "SERVICE" not in str(credential)
    renewed = credential.renewed("NEW", "SEC2")
    assert (renewed.pass_token, renewed.service_token, renewed.ssecurity) == ("PASS", "NEW", "SEC2")
    assert renewed.obtained_at > 1.0
    assert credential.renewed("NEW", "SEC2", "PASS2").pass_token == "PASS2"
    data = credential.to_dict()
    del data["obtained_at"]
    assert MinaCredential.from_dict(data).obtained_at > 1.0
    with pytest.raises(MinaAuthError, match="pass_token"):
        MinaCredential.from_dict({"user_id": "1"})
    with pytest.raises(MinaAuthError):
        MinaCredential.from_dict({**credential.to_dict(), "obtained_at": "soon"})


def test_speaker_and_status() -> None:
    """Capabilities as a dict or a list; missing values tolerated."""
    speaker = MinaSpeaker.from_cloud(
        {"deviceID": "d", "capabilities": ["a", "b"], "miotDID": 5, "hardware": "L05B"}
    )
    assert speaker.capabilities == ("a", "b")
    assert speaker.miot_did == "5"
    assert MinaSpeaker.from_cloud({"capabilities": {"x": 0, "y": 1}}).capabilities == ("y",)
    bare = MinaSpeaker.from_cloud({})
    assert (bare.capabilities, bare.miot_did, bare.mac) == ((), None, None)
    status = PlayStatus.from_info({"status": True, "volume": "30", "media_type": 13})
    assert status.status == -1
    assert status.volume == 30
    assert status.media_type == 13
    assert not status.playing
    assert PlayStatus.from_info({"status": "x"}).status == -1


def test_no_homeassistant_imports() -> None:
    """No file of the package imports homeassistant or anything outside the package."""
    files = sorted(MINA_DIR.glob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                assert node.level <= 1, f"{path.name} imports outside the package"
            else:
                continue
            for name in names:
                assert not name.startswith(("homeassistant", "miot")), f"{path.name}: {name}"


def test_import_in_clean_interpreter(tmp_path: Path) -> None:
    """Importing the package and every module loads nothing from homeassistant."""
    code = (
        "import sys, pkgutil, importlib, importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('mina', {str(MINA_DIR / '__init__.py')!r},"
        f" submodule_search_locations=[{str(MINA_DIR)!r}])\n"
        "mina = importlib.util.module_from_spec(spec)\n"
        "sys.modules['mina'] = mina\n"
        "spec.loader.exec_module(mina)\n"
        "for mod in pkgutil.iter_modules(mina.__path__):\n"
        "    importlib.import_module('mina.' + mod.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'homeassistant')\n"
        "print(len(mina.__all__), bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")
