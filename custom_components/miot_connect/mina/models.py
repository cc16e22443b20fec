"""Typed records of the MiNA connector: the credential, speakers, play status, conversations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
import json
import time
from typing import Any

from .errors import MinaAuthError, MinaCloudUnavailableError


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except TypeError, ValueError:
        return None


@dataclass(slots=True, frozen=True)
class MinaCredential:
    """What a sign-in yields (never the password). Store it; its `repr` hides the secrets.

    `pass_token` renews `service_token` (sid `micoapi`); `device_id` is this installation's
    16-character id, kept across renewals.
    """

    user_id: str
    pass_token: str = field(repr=False)
    service_token: str = field(repr=False)
    ssecurity: str = field(repr=False)
    device_id: str
    obtained_at: float = field(default_factory=time.time)

    def __repr__(self) -> str:
        """Never show the secrets."""
        return (
            f"MinaCredential(user_id={self.user_id!r}, pass_token='***', service_token='***', "
            f"ssecurity='***', device_id={self.device_id!r}, obtained_at={self.obtained_at})"
        )

    __str__ = __repr__

    def renewed(
        self, service_token: str, ssecurity: str, pass_token: str | None = None
    ) -> MinaCredential:
        """A copy with a new service token (and a rotated passToken, when the service sent one)."""
        return replace(
            self,
            service_token=service_token,
            ssecurity=ssecurity,
            pass_token=pass_token or self.pass_token,
            obtained_at=time.time(),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for storage)."""
        return {
            "user_id": self.user_id,
            "pass_token": self.pass_token,
            "service_token": self.service_token,
            "ssecurity": self.ssecurity,
            "device_id": self.device_id,
            "obtained_at": self.obtained_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MinaCredential:
        """Inverse of `to_dict`."""
        try:
            values = {
                name: str(data[name])
                for name in ("user_id", "pass_token", "service_token", "ssecurity", "device_id")
            }
            return cls(**values, obtained_at=float(data.get("obtained_at") or time.time()))
        except (KeyError, TypeError, ValueError) as err:
            raise MinaAuthError(f"invalid credential data (missing or bad {err})") from None


@dataclass(slots=True, frozen=True)
class MinaSpeaker:
    """A speaker as the MiNA device list shows it; `device_id` addresses ubus and conversations."""

    device_id: str
    miot_did: str | None
    hardware: str
    name: str
    alias: str = ""
    serial_number: str | None = None
    mac: str | None = None
    capabilities: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_cloud(cls, data: dict[str, Any]) -> MinaSpeaker:
        """Build from a `device_list` entry."""
        caps = data.get("capabilities")
        if isinstance(caps, dict):
            names = tuple(sorted(str(key) for key, value in caps.items() if value))
        elif isinstance(caps, list):
            names = tuple(str(item) for item in caps)
        else:
            names = ()
        return cls(
            device_id=_str(data.get("deviceID")),
            miot_did=_opt_str(data.get("miotDID")),
            hardware=_str(data.get("hardware")),
            name=_str(data.get("name")),
            alias=_str(data.get("alias")),
            serial_number=_opt_str(data.get("serialNumber")),
            mac=_opt_str(data.get("mac")),
            capabilities=names,
            raw=data,
        )


class PlayerAction(StrEnum):
    """Actions of `mediaplayer/player_play_operation`."""

    PLAY = "play"
    PAUSE = "pause"
    STOP = "stop"
    TOGGLE = "toggle"


STATUS_IDLE = 0
STATUS_PLAYING = 1
STATUS_PAUSED = 2
STATUS_STOPPED = 3


@dataclass(slots=True, frozen=True)
class PlayStatus:
    """`player_get_play_status`: status 0 idle, 1 playing, 2 paused, 3 stopped."""

    status: int
    volume: int | None = None
    media_type: int | None = None
    loop_type: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def playing(self) -> bool:
        """Whether the speaker is playing (speaking included)."""
        return self.status == STATUS_PLAYING

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> PlayStatus:
        """Build from the decoded `info`."""
        status = _opt_int(info.get("status"))
        return cls(
            status=-1 if status is None else status,
            volume=_opt_int(info.get("volume")),
            media_type=_opt_int(info.get("media_type")),
            loop_type=_opt_int(info.get("loop_type")),
            raw=info,
        )


@dataclass(slots=True, frozen=True)
class ConversationAnswer:
    """One answer of Xiaoai: `type` TTS, LLM, AUDIO, ...; `text` for the spoken kinds."""

    type: str
    text: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_cloud(cls, data: dict[str, Any]) -> ConversationAnswer:
        """Build from an `answers[]` entry (the text sits under the lower-case type)."""
        kind = _str(data.get("type")).upper()
        body = data.get(kind.lower())
        text = body.get("text") if isinstance(body, dict) else None
        return cls(type=kind, text=_opt_str(text), raw=data)


@dataclass(slots=True, frozen=True)
class ConversationRecord:
    """One query said to a speaker and Xiaoai's answers; `time` is in epoch milliseconds."""

    query: str
    time: int
    request_id: str
    answers: tuple[ConversationAnswer, ...] = ()

    @property
    def answer_text(self) -> str | None:
        """The first spoken answer (TTS or LLM), if any."""
        return next((a.text for a in self.answers if a.text is not None), None)

    @classmethod
    def from_cloud(cls, data: dict[str, Any]) -> ConversationRecord:
        """Build from a `records[]` entry."""
        answers = data.get("answers")
        return cls(
            query=_str(data.get("query")),
            time=_opt_int(data.get("time")) or 0,
            request_id=_str(data.get("requestId")),
            answers=tuple(
                ConversationAnswer.from_cloud(item)
                for item in (answers if isinstance(answers, list) else [])
                if isinstance(item, dict)
            ),
        )


def parse_conversation(data: Any) -> list[ConversationRecord]:
    """Records (newest first) from the conversation answer's `data`: a JSON string or a dict."""
    if isinstance(data, str):
        try:
            data = json.loads(data) if data else {}
        except ValueError:
            raise MinaCloudUnavailableError("conversation: malformed data string") from None
    if not isinstance(data, dict):
        raise MinaCloudUnavailableError("conversation: malformed data")
    records = data.get("records")
    return [
        ConversationRecord.from_cloud(item)
        for item in (records if isinstance(records, list) else [])
        if isinstance(item, dict)
    ]


class ConversationTracker:
    """Picks the records a poller has not seen yet (no I/O, no tasks).

    Start it at the time polling begins (`since_ms`, default now) so history from before is
    ignored; `new_records()` returns unseen records oldest first.
    """

    def __init__(self, since_ms: int | None = None) -> None:
        """Records older than `since_ms` count as seen."""
        self.last_time = int(time.time() * 1000) if since_ms is None else since_ms
        self._seen_at_last: set[str] = set()

    def new_records(self, records: list[ConversationRecord]) -> list[ConversationRecord]:
        """Unseen records, oldest first; remembers them."""
        fresh = [
            record
            for record in records
            if record.time > self.last_time
            or (record.time == self.last_time and record.request_id not in self._seen_at_last)
        ]
        fresh.sort(key=lambda record: record.time)
        for record in fresh:
            if record.time > self.last_time:
                self.last_time = record.time
                self._seen_at_last = set()
            self._seen_at_last.add(record.request_id)
        return fresh
