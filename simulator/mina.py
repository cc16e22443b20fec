"""Twin of the MiNA (Xiaoai) cloud API, tied to the simulator's speakers.

A speaker is any simulated device whose spec has an `intelligent-speaker` service. The twin keeps,
per speaker, the conversation history (what was "said" to it and Xiaoai's answers), what it spoke
(ubus `text_to_speech` and the MIoT `play-text` action) and the player operations it received.
The MIoT `execute-text-directive` action also lands in the history. Requests need the `userId` and
`serviceToken` cookies issued by the passport twin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import json
import time
from typing import Any, Final
import uuid

from aiohttp import web

from .cloud import Cloud, Device, NotFoundError
from .passport import Passport
from .spec import JsonDict, SpecError, urn_name

DEFAULT_ANSWER: Final = "好的"
"""What the twin's Xiaoai answers to an executed text command."""

STATUS_IDLE, STATUS_PLAYING, STATUS_PAUSED, STATUS_STOPPED = 0, 1, 2, 3
_OPERATION_STATUS: Final = {"play": STATUS_PLAYING, "pause": STATUS_PAUSED, "stop": STATUS_STOPPED}
_PLAYING_WORDS: Final = {
    STATUS_PLAYING: ("playing", "play"),
    STATUS_PAUSED: ("pause",),
    STATUS_STOPPED: ("stop", "idle"),
    STATUS_IDLE: ("stop", "idle"),
}
# Twin-only codes (the real ones were not seen in public sources).
CODE_UNKNOWN_DEVICE: Final = 101
CODE_BAD_REQUEST: Final = 400
CODE_SPEAKER_ERROR: Final = 1


