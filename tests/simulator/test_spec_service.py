"""The spec service: instance, instance list and multiLanguage."""

from __future__ import annotations

from .conftest import Api

URN = "urn:miot-spec-v2:device:light:0000A001:yeelink-color2:1"


async def test_instance(api: Api) -> None:
    """Instance documents by urn; constructed ones without the private key."""
    status, doc = await api.get("/miot-spec-v2/instance", type=URN)
    assert status == 200
    assert doc["type"] == URN
    assert doc["services"][0]["properties"][0]["format"] == "bool"
    status, _ = await api.get("/miot-spec-v2/instance", type="urn:nope")
    assert status == 404
    sensor = "urn:miot-spec-v2:device:temperature-humidity-sensor:0000A00A:miaomiaoce-t2:1"
    status, doc = await api.get("/miot-spec-v2/instance", type=sensor)
    assert status == 200
    assert "_source" not in doc


async def test_instances(api: Api) -> None:
    """The released list."""
    status, body = await api.get("/miot-spec-v2/instances", status="all")
    assert status == 200
    by_model = {item["model"]: item for item in body["instances"]}
    assert by_model["yeelink.light.color2"]["type"] == URN
    assert by_model["yeelink.light.color2"]["version"] == 1
    assert by_model["yeelink.light.color2"]["status"] == "released"


async def test_multi_language(api: Api) -> None:
    """Keys zero-padded to three digits; en from descriptions; zh_cn from the word list."""
    status, body = await api.get("/instance/v2/multiLanguage", urn=URN)
    assert status == 200
    en, zh = body["data"]["en"], body["data"]["zh_cn"]
    assert en["service:002"] == "Light"
    assert zh["service:002"] == "灯"
    assert en["service:002:property:001"] == "Switch Status"
    assert zh["service:002:property:002"] == "亮度"
    assert "service:002:action:001" in en
    assert "service:002:property:005:valuelist:000" in en
    purifier = "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:3"
    status, body = await api.get("/instance/v2/multiLanguage", urn=purifier)
    assert "service:009:event:001" in body["data"]["en"]
    status, text = await api.get("/instance/v2/multiLanguage", urn="urn:nope")
    assert status == 200
    assert isinstance(text, str)
