"""Xiaoai listening: poll what is said to the enabled speakers, fire events, route to Assist.

One loop per enabled speaker (a background task, stopped on unload) asks MiNA for
the speaker's latest conversation records, one request at a time. Every new query fires
`miot_connect_xiaoai_heard` and the speaker's "Xiaoai heard" event entity. When routing is on for
the speaker (and the query starts with the wake prefix, if one is set), the query goes to Assist;
if Home Assistant handled it, Xiaoai's own answer is cut short and Home Assistant's answer is
spoken by the speaker.

The loop polls every second while people talk and backs off to a few seconds when nothing is
said; errors back off further and are logged once until the speaker answers again. A refused
passToken stops every loop and files a repair issue; the entry keeps working.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import aiohttp
from homeassistant.components import conversation
from homeassistant.components.event import EventEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, Event, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, intent, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_BASE_URL,
    CONF_CA_FILE,
    CONF_REGION,
    CONF_XIAOAI,
    CONF_XIAOAI_LISTEN,
    CONF_XIAOAI_PREFIX,
    CONF_XIAOAI_ROUTE,
    DOMAIN,
    EVENT_XIAOAI_HEARD,
)
from .coordinator import MiotCoordinator
from .mina import (
    ConversationRecord,
    ConversationTracker,
    MinaAuth,
    MinaAuthError,
    MinaClient,
    MinaCredential,
    MinaEndpoints,
    MinaError,
    MinaSpeaker,
)
from .voice.assist import was_not_understood

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

_LOGGER = logging.getLogger(__name__)

MINA_SESSION: HassKey[aiohttp.ClientSession] = HassKey(f"{DOMAIN}_mina_session")
ISSUE_AUTH = "xiaoai_auth_failed"
ISSUE_AVAILABLE = "xiaoai_available"
EVENT_TYPE_HEARD = "heard"
_PREFIX_SPLIT = re.compile(r"[,，|;；\n]")
_PREFIX_TRIM = " \t,，.。:：!！?？、"


def mina_session(hass: HomeAssistant) -> aiohttp.ClientSession:
    """One session for every MiNA call; its cookie jar keeps nothing (the library sends cookies)."""
    if (session := hass.data.get(MINA_SESSION)) is None:
        session = async_create_clientsession(hass, cookie_jar=aiohttp.DummyCookieJar())
        hass.data[MINA_SESSION] = session
    return session


def mina_endpoints(data: Any) -> MinaEndpoints:
    """The entry's region and its endpoint overrides (the simulator serves MiNA at its base URL)."""
    return MinaEndpoints.for_region(
        data[CONF_REGION], base_url=data.get(CONF_BASE_URL), ca_file=data.get(CONF_CA_FILE)
    )


def parse_prefixes(text: str | None) -> tuple[str, ...]:
    """Wake prefixes from the option: separated by commas, semicolons, bars or new lines."""
    return tuple(part.strip() for part in _PREFIX_SPLIT.split(text or "") if part.strip())


def strip_prefix(query: str, prefixes: tuple[str, ...]) -> str | None:
    """The query without its wake prefix; None when it has none (every query without prefixes)."""
    text = query.strip()
    if not prefixes:
        return text or None
    folded = text.casefold()
    for prefix in prefixes:
        if folded.startswith(prefix.casefold()):
            rest = text[len(prefix) :].strip(_PREFIX_TRIM)
            return rest or None
    return None


@dataclass(slots=True, frozen=True)
class XiaoaiHeard:
    """A query a speaker heard, as the event entity and automations see it."""

    did: str
    text: str
    answer: str | None
    time: datetime
    routed: bool

    def as_event_data(self, device_id: str | None) -> dict[str, Any]:
        """Data of the `miot_connect_xiaoai_heard` bus event."""
        return {
            "device_id": device_id,
            "did": self.did,
            "text": self.text,
            "answer": self.answer,
            "time": self.time.isoformat(),
            "routed": self.routed,
        }


@dataclass(slots=True)
class PollerStats:
    """What one speaker's loop did (diagnostics and the bench)."""

    requests: int = 0
    heard: int = 0
    routed: int = 0
    handled: int = 0
    errors: int = 0
    interval: float = 0.0
    last_error: str | None = None


@dataclass(slots=True)
class _Poller:
    did: str
    route: bool
    tracker: ConversationTracker
    stats: PollerStats = field(default_factory=PollerStats)
    interval: float = 1.0
    last_heard: float = 0.0
    failures: int = 0
    mina: MinaSpeaker | None = None