def is_speaker(device: Device) -> bool:
    """Whether the device's spec has an `intelligent-speaker` service."""
    return any(
        urn_name(str(service.get("type", ""))) == "intelligent-speaker"
        for service in device.spec.services.values()
    )


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(slots=True)
class SpeakerState:
    """What the twin remembers of one speaker."""

    did: str
    history: list[JsonDict] = field(default_factory=list)
    spoken: list[JsonDict] = field(default_factory=list)
    operations: list[JsonDict] = field(default_factory=list)
    status: int = STATUS_IDLE
    volume: int = 40

    @property
    def device_id(self) -> str:
        """The MiNA `deviceID` (a uuid derived from the did)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mina:{self.did}"))


class Mina:
    """State of the MiNA twin."""

    def __init__(self, cloud: Cloud, passport: Passport) -> None:
        self.cloud = cloud
        self.passport = passport
        self.default_answer = DEFAULT_ANSWER
        self._states: dict[str, SpeakerState] = {}

    # ------------------------------------------------------------------ speakers
    def speakers(self) -> list[Device]:
        """The simulated devices that are Xiaoai speakers."""
        return [device for device in self.cloud.iter_devices() if is_speaker(device)]

    def state(self, did: str) -> SpeakerState:
        """A speaker's twin state (NotFoundError: not a speaker)."""
        device = self.cloud.device(did)
        if not is_speaker(device):
            raise NotFoundError(f"{did} is not a speaker")
        if did not in self._states:
            self._states[did] = SpeakerState(did)
        return self._states[did]

    def by_device_id(self, device_id: str) -> Device | None:
        """The speaker with this MiNA deviceID."""
        return next((d for d in self.speakers() if self.state(d.did).device_id == device_id), None)

    @staticmethod
    def hardware(device: Device) -> str:
        """`xiaomi.wifispeaker.lx06` -> `LX06`."""
        return device.model.rsplit(".", 1)[-1].upper()

    def device_json(self, device: Device) -> JsonDict:
        """A `device_list` entry."""
        digest = hashlib.sha256(device.did.encode()).hexdigest()
        mac = ":".join(digest[i : i + 2] for i in range(0, 12, 2)).upper()
        return {
            "deviceID": self.state(device.did).device_id,
            "serialNumber": f"{digest[:5]}/{int(digest[5:13], 16) % 10**8:08d}",
            "name": device.name,
            "alias": device.name,
            "presence": "online" if device.online else "offline",
            "miotDID": device.did,
            "hardware": self.hardware(device),
            "romVersion": device.fw_version,
            "capabilities": {"yunduantts": 1, "mesh": 1},
            "mac": mac,
        }

    # ------------------------------------------------------------------ MIoT mirror
    def _find(self, device: Device, name: str) -> tuple[int, int] | None:
        for key, prop in device.spec.properties.items():
            if urn_name(str(prop.get("type", ""))) == name:
                return key
        return None

    def _set_status(self, device: Device, status: int) -> None:
        self.state(device.did).status = status
        key = self._find(device, "playing-state")
        if key is None:
            return
        for item in device.spec.properties[key].get("value-list") or []:
            description = str(item.get("description", "")).lower()
            if any(word in description for word in _PLAYING_WORDS[status]):
                self.cloud.set_property(device.did, *key, item.get("value"))
                return

    def volume(self, device: Device) -> int:
        """The MIoT speaker volume when the spec has one, else the twin's own."""
        key = self._find(device, "volume")
        if key is not None:
            return int(device.values[key])
        return self.state(device.did).volume

    def _set_volume(self, device: Device, volume: int) -> None:
        self.state(device.did).volume = volume
        key = self._find(device, "volume")
        if key is not None:
            self.cloud.set_property(device.did, *key, volume)

    # ------------------------------------------------------------------ behaviour
    def say(self, did: str, text: str, answer: str | None, answer_type: str = "TTS") -> JsonDict:
        """The user says `text` to the speaker; Xiaoai answers `answer` (None: no answer)."""
        device = self.cloud.device(did)
        state = self.state(did)
        now = _now_ms()
        if state.history:
            now = max(now, int(state.history[0]["time"]) + 1)
        answers: list[JsonDict] = []
        if answer is not None:
            kind = answer_type.upper()
            answers.append(
                {
                    "bitSet": [0, 1, 1, 1],
                    "type": kind,
                    kind.lower(): {"bitSet": [0, 1], "text": answer},
                }
            )
        record = {
            "bitSet": [0, 1, 1, 1, 1],
            "answers": answers,
            "time": now,
            "query": text,
            "requestId": uuid.uuid4().hex,
        }
        state.history.insert(0, record)
        if answers:
            self._set_status(device, STATUS_PLAYING)  # Xiaoai speaks its answer
        return record

    def speak(self, device: Device, text: str, via: str) -> None:
        """The speaker speaks `text` (ubus TTS or the MIoT play-text action)."""
        self.state(device.did).spoken.append({"text": text, "via": via, "ts": time.time()})
        self._set_status(device, STATUS_PLAYING)

    def on_action(self, device: Device, siid: int, action: JsonDict, ins: list[Any]) -> None:
        """Hook of `Cloud.do_action`: MIoT actions on a speaker."""
        if not is_speaker(device):
            return
        name = urn_name(str(action.get("type", "")))
        if name == "execute-text-directive" and ins:
            silent = len(ins) > 1 and bool(ins[1])
            self.say(device.did, str(ins[0]), None if silent else self.default_answer)
        elif name == "play-text" and ins:
            self.speak(device, str(ins[0]), "miot")
        elif name in _OPERATION_STATUS:
            operation = {"action": name, "via": "miot", "ts": time.time()}
            self.state(device.did).operations.append(operation)
            self.state(device.did).status = _OPERATION_STATUS[name]

    def ubus(self, device: Device, path: str, method: str, message: JsonDict) -> JsonDict:
        """Run a ubus call; returns the answer's `data` (`code` 0 on success)."""
        state = self.state(device.did)
        if not device.online:
            return {"code": CODE_SPEAKER_ERROR, "info": "device offline"}
        if (path, method) == ("mibrain", "text_to_speech"):
            self.speak(device, str(message.get("text", "")), "ubus")
            return {"code": 0, "info": ""}
        if (path, method) == ("mediaplayer", "player_play_operation"):
            action = str(message.get("action", ""))
            if action == "toggle":
                status = STATUS_PAUSED if state.status == STATUS_PLAYING else STATUS_PLAYING
            elif action in _OPERATION_STATUS:
                status = _OPERATION_STATUS[action]
            else:
                return {"code": CODE_SPEAKER_ERROR, "info": f"unknown action {action}"}
            state.operations.append({"action": action, "via": "ubus", "ts": time.time()})
            self._set_status(device, status)
            return {"code": 0, "info": ""}
        if (path, method) == ("mediaplayer", "player_get_play_status"):
            info = {"status": state.status, "volume": self.volume(device), "loop_type": 1}
            return {"code": 0, "info": json.dumps(info)}
        if (path, method) == ("mediaplayer", "player_set_volume"):
            volume = message.get("volume")
            try:
                if (
                    not isinstance(volume, int)
                    or isinstance(volume, bool)
                    or not 0 <= volume <= 100
                ):
                    raise SpecError(f"bad volume {volume!r}")
                self._set_volume(device, volume)
            except SpecError as err:
                return {"code": CODE_SPEAKER_ERROR, "info": str(err)}
            return {"code": 0, "info": ""}
        return {"code": CODE_SPEAKER_ERROR, "info": f"unknown method {path}/{method}"}

    def conversation(self, device: Device, hardware: str, timestamp: int, limit: int) -> JsonDict:
        """The decoded `data` of the conversation answer."""
        records = [
            record
            for record in self.state(device.did).history
            if hardware == self.hardware(device) and int(record["time"]) <= timestamp
        ][:limit]
        next_end = int(records[-1]["time"]) - 1 if records else timestamp
        return {"bitSet": [0, 1, 1], "records": records, "nextEndTime": next_end}

    def speaker_json(self, device: Device, *, full: bool = False) -> JsonDict:
        """What `/_sim/speakers` shows."""
        state = self.state(device.did)
        item: JsonDict = {
            "did": device.did,
            "device_id": state.device_id,
            "hardware": self.hardware(device),
            "name": device.name,
            "online": device.online,
            "status": state.status,
            "volume": self.volume(device),
        }
        if full:
            item.update(history=state.history, spoken=state.spoken, operations=state.operations)
        return item


