"""Cloud push over MQTT (docs/protocol.md, "Cloud push (MQTT)")."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from simulator import Simulator

from . import shapes
from .conftest import APP_ID, REDIRECT_URI, Client, Probe

LAMP = "100001"  # yeelink.light.color2: 2.2 brightness (notify)
BUTTON = "100008.s3"  # lumi.remote.b1acn01: event 2.2
PLUG = "100023"  # chuangmi.plug.212a01: event 6.1 with argument 1
THERMOMETER = "blt.3.1a2b3c4d5e6f"


def topics_of(did: str) -> list[str]:
    """Per-device wildcard subscriptions, as the official client makes them."""
    return [
        f"device/{did}/up/properties_changed/#",
        f"device/{did}/up/event_occured/#",
        f"device/{did}/state/#",
    ]


async def connected(sim: Simulator, probes: list[Probe], token: str, dids: list[str]) -> Probe:
    """A probe logged in with the token and subscribed to the devices."""
    probe = Probe(sim, token)
    probes.append(probe)
    assert await probe.connect() == 0
    await probe.subscribe([topic for did in dids for topic in topics_of(did)])
    return probe


async def test_login_with_access_token(
    client: Client, simulator: Simulator, probes: list[Probe]
) -> None:
    """User = app id, password = access token; another password is refused."""
    await connected(simulator, probes, client.access_token, [LAMP])
    wrong = Probe(simulator, "V3_wrong")
    probes.append(wrong)
    assert await wrong.connect() in (134, 135)  # bad user name or password / not authorized


async def test_reconnect_with_refreshed_token(
    client: Client, simulator: Simulator, probes: list[Probe]
) -> None:
    """After a refresh the new access token logs in."""
    status, answer = await client.get_token(
        {
            "client_id": int(APP_ID),
            "redirect_uri": REDIRECT_URI,
            "refresh_token": client.refresh_token,
        }
    )
    assert status == 200
    await connected(simulator, probes, answer["result"]["access_token"], [LAMP])


async def _write_brightness(client: Client, sim: Simulator) -> None:
    params = [{"did": LAMP, "siid": 2, "piid": 2, "value": 33}]
    assert (await client.result("/app/v2/miotspec/prop/set", {"params": params}))[0]["code"] == 0


async def _button_event(client: Client, sim: Simulator) -> None:
    sim.cloud.fire_event(BUTTON, 2, 2, [])


async def _plug_event(client: Client, sim: Simulator) -> None:
    sim.cloud.fire_event(PLUG, 6, 1, [{"piid": 1, "value": True}])


async def _lamp_offline(client: Client, sim: Simulator) -> None:
    sim.cloud.set_online(LAMP, False)


# (case, trigger, did, topic, payload shape, expected params or fields)
PUSH_CASES: list[
    tuple[str, Callable[[Client, Simulator], Awaitable[None]], str, str, Any, dict[str, Any]]
] = [
    (
        "property written through the API",
        _write_brightness,
        LAMP,
        f"device/{LAMP}/up/properties_changed/2/2",
        shapes.PROPERTIES_CHANGED,
        {"params": {"did": LAMP, "siid": 2, "piid": 2, "value": 33}},
    ),
    (
        "event without arguments",
        _button_event,
        BUTTON,
        f"device/{BUTTON}/up/event_occured/2/2",
        shapes.EVENT_OCCURED,
        {"params": {"did": BUTTON, "siid": 2, "eiid": 2, "arguments": []}},
    ),
    (
        "event with an argument",
        _plug_event,
        PLUG,
        f"device/{PLUG}/up/event_occured/6/1",
        shapes.EVENT_OCCURED,
        {"params": {"did": PLUG, "siid": 6, "eiid": 1, "arguments": [{"piid": 1, "value": True}]}},
    ),
    (
        "device goes offline",
        _lamp_offline,
        LAMP,
        f"device/{LAMP}/state/",
        shapes.STATE,
        {"device_id": LAMP, "event": "offline", "model": "yeelink.light.color2"},
    ),
]


@pytest.mark.parametrize(
    ("case", "trigger", "did", "topic", "shape", "expected"),
    PUSH_CASES,
    ids=[c[0] for c in PUSH_CASES],
)
async def test_push(
    client: Client,
    simulator: Simulator,
    probes: list[Probe],
    case: str,
    trigger: Callable[[Client, Simulator], Awaitable[None]],
    did: str,
    topic: str,
    shape: Any,
    expected: dict[str, Any],
) -> None:
    """Each change arrives on the device's topic with the payload of protocol.md; a subscriber of
    another device gets nothing."""
    probe = await connected(simulator, probes, client.access_token, [did])
    other = await connected(simulator, probes, client.access_token, ["100002"])
    await trigger(client, simulator)
    got_topic, payload = await probe.wait(lambda t, p: t.startswith(topic))
    assert got_topic.startswith(topic)
    shapes.check(payload, shape)
    for key, value in expected.items():
        assert payload[key] == value, (case, key)
    if shape is shapes.STATE:
        assert payload["timestamp"] > 1_000_000_000_000  # milliseconds
        assert str(payload["uid"]) == simulator.uid
    await asyncio.sleep(0.1)
    assert other.messages == []


async def test_no_state_messages_for_ble_devices(
    client: Client, simulator: Simulator, probes: list[Probe]
) -> None:
    """`blt.` (and `proxy.`) devices have no state messages; a later Wi-Fi one arrives."""
    probe = await connected(simulator, probes, client.access_token, [THERMOMETER, LAMP])
    simulator.cloud.set_online(THERMOMETER, False)
    simulator.cloud.set_online(LAMP, False)
    await probe.wait(lambda t, p: t.startswith(f"device/{LAMP}/state/"))
    assert not [m for m in probe.messages if m[0].startswith(f"device/{THERMOMETER}/")]