class XiaoaiListener:
    """The Xiaoai side of one entry: MiNA client, one poll loop per enabled speaker, routing."""

    # Seconds. Class attributes so that tests (and the bench) can make them shorter.
    active_interval = 1.0
    idle_interval = 2.0
    active_window = 30.0
    backoff_factor = 1.25
    error_interval = 2.0
    error_max_interval = 60.0
    speaker_retry = 300.0
    history_limit = 2
    stop_timeout = 5.0

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: MiotCoordinator,
        credential: MinaCredential,
    ) -> None:
        """Nothing is fetched or started here."""
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.auth = MinaAuth(
            mina_session(hass),
            mina_endpoints(entry.data),
            credential,
            on_credential_update=self._save_credential,
        )
        self.client = MinaClient(self.auth)
        options = entry.options
        route = set(options.get(CONF_XIAOAI_ROUTE, []))
        # A speaker that routes to Assist is listened to as well.
        chosen = dict.fromkeys([*options.get(CONF_XIAOAI_LISTEN, []), *route])
        listen = [did for did in chosen if did in coordinator.devices]
        self.prefixes = parse_prefixes(options.get(CONF_XIAOAI_PREFIX))
        self.pollers = {did: _Poller(did, did in route, ConversationTracker()) for did in listen}
        self.auth_failed = False
        self._speakers: dict[str, MinaSpeaker] | None = None
        self._speakers_at = 0.0
        self._speakers_lock = asyncio.Lock()
        self._listeners: dict[str, list[Callable[[XiaoaiHeard], None]]] = defaultdict(list)
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle
    @callback
    def async_start(self) -> None:
        """Start one loop per enabled speaker."""
        ir.async_delete_issue(self.hass, DOMAIN, f"{ISSUE_AUTH}_{self.entry.entry_id}")
        self._stop.clear()
        for poller in self.pollers.values():
            poller.tracker = ConversationTracker()
            self._tasks.append(
                self.hass.async_create_background_task(
                    self._async_run(poller), f"miot_connect xiaoai {poller.did}"
                )
            )

    async def async_stop(self) -> None:
        """Stop the loops: a request in flight may finish (so no connection is cut mid-way),
        then whatever is left is cancelled."""
        self._stop.set()
        tasks = [task for task in self._tasks if not task.done()]
        self._tasks.clear()
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=self.stop_timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    @callback
    def _save_credential(self, credential: MinaCredential) -> None:
        """A renewed service token: keep it in the entry's data (no reload: options unchanged)."""
        self.hass.config_entries.async_update_entry(
            self.entry, data={**self.entry.data, CONF_XIAOAI: credential.to_dict()}
        )

    @callback
    def async_add_heard_listener(
        self, did: str, listener: Callable[[XiaoaiHeard], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` for every query the speaker hears."""
        self._listeners[did].append(listener)

        def remove() -> None:
            self._listeners[did].remove(listener)

        return remove

    # ------------------------------------------------------------------ polling
    async def _async_run(self, poller: _Poller) -> None:
        while not self.auth_failed and not self._stop.is_set():
            delay = await self._async_poll(poller)
            if delay is None:
                return
            poller.stats.interval = delay
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._stop.wait()

    async def _async_speaker(self, did: str) -> MinaSpeaker | None:
        """The MiNA speaker of a MIoT device (the device list is read once, again when needed)."""
        async with self._speakers_lock:
            stale = time.monotonic() - self._speakers_at > self.speaker_retry
            if self._speakers is None or (did not in self._speakers and stale):
                speakers = await self.client.device_list()
                self._speakers = {s.miot_did: s for s in speakers if s.miot_did}
                self._speakers_at = time.monotonic()
            return self._speakers.get(did)

    async def _async_poll(self, poller: _Poller) -> float | None:
        """One poll; the delay before the next one (None: stop)."""
        try:
            if poller.mina is None:
                poller.mina = await self._async_speaker(poller.did)
                if poller.mina is None:
                    if poller.failures == 0:
                        _LOGGER.warning(
                            "Xiaoai: %s is not among the account's MiNA speakers",
                            self._name(poller.did),
                        )
                    poller.failures += 1
                    return self.speaker_retry
            poller.stats.requests += 1
            records = await self.client.get_conversations(
                poller.mina.device_id, poller.mina.hardware, limit=self.history_limit
            )
        except MinaAuthError:
            self._async_auth_failed()
            return None
        except MinaError as err:
            poller.failures += 1
            poller.stats.errors += 1
            poller.stats.last_error = str(err)
            if poller.failures == 1:
                _LOGGER.warning("Xiaoai: cannot read %s: %s", self._name(poller.did), err)
            else:
                _LOGGER.debug("Xiaoai: %s still failing: %s", self._name(poller.did), err)
            backoff: float = self.error_interval * 2.0 ** (poller.failures - 1)
            return min(self.error_max_interval, backoff)
        if poller.failures:
            _LOGGER.info("Xiaoai: %s answers again", self._name(poller.did))
            poller.failures = 0
        fresh = poller.tracker.new_records(records)
        now = time.monotonic()
        if fresh:
            poller.last_heard = now
            poller.interval = self.active_interval
        elif now - poller.last_heard > self.active_window:
            poller.interval = min(self.idle_interval, poller.interval * self.backoff_factor)
        for record in fresh:
            await self._async_heard(poller, record)
        return poller.interval

    def _name(self, did: str) -> str:
        device = self.coordinator.devices.get(did)
        return f"{device.name} ({did})" if device is not None else did

    @callback
    def _async_auth_failed(self) -> None:
        if self.auth_failed:
            return
        self.auth_failed = True
        _LOGGER.warning("Xiaoai: the account's sign-in no longer works; listening stopped")
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{ISSUE_AUTH}_{self.entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_AUTH,
            translation_placeholders={"account": self.entry.title},
        )

    # ------------------------------------------------------------------ heard and routing
    def _device_id(self, did: str) -> str | None:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, did), self.entry.entry_id
        )
        return device.id if device is not None else None

    async def _async_heard(self, poller: _Poller, record: ConversationRecord) -> None:
        routed_text = strip_prefix(record.query, self.prefixes) if poller.route else None
        heard = XiaoaiHeard(
            did=poller.did,
            text=record.query,
            answer=record.answer_text,
            time=datetime.fromtimestamp(record.time / 1000, UTC),
            routed=routed_text is not None,
        )
        poller.stats.heard += 1
        device_id = self._device_id(poller.did)
        self.hass.bus.async_fire(EVENT_XIAOAI_HEARD, heard.as_event_data(device_id))
        for listener in list(self._listeners.get(poller.did, ())):
            listener(heard)
        if routed_text is not None and poller.mina is not None:
            poller.stats.routed += 1
            if await self._async_route(poller.mina, routed_text, device_id):
                poller.stats.handled += 1

    def _assist_target(self) -> tuple[str | None, str | None]:
        """Agent and language of the preferred Assist pipeline (else the default agent)."""
        if "assist_pipeline" not in self.hass.config.components:
            return None, None
        from homeassistant.components.assist_pipeline.pipeline import async_get_pipeline

        pipeline = async_get_pipeline(self.hass)
        return pipeline.conversation_engine, pipeline.conversation_language

    async def _async_route(self, speaker: MinaSpeaker, text: str, device_id: str | None) -> bool:
        """Ask Assist; when it handled the query, answer instead of Xiaoai. Whether it did."""
        agent_id, language = self._assist_target()
        context = Context()
        try:
            result = await conversation.async_converse(
                self.hass,
                text,
                None,
                context,
                language=language,
                agent_id=agent_id,
                device_id=device_id,
            )
        except (HomeAssistantError, ValueError) as err:
            _LOGGER.warning("Xiaoai: Assist could not process a query: %s", err)
            return False
        response = result.response
        if response.response_type is intent.IntentResponseType.ERROR or was_not_understood(
            context.id
        ):
            _LOGGER.debug("Xiaoai: Assist did not handle the query (%s)", response.error_code)
            return False
        speech = str(response.speech.get("plain", {}).get("speech") or "")
        try:
            await self.client.stop_answer(speaker.device_id)
            if speech:
                await self.client.text_to_speech(speaker.device_id, speech)
        except MinaAuthError:
            self._async_auth_failed()
        except MinaError as err:
            _LOGGER.warning("Xiaoai: cannot answer on %s: %s", speaker.name, err)
        return True

    # ------------------------------------------------------------------ diagnostics
    def health(self) -> str:
        """The system health line: listening, or why not."""
        if self.auth_failed:
            return "sign-in refused"
        return "signed in"

    def diagnostics(self) -> dict[str, Any]:
        """Per speaker counters, without what was said."""
        return {
            "auth_failed": self.auth_failed,
            "prefixes": len(self.prefixes),
            "speakers": {
                did: {
                    "found": poller.mina is not None,
                    "route": poller.route,
                    "requests": poller.stats.requests,
                    "heard": poller.stats.heard,
                    "routed": poller.stats.routed,
                    "handled": poller.stats.handled,
                    "errors": poller.stats.errors,
                    "interval": poller.stats.interval,
                    "last_error": poller.stats.last_error,
                }
                for did, poller in self.pollers.items()
            },
        }


def async_build_xiaoai(
    hass: HomeAssistant, entry: ConfigEntry, coordinator: MiotCoordinator
) -> XiaoaiListener | None:
    """The entry's listener when it has a Xiaoai credential; else offer the sign-in once."""
    stored = entry.data.get(CONF_XIAOAI)
    issue_id = f"{ISSUE_AVAILABLE}_{entry.entry_id}"
    if not stored:
        if coordinator.speaker_names():
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_AVAILABLE,
                translation_placeholders={"account": entry.title},
            )
        return None
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    try:
        credential = MinaCredential.from_dict(dict(stored))
    except MinaAuthError:
        ir.async_create_issue(
            hass,
            DOMAIN,
            f"{ISSUE_AUTH}_{entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_AUTH,
            translation_placeholders={"account": entry.title},
        )
        return None
    return XiaoaiListener(hass, entry, coordinator, credential)


class XiaoaiHeardEvent(EventEntity):
    """Fires for every query the speaker hears; text, answer and routed as attributes."""

    _attr_has_entity_name = True
    _attr_translation_key = "xiaoai_heard"
    # What was said stays out of the recorder's state history (privacy).
    _unrecorded_attributes = frozenset({"text", "answer"})
    _attr_should_poll = False

    def __init__(self, listener: XiaoaiListener, did: str) -> None:
        """Attached to the speaker's device."""
        self._listener = listener
        self._did = did
        self._attr_unique_id = f"{did}_xiaoai_heard"
        self._attr_event_types = [EVENT_TYPE_HEARD]
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, did)})

    async def async_added_to_hass(self) -> None:
        """Listen to the speaker's queries."""
        self.async_on_remove(self._listener.async_add_heard_listener(self._did, self._heard))

    @callback
    def _heard(self, heard: XiaoaiHeard) -> None:
        self._trigger_event(
            EVENT_TYPE_HEARD,
            {"text": heard.text, "answer": heard.answer, "routed": heard.routed},
        )
        self.async_write_ha_state()


def async_add_xiaoai_entities(
    listener: XiaoaiListener | None, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One event entity per speaker that is listened to."""
    if listener is not None:
        async_add_entities(XiaoaiHeardEvent(listener, did) for did in listener.pollers)


# ----------------------------------------------------------------------------- device trigger
TRIGGER_HEARD = "xiaoai_heard"
TRIGGER_HEARD_SUBTYPE = "xiaoai"


def listened_speaker(hass: HomeAssistant, entry_id: str, did: str) -> bool:
    """Whether a loaded entry listens to the speaker (its device offers the heard trigger)."""
    entry = hass.config_entries.async_get_entry(entry_id)
    runtime = getattr(entry, "runtime_data", None) if entry is not None else None
    listener = getattr(runtime, "xiaoai", None)
    return isinstance(listener, XiaoaiListener) and did in listener.pollers


@callback
def async_attach_heard_trigger(
    hass: HomeAssistant,
    config: dict[str, Any],
    action: Callable[..., Any],
    trigger_data: dict[str, Any],
    did: str,
) -> CALLBACK_TYPE:
    """Run `action` for every query the speaker hears (from the bus event)."""
    job = HassJob(action, f"miot_connect xiaoai heard trigger {did}")

    @callback
    def matches(event_data: dict[str, Any]) -> bool:
        return bool(event_data.get("did") == did)

    @callback
    def handle(event: Event[dict[str, Any]]) -> None:
        hass.async_run_hass_job(
            job,
            {
                "trigger": {
                    **trigger_data,
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": config["device_id"],
                    "type": TRIGGER_HEARD,
                    "subtype": TRIGGER_HEARD_SUBTYPE,
                    "did": did,
                    "text": event.data["text"],
                    "answer": event.data["answer"],
                    "routed": event.data["routed"],
                    "description": f"Xiaoai heard: {event.data['text']}",
                }
            },
            event.context,
        )

    return hass.bus.async_listen(EVENT_XIAOAI_HEARD, handle, event_filter=matches)