# --------------------------------------------------------------------------- handlers
MINA_KEY: Final = web.AppKey("mina", Mina)


def _mina(request: web.Request) -> Mina:
    return request.app[MINA_KEY]


def _ok(data: Any) -> web.Response:
    return web.json_response({"code": 0, "message": "Success", "data": data})


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message})


def _authorized(request: web.Request) -> bool:
    cookies = request.cookies
    return _mina(request).passport.service_token_ok(
        cookies.get("userId"), cookies.get("serviceToken")
    )


def _unauthorized() -> web.Response:
    return web.json_response({"code": 401, "message": "auth fail"}, status=401)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except TypeError, ValueError:
        return default


async def device_list(request: web.Request) -> web.Response:
    """`GET /admin/v2/device_list`."""
    if not _authorized(request):
        return _unauthorized()
    mina = _mina(request)
    return _ok([mina.device_json(device) for device in mina.speakers()])


async def ubus(request: web.Request) -> web.Response:
    """`POST /remote/ubus` (form: deviceId, path, method, message as a JSON string)."""
    if not _authorized(request):
        return _unauthorized()
    mina = _mina(request)
    form = await request.post()
    device = mina.by_device_id(str(form.get("deviceId", "")))
    if device is None:
        return _error(CODE_UNKNOWN_DEVICE, "device not found")
    try:
        message = json.loads(str(form.get("message") or "{}"))
    except ValueError:
        message = None
    if not isinstance(message, dict):
        return _error(CODE_BAD_REQUEST, "message must be a JSON object string")
    data = mina.ubus(device, str(form.get("path", "")), str(form.get("method", "")), message)
    return _ok(data)


async def conversation(request: web.Request) -> web.Response:
    """`GET /device_profile/v2/conversation` (cookie deviceId); `data` is a JSON string."""
    if not _authorized(request):
        return _unauthorized()
    mina = _mina(request)
    device = mina.by_device_id(request.cookies.get("deviceId", ""))
    query = request.query
    timestamp = _int(query.get("timestamp"), _now_ms())
    limit = min(max(_int(query.get("limit"), 2), 1), 50)
    if device is None:
        data: JsonDict = {"bitSet": [0, 1, 1], "records": [], "nextEndTime": timestamp}
    else:
        data = mina.conversation(device, query.get("hardware", ""), timestamp, limit)
    return _ok(json.dumps(data, ensure_ascii=False))


# --------------------------------------------------------------------------- control API
def _speaker_or_404(mina: Mina, did: str) -> Device:
    try:
        mina.state(did)
    except NotFoundError:
        raise web.HTTPNotFound(text=f"no speaker {did}") from None
    return mina.cloud.device(did)


async def sim_speakers(request: web.Request) -> web.Response:
    """The speakers with their MiNA ids and player state."""
    mina = _mina(request)
    return web.json_response([mina.speaker_json(device) for device in mina.speakers()])


async def sim_speaker(request: web.Request) -> web.Response:
    """One speaker with its history, what it spoke and the player operations."""
    mina = _mina(request)
    device = _speaker_or_404(mina, request.match_info["did"])
    return web.json_response(mina.speaker_json(device, full=True))


async def sim_say(request: web.Request) -> web.Response:
    """Say something to a speaker: {"text", "answer"?, "answer_type"?}."""
    mina = _mina(request)
    device = _speaker_or_404(mina, request.match_info["did"])
    try:
        body = await request.json()
        text = body["text"]
        answer = body.get("answer")
        answer_type = str(body.get("answer_type") or "TTS")
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        return web.json_response({"ok": False, "error": f"invalid body: {err}"}, status=400)
    if not isinstance(text, str) or not (answer is None or isinstance(answer, str)):
        return web.json_response({"ok": False, "error": "text and answer are strings"}, status=400)
    return web.json_response(mina.say(device.did, text, answer, answer_type), status=201)


def add_routes(app: web.Application, mina: Mina) -> None:
    """Serve the MiNA twin from `app`."""
    app[MINA_KEY] = mina
    app.add_routes(
        [
            web.get("/admin/v2/device_list", device_list),
            web.post("/remote/ubus", ubus),
            web.get("/device_profile/v2/conversation", conversation),
            web.get("/_sim/speakers", sim_speakers),
            web.get("/_sim/speakers/{did}", sim_speaker),
            web.post("/_sim/speakers/{did}/say", sim_say),
        ]
    )
