"""Cloud push against the simulator's mosquitto: messages, reconnects, tokens, cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
import time
from typing import Any

from miot import (
    DeviceStateChange,
    EventOccurred,
    MiotPushClient,
    OAuthToken,
    PropertyChange,
)
import pytest

from .conftest import Harness, SimFactory

WAIT = 10.0


@dataclass
class Recorder:
    """Collects what the push client reports."""

    messages: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    connection: list[bool] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def attach(self, push: MiotPushClient) -> None:
        push.set_callbacks(
            on_property=self.messages.put_nowait,
            on_event=self.messages.put_nowait,
            on_state=self.messages.put_nowait,
            on_connection=self.on_connection,
        )

    def on_connection(self, connected: bool) -> None:
        self.connection.append(connected)
        self.changed.set()

    async def next(self) -> Any:
        async with asyncio.timeout(WAIT):
            return await self.messages.get()

    async def wait_state(self, connected: bool) -> None:
        async with asyncio.timeout(WAIT):
            while not self.connection or self.connection[-1] is not connected:
                self.changed.clear()
                await self.changed.wait()

    async def wait_reconnect(self, since: int) -> None:
        """Wait for a drop and a new connection after `connection[since]`."""
        async with asyncio.timeout(WAIT):
            while True:
                later = self.connection[since:]
                if False in later and True in later[later.index(False) :]:
                    return
                self.changed.clear()
                await self.changed.wait()


@dataclass
class PushSetup:
    """Simulator with broker, library harness, push client and recorder."""

    h: Harness
    push: MiotPushClient
    rec: Recorder
    dids: list[str]


@pytest.fixture
async def push_setup(make_sim: SimFactory) -> AsyncIterator[PushSetup]:
    """A running, subscribed push client."""
    h = await make_sim(4, broker=True)
    push = MiotPushClient(h.endpoints, auth=h.auth, backoff_base=0.05, backoff_max=0.4)
    rec = Recorder()
    rec.attach(push)
    dids = sorted(h.sim.cloud.devices)
    await push.subscribe(dids)
    await push.start()
    await push.start()  # idempotent
    async with asyncio.timeout(WAIT):
        await push.wait_connected()
        await push.wait_subscribed()
    yield PushSetup(h, push, rec, dids)
    await push.stop()
    assert not push.connected
    assert push._sock is None
    assert push._misc is None
    assert push._runner is None


async def _find_bool_device(h: Harness, dids: list[str]) -> tuple[str, int, int, Any]:
    for did in dids:
        device = h.sim.cloud.devices[did]
        for (siid, piid), prop in device.spec.properties.items():
            if "notify" in prop.get("access", []) and prop.get("format") == "bool":
                return did, siid, piid, not device.values[(siid, piid)]
    raise AssertionError("no device with a notifiable bool")


async def _roundtrip(s: PushSetup) -> PropertyChange:
    did, siid, piid, value = await _find_bool_device(s.h, s.dids)
    await s.h.control(
        "POST", f"devices/{did}/properties", {"siid": siid, "piid": piid, "value": value}
    )
    message = await s.rec.next()
    assert message == PropertyChange(did, siid, piid, value)
    return message


async def test_three_message_kinds(push_setup: PushSetup) -> None:
    """Property change, event with arguments, online/offline."""
    s = push_setup
    assert s.push.last_message_at is None
    before = time.monotonic()
    await _roundtrip(s)
    assert s.push.last_message_at is not None
    assert before <= s.push.last_message_at <= time.monotonic()
    # An event with arguments.
    for did in s.dids:
        events = s.h.sim.cloud.devices[did].spec.events
        if events:
            (siid, eiid), event = next(iter(events.items()))
            break
    else:  # pragma: no cover - depends on the generated models
        pytest.skip("no device with events")
    args = [{"piid": int(piid), "value": 1} for piid in event.get("arguments", [])][:1]
    await s.h.control(
        "POST", f"devices/{did}/events", {"siid": siid, "eiid": eiid, "arguments": args}
    )
    message = await s.rec.next()
    assert isinstance(message, EventOccurred)
    assert (message.did, message.siid, message.eiid) == (did, siid, eiid)
    assert message.arguments == {arg["piid"]: arg["value"] for arg in args}
    # Offline / online.
    wifi = next(d for d in s.dids if not d.startswith(("blt.", "proxy.")))
    await s.h.control("POST", f"devices/{wifi}/online", {"online": False})
    message = await s.rec.next()
    assert isinstance(message, DeviceStateChange)
    assert message.did == wifi
    assert not message.online
    await s.h.control("POST", f"devices/{wifi}/online", {"online": True})
    message = await s.rec.next()
    assert isinstance(message, DeviceStateChange)
    assert message.did == wifi
    assert message.online
    counters = (await s.h.counters())["mqtt"]
    assert counters["published"] >= 4


async def test_reconnect_after_broker_restart(push_setup: PushSetup) -> None:
    """The broker restarts: disconnected, reconnected with backoff, subscriptions restored."""
    s = push_setup
    assert s.rec.connection == [True]
    await s.h.control("POST", "broker/restart")
    await s.rec.wait_reconnect(1)
    async with asyncio.timeout(WAIT):
        await s.push.wait_subscribed()
    assert s.push.connect_count == 2
    await _roundtrip(s)


async def test_reconnect_with_new_token(push_setup: PushSetup) -> None:
    """A refresh hands the new token to push, which reconnects with it."""
    s = push_setup
    await s.h.auth.refresh()
    await s.rec.wait_reconnect(1)
    assert s.push.connect_count == 2
    async with asyncio.timeout(WAIT):
        await s.push.wait_subscribed()
    await _roundtrip(s)


async def test_subscribe_and_unsubscribe_live(push_setup: PushSetup) -> None:
    """Adding devices while connected subscribes at once; removed ones go quiet."""
    s = push_setup
    await s.push.unsubscribe(s.dids)
    await s.push.unsubscribe(["unknown"])
    assert s.push.subscribed_dids == frozenset()
    await s.push.subscribe(s.dids)
    async with asyncio.timeout(WAIT):
        await s.push.wait_subscribed()
    await _roundtrip(s)
    await s.push.subscribe(s.dids)  # nothing new


async def test_bad_messages_and_failing_handler(push_setup: PushSetup) -> None:
    """Garbage is dropped; an exception in a handler does not kill the client."""
    s = push_setup
    publisher = s.h.sim.publisher
    assert publisher is not None
    did = s.dids[0]
    publisher.publish(f"device/{did}/state/x", {"event": "reboot"})

    def boom(_change: PropertyChange) -> None:
        raise RuntimeError("handler failed")

    seen: asyncio.Queue[Any] = asyncio.Queue()
    s.push.set_callbacks(on_property=boom, on_event=seen.put_nowait, on_state=seen.put_nowait)
    did2, siid, piid, value = await _find_bool_device(s.h, s.dids)
    await s.h.control(
        "POST", f"devices/{did2}/properties", {"siid": siid, "piid": piid, "value": value}
    )
    await s.h.control("POST", f"devices/{did}/online", {"online": False})
    async with asyncio.timeout(WAIT):
        state = await seen.get()
    assert state == DeviceStateChange(did, False, state.timestamp)
    s.push.set_callbacks()  # no handlers: messages are ignored quietly
    await s.h.control("POST", f"devices/{did}/online", {"online": True})
    await s.h.control(
        "POST", f"devices/{did2}/properties", {"siid": siid, "piid": piid, "value": not value}
    )
    assert s.push.connected


async def test_revoked_token_stays_down(make_sim: SimFactory) -> None:
    """The broker refuses a revoked token; the refresh fails too; stop() still cleans up."""
    h = await make_sim(2, broker=True)
    await h.control("POST", "tokens/revoke")
    push = MiotPushClient(h.endpoints, auth=h.auth, backoff_base=0.05, backoff_max=0.1)
    rec = Recorder()
    rec.attach(push)
    await push.start()
    await asyncio.sleep(0.6)
    assert not push.connected
    assert rec.connection == []
    await push.stop()
    await push.stop()


async def test_token_mode_and_update(make_sim: SimFactory) -> None:
    """Without an auth object: a plain token, replaced with update_token()."""
    h = await make_sim(2, broker=True)
    token = h.auth.token
    assert token is not None
    push = MiotPushClient(h.endpoints, token=token.access_token, backoff_base=0.05)
    rec = Recorder()
    rec.attach(push)
    await push.start()
    await rec.wait_state(True)
    assert await push.wait_subscribed() is None  # no devices: nothing pending
    new = OAuthToken.from_dict(h.sim.issue_tokens())
    push.update_token(new)
    await rec.wait_reconnect(1)
    assert push.connect_count == 2
    await push.stop()
    push.update_token("ignored while stopped")


async def test_unreachable_broker_and_quick_stop(make_sim: SimFactory) -> None:
    """A closed port means retries with backoff; stop() right after start() leaves nothing."""
    h = await make_sim(1)
    dead = replace(h.endpoints, mqtt_port=1)
    push = MiotPushClient(dead, auth=h.auth, backoff_base=0.02, backoff_max=0.05)
    await push.start()
    await asyncio.sleep(0.3)
    assert not push.connected
    await push.stop()
    quick = MiotPushClient(h.endpoints, auth=h.auth)
    await quick.start()
    await quick.stop()


async def test_no_ca_file_uses_system_trust(make_sim: SimFactory) -> None:
    """Without ca_file the system trust store is used (the simulator's CA is then refused)."""
    h = await make_sim(1, broker=True)
    push = MiotPushClient(
        replace(h.endpoints, ca_file=None), auth=h.auth, backoff_base=0.05, backoff_max=0.1
    )
    await push.start()
    await asyncio.sleep(0.4)
    assert not push.connected
    await push.stop()


async def test_keepalive_timer_and_bursts(make_sim: SimFactory) -> None:
    """loop_misc runs on its timer; a burst of pushes arrives completely (TLS buffering)."""
    h = await make_sim(6, broker=True)
    push = MiotPushClient(h.endpoints, auth=h.auth, misc_interval=0.02)
    rec = Recorder()
    rec.attach(push)
    dids = sorted(h.sim.cloud.devices)
    await push.subscribe(dids)
    await push.start()
    async with asyncio.timeout(WAIT):
        await push.wait_connected()
        await push.wait_subscribed()
    await asyncio.sleep(0.1)  # several loop_misc rounds
    did, siid, piid, value = await _find_bool_device(h, dids)
    burst = [
        {"siid": siid, "piid": piid, "value": (value if i % 2 == 0 else not value)}
        for i in range(60)
    ]
    await h.control("POST", f"devices/{did}/properties", burst)
    got = [await rec.next() for _ in range(60)]
    assert [change.value for change in got] == [item["value"] for item in burst]
    # Events without an event handler are dropped quietly.
    push.set_callbacks()
    device = h.sim.cloud.devices[did]
    if device.spec.events:  # pragma: no branch
        (esiid, eiid) = next(iter(device.spec.events))
        await h.control(
            "POST", f"devices/{did}/events", {"siid": esiid, "eiid": eiid, "arguments": []}
        )
    await push.stop()


async def test_refused_plain_token(make_sim: SimFactory) -> None:
    """A wrong password without an auth object: refused, retried, never connected."""
    h = await make_sim(1, broker=True)
    push = MiotPushClient(h.endpoints, token="wrong", backoff_base=0.02, backoff_max=0.05)
    await push.start()
    await asyncio.sleep(0.5)
    assert not push.connected
    assert push.connect_count == 0
    await push.stop()


async def test_stop_during_handshake(make_sim: SimFactory) -> None:
    """stop() while the TLS handshake runs in the executor waits for it and closes it."""
    h = await make_sim(1)
    accepted = asyncio.Event()

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set()
        await asyncio.sleep(0.3)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    push = MiotPushClient(replace(h.endpoints, mqtt_port=port), auth=h.auth)
    await push.start()
    async with asyncio.timeout(WAIT):
        await accepted.wait()
    await push.stop()
    server.close()
    await server.wait_closed()


async def test_forced_close_cleans_sockets(push_setup: PushSetup) -> None:
    """Closing a live session without DISCONNECT still releases the socket."""
    s = push_setup
    assert s.push._sock is not None
    await s.push._close_session(graceful=False)
    assert s.push._sock is None
    s.push._start_misc()
    s.push._start_misc()  # replaces the pending timer; stop() cancels it
    misc = s.push._misc
    assert misc is not None
    misc.cancel()
    s.push._run_misc()  # no client: nothing to do, no new timer
    assert s.push._misc is None
