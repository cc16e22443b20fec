"""Endpoints, tokens, authorize URL, cloud records, push parsing and errors (no network)."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from miot import (
    CloudEndpoints,
    Device,
    DeviceStateChange,
    EventOccurred,
    Home,
    MiotAuth,
    MiotAuthError,
    MiotDeviceOfflineError,
    MiotPushClient,
    OAuthToken,
    PropertyChange,
    PropertyResult,
    new_device_id,
    parse_message,
)
from miot.errors import (
    MiotActionError,
    MiotCodeError,
    describe_code,
    error_for_code,
)
from miot.push import device_topics
import pytest


@pytest.mark.parametrize(
    ("region", "api"),
    [
        ("cn", "https://ha.api.io.mi.com"),
        ("de", "https://de.ha.api.io.mi.com"),
        ("i2", "https://i2.ha.api.io.mi.com"),
        ("ru", "https://ru.ha.api.io.mi.com"),
        ("sg", "https://sg.ha.api.io.mi.com"),
        ("us", "https://us.ha.api.io.mi.com"),
    ],
)
def test_endpoints_for_region(region: str, api: str) -> None:
    """Real hosts by default."""
    ep = CloudEndpoints.for_region(region)
    assert ep.api_url == api
    assert ep.oauth_url == "https://account.xiaomi.com"
    assert ep.profile_url == "https://open.account.xiaomi.com"
    assert ep.spec_url == "https://miot-spec.org"
    assert ep.mqtt_host == f"{region}-ha.mqtt.io.mi.com"
    assert ep.mqtt_port == 8883
    assert ep.ca_file is None


def test_endpoints_override() -> None:
    """base_url points every HTTP role at one server."""
    ep = CloudEndpoints.for_region(
        "de",
        base_url="https://127.0.0.1:8443/",
        mqtt_host="127.0.0.1",
        mqtt_port=1883,
        ca_file="/ca.pem",
    )
    assert {ep.oauth_url, ep.api_url, ep.profile_url, ep.spec_url} == {"https://127.0.0.1:8443"}
    assert (ep.mqtt_host, ep.mqtt_port, ep.ca_file) == ("127.0.0.1", 1883, "/ca.pem")
    with pytest.raises(ValueError, match="unknown region"):
        CloudEndpoints.for_region("xx")
    with pytest.raises(AttributeError):
        ep.region = "cn"  # type: ignore[misc]


def test_token_roundtrip_and_redaction() -> None:
    """to_dict/from_dict, 70 % rule, secrets never in repr."""
    token = OAuthToken("secret-access", "secret-refresh", 1000, obtained_at=5000.0)
    assert OAuthToken.from_dict(token.to_dict()) == token
    assert "secret" not in repr(token)
    assert "secret" not in str(token)
    assert "secret" not in repr({"t": token})
    assert token.expires_at == 6000.0
    assert token.refresh_at == 5700.0
    assert not token.needs_refresh(5699.0)
    assert token.needs_refresh(5700.0)
    assert token.needs_refresh()
    fresh = OAuthToken.from_dict({"access_token": "a", "refresh_token": "b", "expires_in": "7200"})
    assert fresh.expires_in == 7200
    assert not fresh.needs_refresh()
    with pytest.raises(MiotAuthError, match="invalid token data"):
        OAuthToken.from_dict({"access_token": "a"})


async def test_authorize_url() -> None:
    """Query of the authorize page, state = sha1("d=" + device id)."""
    async with aiohttp.ClientSession() as session:
        auth = MiotAuth(session, CloudEndpoints.for_region("de"), redirect_uri="http://ha:8123/cb")
        assert auth.device_id.startswith("ha.")
        assert len(auth.device_id) == 35
        url = auth.authorize_url(scope=["1", "3"], skip_confirm=True)
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
            "https://account.xiaomi.com/oauth2/authorize"
        )
        query = {key: value[0] for key, value in parse_qs(parts.query).items()}
        assert query == {
            "redirect_uri": "http://ha:8123/cb",
            "client_id": "2882303761520251711",
            "response_type": "code",
            "device_id": auth.device_id,
            "state": hashlib.sha1(f"d={auth.device_id}".encode()).hexdigest(),
            "scope": "1 3",
            "skip_confirm": "true",
        }
        assert auth.oauth_state() == query["state"]
        other = parse_qs(urlsplit(auth.authorize_url("http://x", "st")).query)
        assert other["state"] == ["st"]
        assert other["skip_confirm"] == ["false"]
        assert "scope" not in other
        assert auth.token is None
        with pytest.raises(MiotAuthError, match="authorize first"):
            await auth.access_token()
        with pytest.raises(MiotAuthError, match="authorize first"):
            await auth.refresh()
    assert new_device_id() != new_device_id()


def test_home_from_cloud() -> None:
    """Homes keep rooms, unassigned dids and tolerate junk."""
    home = Home.from_cloud(
        {
            "id": 12,
            "name": "Flat",
            "uid": 7,
            "dids": ["a", "b"],
            "roomlist": [{"id": 3, "name": "Kitchen", "dids": ["c", "a"]}, "junk"],
            "longitude": "1.5",
            "latitude": "x",
            "city_id": 0,
            "address": "",
        },
        shared=True,
    )
    assert home.home_id == "12"
    assert home.uid == "7"
    assert home.shared
    assert home.all_dids() == ["a", "b", "c"]
    room = home.room_of("c")
    assert room is not None
    assert room.name == "Kitchen"
    assert room.home_id == "12"
    assert home.room_of("b") is None
    assert home.longitude == 1.5
    assert home.latitude is None
    assert home.city_id == "0"
    assert home.address is None


def test_device_from_cloud() -> None:
    """Device records: extra, owner, numbers tolerant, token hidden."""
    device = Device.from_cloud(
        {
            "did": "123.s1",
            "name": "",
            "model": "lumi.sensor",
            "spec_type": "urn:miot-spec-v2:device:sensor:1:lumi:1",
            "isOnline": True,
            "parent_id": "123",
            "voice_ctrl": "2",
            "rssi": "bad",
            "token": "devtoken",
            "pid": 3,
            "owner": {"userid": 9},
            "extra": {"fw_version": "1.0.1"},
        }
    )
    assert device.name == "123.s1"
    assert device.is_sub_device
    assert device.voice_ctrl == 2
    assert device.rssi is None
    assert device.owner == "9"
    assert device.fw_version == "1.0.1"
    assert device.pushes_state
    assert "devtoken" not in repr(device)
    assert not Device.from_cloud(
        {"did": "blt.3.x", "parent_id": "blt.3.x", "extra": None}
    ).is_sub_device
    assert not Device.from_cloud({"did": "blt.3.x"}).pushes_state
    assert Device.from_cloud({"did": "1", "owner": 5, "voice_ctrl": None}).owner == "5"


def test_property_result() -> None:
    """0 and 1 are success."""
    assert PropertyResult("d", 1, 1, 0).ok
    assert PropertyResult("d", 1, 1, 1).ok
    assert not PropertyResult("d", 1, 1, -4005).ok


def _payload(data: Any) -> bytes:
    return json.dumps(data).encode()


def test_parse_messages() -> None:
    """The three message kinds."""
    prop = parse_message(
        "device/123/up/properties_changed/2/1",
        _payload({"params": {"did": "123", "siid": 2, "piid": 1, "value": True}}),
    )
    assert prop == PropertyChange("123", 2, 1, True)
    event = parse_message(
        "device/123/up/event_occured/5/1",
        _payload(
            {
                "params": {
                    "did": "123",
                    "siid": 5,
                    "eiid": 1,
                    "arguments": [{"piid": 1, "value": 3}, 7],
                }
            }
        ),
    )
    assert event == EventOccurred("123", 5, 1, {1: 3})
    state = parse_message(
        "device/123/state/any", _payload({"device_id": "123", "event": "offline", "timestamp": 17})
    )
    assert state == DeviceStateChange("123", False, 17)
    online = parse_message("device/9/state/x", _payload({"event": "online"}))
    assert online == DeviceStateChange("9", True, None)
    topic_did = parse_message(
        "device/77/up/properties_changed/2/1", _payload({"params": {"siid": 2, "piid": 1}})
    )
    assert isinstance(topic_did, PropertyChange)
    assert topic_did.did == "77"


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("other/1/state", b"{}"),
        ("device", b"{}"),
        ("device/1/state/x", b"[]"),
        ("device/1/state/x", b'{"event": "reboot"}'),
        ("device/1/up/properties_changed/2/1", b'{"params": []}'),
        ("device/1/up", b'{"params": {}}'),
        ("device/1/up/properties_changed/2/1", b'{"params": {"siid": 2}}'),
        ("device/1/up/event_occured/2/1", b'{"params": {"siid": 2, "eiid": null}}'),
        ("device/1/up/other/2/1", b'{"params": {"siid": 2}}'),
        ("device/1/state/x", b"not json"),
    ],
)
def test_parse_bad_messages(topic: str, payload: bytes) -> None:
    """Anything else is a ValueError (logged and dropped by the client)."""
    with pytest.raises(ValueError):  # noqa: PT011
        parse_message(topic, payload)


def test_topics_and_push_client_args() -> None:
    """Three wildcard topics per device; the client needs a token source."""
    assert device_topics("1") == [
        "device/1/up/properties_changed/#",
        "device/1/up/event_occured/#",
        "device/1/state/#",
    ]
    ep = CloudEndpoints.for_region("de")
    with pytest.raises(ValueError, match="needs auth or token"):
        MiotPushClient(ep)
    push = MiotPushClient(ep, token="t", device_id="abc")
    assert push.mqtt_client_id == "ha.abc"
    assert MiotPushClient(ep, token="t").mqtt_client_id.startswith("ha.")
    assert not push.connected
    assert push.subscribed_dids == frozenset()
    for attempt in range(12):
        assert 0.5 * min(120, 2**attempt) <= push._delay(attempt) <= min(120, 2**attempt)


def test_error_mapping() -> None:
    """Codes map to typed errors with the code kept."""
    offline = error_for_code(-704042011)
    assert isinstance(offline, MiotDeviceOfflineError)
    assert offline.code == -704042011
    assert "offline" in str(offline)
    action = error_for_code(-4006, kind=MiotActionError)
    assert isinstance(action, MiotActionError)
    assert "parameter" in str(action)
    other = error_for_code(-1, "custom")
    assert type(other) is MiotCodeError
    assert str(other) == "custom"
    assert describe_code(-12345) == "cloud error code -12345"
    assert MiotDeviceOfflineError().code == -704042011
