"""Cloud push over MQTT (paho-mqtt 2.1) driven by the asyncio loop, without a paho thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import contextlib
import json
import logging
import random
import socket
import ssl
import threading
import time
from typing import Any
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from .auth import MiotAuth, OAuthToken
from .const import OAUTH2_CLIENT_ID, CloudEndpoints, async_ssl_context
from .errors import MiotAuthError, MiotError
from .models import DeviceStateChange, EventOccurred, PropertyChange

_LOGGER = logging.getLogger(__name__)

KEEPALIVE = 60
MISC_INTERVAL = 1.0
SUBSCRIBE_BATCH = 100
TOPIC_KINDS = ("up/properties_changed", "up/event_occured", "state")

type PropertyCallback = Callable[[PropertyChange], None]
type EventCallback = Callable[[EventOccurred], None]
type StateCallback = Callable[[DeviceStateChange], None]
type ConnectionCallback = Callable[[bool], None]


def device_topics(did: str) -> list[str]:
    """The three wildcard subscriptions of a device."""
    return [f"device/{did}/{kind}/#" for kind in TOPIC_KINDS]


def _int(value: Any) -> int:
    return int(value)


def parse_message(topic: str, payload: bytes) -> PropertyChange | EventOccurred | DeviceStateChange:
    """Turn one publish into a typed message; `ValueError` when it is not one of ours."""
    parts = topic.split("/")
    if len(parts) < 3 or parts[0] != "device":
        raise ValueError(f"unexpected topic {topic}")
    topic_did = parts[1]
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("payload is not an object")
    if parts[2] == "state":
        event = data.get("event")
        if event not in ("online", "offline"):
            raise ValueError(f"unknown state event {event!r}")
        stamp = data.get("timestamp")
        return DeviceStateChange(
            did=str(data.get("device_id") or topic_did),
            online=event == "online",
            timestamp=int(stamp) if isinstance(stamp, (int, float)) else None,
        )
    params = data.get("params")
    if not isinstance(params, dict) or len(parts) < 4:
        raise ValueError("no params")
    did = str(params.get("did") or topic_did)
    try:
        if parts[3] == "properties_changed":
            return PropertyChange(
                did=did,
                siid=_int(params["siid"]),
                piid=_int(params["piid"]),
                value=params.get("value"),
            )
        if parts[3] == "event_occured":
            arguments = {
                _int(arg["piid"]): arg.get("value")
                for arg in params.get("arguments") or []
                if isinstance(arg, dict)
            }
            return EventOccurred(
                did=did, siid=_int(params["siid"]), eiid=_int(params["eiid"]), arguments=arguments
            )
    except (KeyError, TypeError) as err:
        raise ValueError(f"bad params: {err}") from None
    raise ValueError(f"unexpected topic {topic}")


class MiotPushClient:
    """MQTT v5 client of the cloud push broker.

    Sockets are watched with `loop.add_reader/add_writer`; `loop_misc` runs on a timer;
    only the blocking connect (TCP + TLS handshake) runs in the default executor.
    """

    def __init__(
        self,
        endpoints: CloudEndpoints,
        *,
        auth: MiotAuth | None = None,
        token: str | None = None,
        device_id: str | None = None,
        client_id: str = OAUTH2_CLIENT_ID,
        backoff_base: float = 1.0,
        backoff_max: float = 120.0,
        connect_timeout: float = 15.0,
        misc_interval: float = MISC_INTERVAL,
    ) -> None:
        """Either `auth` (token and device id from it) or `token` must be given."""
        if auth is None and token is None:
            raise ValueError("MiotPushClient needs auth or token")
        self.endpoints = endpoints
        self.auth = auth
        self._token = token
        device = device_id or (auth.device_id if auth else f"ha.{uuid.uuid4().hex}")
        self.mqtt_client_id = device if device.startswith("ha.") else f"ha.{device}"
        self.username = client_id
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.connect_timeout = connect_timeout
        self.misc_interval = misc_interval
        self._dids: set[str] = set()
        self._on_property: PropertyCallback | None = None
        self._on_event: EventCallback | None = None
        self._on_state: StateCallback | None = None
        self._on_connection: ConnectionCallback | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._client: mqtt.Client | None = None
        self._sock: Any = None
        self._misc: asyncio.TimerHandle | None = None
        self._runner: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._connected = False
        self._connack: asyncio.Future[ReasonCode | None] | None = None
        self._disconnected: asyncio.Event = asyncio.Event()
        self._up = asyncio.Event()
        self._pending_subs: set[int] = set()
        self._subscribed = asyncio.Event()
        self._sock_gone = asyncio.Event()
        self._running = False
        # SUBSCRIBE packets sent (one per `subscribe` call), for the benchmark.
        self.subscribe_packets = 0
        self._remove_listener: Callable[[], None] | None = None
        self.connect_count = 0
        # time.monotonic() of the last message received (any device, any kind), None before.
        self.last_message_at: float | None = None

    # ------------------------------------------------------------------ public API
    def set_callbacks(
        self,
        *,
        on_property: PropertyCallback | None = None,
        on_event: EventCallback | None = None,
        on_state: StateCallback | None = None,
        on_connection: ConnectionCallback | None = None,
    ) -> None:
        """Handlers run in the event loop."""
        self._on_property = on_property
        self._on_event = on_event
        self._on_state = on_state
        self._on_connection = on_connection

    @property
    def connected(self) -> bool:
        """Whether the broker session is up."""
        return self._connected

    @property
    def subscribed_dids(self) -> frozenset[str]:
        """Devices whose topics are (re)subscribed on every connection."""
        return frozenset(self._dids)

    async def start(self) -> None:
        """Start connecting in the background (reconnects until `stop()`)."""
        if self._running:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._running = True
        self._wake = asyncio.Event()
        self._disconnected = asyncio.Event()
        if self.auth is not None:
            self._remove_listener = self.auth.add_token_listener(self._token_changed)
        self._runner = self._loop.create_task(self._run(), name="miot push")

    async def wait_connected(self) -> None:
        """Wait until the session is up (wrap it in `asyncio.timeout`)."""
        await self._up.wait()

    async def wait_subscribed(self) -> None:
        """Wait until the broker acknowledged every subscription sent so far."""
        await self._subscribed.wait()

    async def stop(self) -> None:
        """Disconnect; no task, timer, thread or socket is left behind."""
        self._running = False
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        await self._close_session(graceful=True)
        self._set_connected(False)

    async def subscribe(self, dids: Iterable[str]) -> None:
        """Follow these devices (now if connected, and after every reconnect)."""
        new = [did for did in dids if did not in self._dids]
        self._dids.update(new)
        if new and self._connected:
            self._send_subscribe(new)

    async def unsubscribe(self, dids: Iterable[str]) -> None:
        """Stop following these devices."""
        gone = [did for did in dids if did in self._dids]
        self._dids.difference_update(gone)
        if gone and self._connected and self._client is not None:
            topics = [topic for did in gone for topic in device_topics(did)]
            for start in range(0, len(topics), SUBSCRIBE_BATCH):
                self._client.unsubscribe(topics[start : start + SUBSCRIBE_BATCH])

    def update_token(self, token: str | OAuthToken) -> None:
        """Use a new access token: reconnect with it right away."""
        self._token = token.access_token if isinstance(token, OAuthToken) else token
        if self._running:
            _LOGGER.debug("Access token changed: reconnecting push")
            self._reconnect_now()

    # ------------------------------------------------------------------ internals
    def _token_changed(self, token: OAuthToken) -> None:
        self.update_token(token)

    def _reconnect_now(self) -> None:
        self._wake.set()
        if self._client is not None and self._connected:
            self._client.disconnect()

    async def _password(self) -> str:
        if self.auth is not None:
            token = await self.auth.access_token()
            self._token = token
            return token
        assert self._token is not None
        return self._token

    def _delay(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * float(2 ** min(attempt, 20)))
        return delay * random.uniform(0.5, 1.0)

    async def _run(self) -> None:
        attempt = 0
        while self._running:
            self._wake.clear()
            try:
                ok = await self._connect_once()
            except MiotAuthError as err:
                _LOGGER.warning("Push: cannot get a valid token: %s", err)
                ok = False
            except (OSError, MiotError, TimeoutError, ssl.SSLError) as err:
                _LOGGER.debug("Push: connection failed: %s", type(err).__name__ + f" {err}")
                ok = False
            if ok:
                attempt = 0
                await self._disconnected.wait()
                await self._close_session(graceful=False)
                self._set_connected(False)
                if self._wake.is_set():
                    continue
            else:
                await self._close_session(graceful=False)
            delay = self._delay(attempt)
            attempt += 1
            _LOGGER.debug("Push: reconnecting in %.1f s", delay)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def _connect_once(self) -> bool:
        assert self._loop is not None
        password = await self._password()
        context = await async_ssl_context(self.endpoints.ca_file)
        if context is None:
            context = await self._loop.run_in_executor(None, ssl.create_default_context)
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.mqtt_client_id,
            protocol=mqtt.MQTTv5,
            reconnect_on_failure=False,
        )
        client.username_pw_set(self.username, password)
        client.tls_set_context(context)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_socket_register_write
        client.on_socket_unregister_write = self._on_socket_unregister_write
        self._client = client
        self._disconnected = asyncio.Event()
        self._pending_subs.clear()
        self._subscribed.clear()
        self._connack = self._loop.create_future()
        host, port = self.endpoints.mqtt_host, self.endpoints.mqtt_port
        _LOGGER.debug("Push: connecting to %s:%s", host, port)
        connecting = self._loop.run_in_executor(
            None, lambda: client.connect(host, port, KEEPALIVE, clean_start=True)
        )
        try:
            await asyncio.shield(connecting)
        except asyncio.CancelledError:
            # Let the handshake finish so stop() can close its socket.
            with contextlib.suppress(Exception):
                await connecting
            raise
        self._start_misc()
        async with asyncio.timeout(self.connect_timeout):
            reason = await self._connack
        if reason is None or reason.is_failure:
            _LOGGER.warning("Push: broker refused the connection: %s", reason)
            if self.auth is not None and reason is not None and reason.value in (134, 135):
                await self.auth.async_handle_401(password)
            return False
        self.connect_count += 1
        if self._dids:
            self._send_subscribe(sorted(self._dids))
        else:
            self._subscribed.set()
        self._set_connected(True)
        return True

    def _send_subscribe(self, dids: list[str]) -> None:
        assert self._client is not None
        topics = [(topic, 0) for did in dids for topic in device_topics(did)]
        for start in range(0, len(topics), SUBSCRIBE_BATCH):
            _rc, mid = self._client.subscribe(topics[start : start + SUBSCRIBE_BATCH])
            self.subscribe_packets += 1
            if mid is not None:
                self._pending_subs.add(mid)
                self._subscribed.clear()
        _LOGGER.debug("Push: subscribed %d devices", len(dids))

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        if connected:
            self._up.set()
        else:
            self._up.clear()
        _LOGGER.debug("Push: %s", "connected" if connected else "disconnected")
        if self._on_connection is not None:
            self._on_connection(connected)

    async def _close_session(self, *, graceful: bool) -> None:
        client, self._client = self._client, None
        if self._misc is not None:
            self._misc.cancel()
            self._misc = None
        if client is None:
            return
        if graceful and self._connected and self._sock is not None:
            self._sock_gone.clear()
            client.disconnect()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._sock_gone.wait()
        sock, self._sock = self._sock, None
        if sock is not None:
            self._forget_socket(sock)
        raw = client.socket()
        if raw is not None:
            self._forget_socket(raw)
            with contextlib.suppress(OSError):
                raw.close()
        if self._connack is not None and not self._connack.done():
            self._connack.cancel()

    def _forget_socket(self, sock: Any) -> None:
        assert self._loop is not None
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_reader(sock)
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_writer(sock)

    # -------------------------------------------------- paho socket callbacks
    def _in_loop(self, func: Callable[..., None], *args: Any) -> None:
        assert self._loop is not None
        if threading.get_ident() == self._loop_thread:
            func(*args)
        else:
            self._loop.call_soon_threadsafe(func, *args)

    def _on_socket_open(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._in_loop(self._add_reader, client, sock)

    def _add_reader(self, client: mqtt.Client, sock: Any) -> None:
        assert self._loop is not None
        if client is not self._client or sock.fileno() < 0:
            return
        self._sock = sock
        self._loop.add_reader(sock, self._readable, client, sock)

    def _readable(self, client: mqtt.Client, sock: Any) -> None:
        client.loop_read()
        while (
            self._sock is sock
            and isinstance(sock, ssl.SSLSocket)
            and sock.fileno() >= 0
            and sock.pending()
        ):
            client.loop_read()

    def _on_socket_close(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._in_loop(self._socket_closed, client, sock)

    def _socket_closed(self, client: mqtt.Client, sock: Any) -> None:
        self._forget_socket(sock)
        if self._sock is sock:
            self._sock = None
            self._sock_gone.set()

    def _on_socket_register_write(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._in_loop(self._add_writer, client, sock)

    def _add_writer(self, client: mqtt.Client, sock: Any) -> None:
        assert self._loop is not None
        if sock.fileno() < 0:
            return
        self._loop.add_writer(sock, client.loop_write)

    def _on_socket_unregister_write(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._in_loop(self._remove_writer, sock)

    def _remove_writer(self, sock: socket.socket) -> None:
        assert self._loop is not None
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_writer(sock)

    def _start_misc(self) -> None:
        assert self._loop is not None
        if self._misc is not None:
            self._misc.cancel()
        self._misc = self._loop.call_later(self.misc_interval, self._run_misc)

    def _run_misc(self) -> None:
        self._misc = None
        client = self._client
        if client is None:
            return
        client.loop_misc()
        if self._client is client:
            self._start_misc()

    # ---------------------------------------------------- paho event callbacks
    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        self._in_loop(self._connected_cb, client, reason)

    def _connected_cb(self, client: mqtt.Client, reason: ReasonCode) -> None:
        if client is self._client and self._connack is not None and not self._connack.done():
            self._connack.set_result(reason)

    def _on_disconnect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        self._in_loop(self._disconnected_cb, client, reason)

    def _disconnected_cb(self, client: mqtt.Client, reason: ReasonCode) -> None:
        if client is not self._client:
            return
        _LOGGER.debug("Push: connection lost (%s)", reason)
        if self._connack is not None and not self._connack.done():
            self._connack.set_result(None)
        self._disconnected.set()

    def _on_subscribe(
        self, client: mqtt.Client, _userdata: Any, mid: int, _codes: Any, _props: Any
    ) -> None:
        self._in_loop(self._subscribed_cb, client, mid)

    def _subscribed_cb(self, client: mqtt.Client, mid: int) -> None:
        if client is not self._client:
            return
        self._pending_subs.discard(mid)
        if not self._pending_subs:
            self._subscribed.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            parsed = parse_message(message.topic, message.payload)
        except ValueError as err:
            _LOGGER.debug("Push: ignoring message on %s: %s", message.topic, err)
            return
        self.last_message_at = time.monotonic()
        try:
            if isinstance(parsed, PropertyChange):
                if self._on_property is not None:
                    self._on_property(parsed)
            elif isinstance(parsed, EventOccurred):
                if self._on_event is not None:
                    self._on_event(parsed)
            elif self._on_state is not None:
                self._on_state(parsed)
        except Exception:
            _LOGGER.exception("Push: error in a message handler")
