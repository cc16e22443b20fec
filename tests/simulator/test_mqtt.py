"""Cloud push through the real broker: properties, events, state, tokens and restarts."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from simulator import CLIENT_ID, AsyncMqttClient, Simulator

from .conftest import Api, Subscriber, wait_for

LAMP = "100001"


async def test_push_after_write(api: Api, subscriber: Subscriber) -> None:
    """A successful prop/set publishes properties_changed; failures and non-notify do not."""
    params = [
        {"did": LAMP, "siid": 2, "piid": 2, "value": 42},
        {"did": LAMP, "siid": 2, "piid": 2, "value": 420},
        {"did": LAMP, "siid": 3, "piid": 1, "value": 5},  # write-only, no notify
    ]
    result = await api.result("/app/v2/miotspec/prop/set", {"params": params})
    assert [item["code"] for item in result] == [0, -4005, 0]
    topic, payload = await subscriber.wait(lambda t, p: "properties_changed" in t)
    assert topic == f"device/{LAMP}/up/properties_changed/2/2"
    assert payload == {"params": {"did": LAMP, "siid": 2, "piid": 2, "value": 42}}
    await asyncio.sleep(0.1)
    assert len(subscriber.messages) == 1
    status, counters = await api.control("GET", "counters")
    assert status == 200
    assert counters["mqtt"] == {"published": 1, "by_kind": {"properties_changed": 1}}
    assert counters["http"]["/app/v2/miotspec/prop/set"] == 1
    assert (await api.control("DELETE", "counters"))[0] == 200
    assert (await api.control("GET", "counters"))[1] == {
        "http": {},
        "properties_read": 0,
        "mqtt": {"published": 0, "by_kind": {}},
    }


async def test_control_properties_and_events(api: Api, subscriber: Subscriber) -> None:
    """The control API sets values as the device would and fires events."""
    body = [{"siid": 2, "piid": 1, "value": True}, {"siid": 2, "piid": 2, "value": 12.0}]
    status, _ = await api.control("POST", f"devices/{LAMP}/properties", body)
    assert status == 200
    _, payload = await subscriber.wait(lambda t, p: t.endswith("/2/2"))
    assert payload["params"]["value"] == 12
    single = {"siid": 2, "piid": 1, "value": 30.5}
    assert (await api.control("POST", "devices/blt.3.1a2b3c4d5e6f/properties", single))[0] == 200
    topic, _ = await subscriber.wait(lambda t, p: t.startswith("device/blt."))
    assert topic == "device/blt.3.1a2b3c4d5e6f/up/properties_changed/2/1"
    event = {"siid": 2, "eiid": 2, "arguments": []}
    assert (await api.control("POST", "devices/100008.s3/events", event))[0] == 200
    topic, payload = await subscriber.wait(lambda t, p: "event_occured" in t)
    assert topic == "device/100008.s3/up/event_occured/2/2"
    assert payload == {"params": {"did": "100008.s3", "siid": 2, "eiid": 2, "arguments": []}}
    plug = {"siid": 6, "eiid": 1, "arguments": [{"piid": 1, "value": True}]}
    assert (await api.control("POST", "devices/100023/events", plug))[0] == 200
    _, payload = await subscriber.wait(lambda t, p: t.startswith("device/100023/up/event"))
    assert payload["params"]["arguments"] == [{"piid": 1, "value": True}]

    bad: list[tuple[str, Any]] = [
        ("devices/nope/properties", body),
        ("devices/100001/properties", {"siid": 2, "piid": 2, "value": 1000}),
        ("devices/100001/properties", {"siid": 2, "piid": 99, "value": 1}),
        ("devices/100001/properties", {"siid": 2}),
        ("devices/100001/events", {"siid": 9, "eiid": 9}),
        ("devices/100001/events", {"siid": 2}),
        ("devices/nope/events", event),
        ("devices/nope/online", {"online": False}),
    ]
    for path, item in bad:
        assert (await api.control("POST", path, item))[0] in (400, 404), path
    status, _ = await api.control("POST", "devices/100001/properties", None)
    assert status == 400


async def test_online_offline(api: Api, subscriber: Subscriber, simulator: Simulator) -> None:
    """State messages for Wi-Fi devices, none for BLE ones; offline devices do not push."""
    assert (await api.control("POST", f"devices/{LAMP}/online", {"online": False}))[0] == 200
    topic, payload = await subscriber.wait(lambda t, p: "/state/" in t)
    assert topic == f"device/{LAMP}/state/offline"
    assert payload["event"] == "offline"
    assert payload["device_id"] == LAMP
    assert payload["model"] == "yeelink.light.color2"
    assert payload["uid"] == 1234567890
    assert isinstance(payload["timestamp"], int)
    simulator.cloud.set_property(LAMP, 2, 2, 10)  # offline: stored, not pushed
    assert (await api.control("POST", f"devices/{LAMP}/online", {"online": True}))[0] == 200
    await subscriber.wait(lambda t, p: p.get("event") == "online")
    await api.control("POST", "devices/blt.3.1a2b3c4d5e6f/online", {"online": False})
    await asyncio.sleep(0.2)
    assert not [m for m in subscriber.messages if "blt." in m[0] or "properties" in m[0]]
    _, detail = await api.control("GET", "devices/blt.3.1a2b3c4d5e6f")
    assert detail["online"] is False
    assert detail["properties"]["2.1"] == 21.5


async def test_broker_refuses_old_token_after_revoke(api: Api, simulator: Simulator) -> None:
    """After a revoke the old access token no longer logs in; a new token does."""
    old = api.token
    assert (await api.control("POST", "tokens/revoke"))[0] == 200
    refused = Subscriber(simulator, old)
    try:
        assert await refused.start() == 135  # Not authorized
    finally:
        refused.close()
    new = simulator.issue_tokens()["access_token"]
    accepted = Subscriber(simulator, new)
    try:
        assert await accepted.start() == 0
    finally:
        accepted.close()


async def test_broker_restart(
    api: Api, simulator: Simulator, simulator_tokens: dict[str, Any]
) -> None:
    """Restart on the same port; the publisher reconnects and pushes again."""
    port = simulator.mqtt_port
    assert (await api.control("POST", "broker/restart"))[0] == 200
    assert simulator.mqtt_port == port
    sub = Subscriber(simulator, simulator_tokens["access_token"])
    try:
        assert await sub.start() == 0
        simulator.cloud.set_property(LAMP, 2, 2, 33)
        _, payload = await sub.wait(lambda t, p: True)
        assert payload["params"]["value"] == 33
    finally:
        sub.close()


async def test_async_client(simulator: Simulator, simulator_tokens: dict[str, Any]) -> None:
    """The loop-driven client subscribes, and reports a refused login."""
    got: list[tuple[str, Any]] = []
    client = AsyncMqttClient(
        simulator.mqtt_host,
        simulator.mqtt_port,
        username=CLIENT_ID,
        password=simulator_tokens["access_token"],
        ca_file=simulator.ca_file,
    )
    client.on_message = lambda topic, payload: got.append((topic, payload))
    assert await client.connect() == 0
    assert client.connected
    client.subscribe("device/#")
    client.subscribe("raw")
    await asyncio.sleep(0.1)
    simulator.cloud.set_property(LAMP, 2, 2, 77)
    client.client.publish("raw", b"not json")
    await wait_for(lambda: len(got) == 2)
    assert ("raw", b"not json") in got
    await client.disconnect()
    bad = AsyncMqttClient(
        simulator.mqtt_host,
        simulator.mqtt_port,
        username=CLIENT_ID,
        password="wrong",
        ca_file=simulator.ca_file,
    )
    assert await bad.connect() == 135
    assert not bad.connected


async def test_publish_while_broker_down(simulator: Simulator) -> None:
    """Without a broker connection nothing is counted as published."""
    assert simulator.broker is not None
    await simulator.broker.stop()
    await asyncio.sleep(0.1)
    simulator.cloud.set_property(LAMP, 2, 2, 11)
    assert simulator.cloud.counters()["mqtt"]["published"] == 0


async def test_plain_broker_and_tokens_issued_before_start(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> None:
    """`tls=False` runs the broker without TLS; tokens issued before start() log in."""
    sim = Simulator(home="demo", state_dir=tmp_path, tls=False, cert_dir=simulator_cert_dir)
    token = sim.issue_tokens()["access_token"]
    async with sim:
        got: list[tuple[str, Any]] = []
        client = AsyncMqttClient(
            sim.mqtt_host, sim.mqtt_port, username=CLIENT_ID, password=token, ca_file=None
        )
        client.on_message = lambda topic, payload: got.append((topic, payload))
        assert await client.connect() == 0
        client.subscribe(f"device/{LAMP}/up/properties_changed/#")
        await asyncio.sleep(0.1)
        sim.cloud.set_property(LAMP, 2, 2, 9)
        await wait_for(lambda: len(got) == 1)
        await client.disconnect()


async def test_broker_stop_start_and_raw_push(
    api: Api, simulator: Simulator, simulator_tokens: dict[str, Any]
) -> None:
    """A stopped broker refuses connections until started; a raw push is sent unchecked."""
    assert (await api.control("POST", "broker/stop"))[0] == 200
    assert simulator.broker is not None
    assert not simulator.broker.running
    with contextlib.suppress(OSError):
        _, writer = await asyncio.open_connection(simulator.mqtt_host, simulator.mqtt_port)
        writer.close()
        raise AssertionError("the stopped broker accepted a connection")
    simulator.cloud.push_raw(LAMP, 2, 2, "x")  # publisher gone: dropped quietly
    assert (await api.control("POST", "broker/start"))[0] == 200
    assert (await api.control("POST", "broker/start"))[0] == 200  # already running
    sub = Subscriber(simulator, simulator_tokens["access_token"])
    try:
        assert await sub.start() == 0
        assert (
            await api.control(
                "POST", f"devices/{LAMP}/raw_push", {"siid": 2, "piid": 2, "value": "err"}
            )
        )[0] == 200
        _, payload = await sub.wait(lambda t, p: True)
        assert payload["params"]["value"] == "err"
        assert (await api.control("POST", f"devices/{LAMP}/raw_push", {"siid": 2}))[0] == 400
    finally:
        sub.close()
