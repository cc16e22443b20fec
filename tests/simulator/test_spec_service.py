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


async def test_instances_status_filter(api: Api) -> None:
    """Every served document is released: `released` lists them all, `debug` none."""
    _, every = await api.get("/miot-spec-v2/instances", status="all")
    _, released = await api.get("/miot-spec-v2/instances", status="released")
    _, debug = await api.get("/miot-spec-v2/instances", status="debug")
    assert released == every
    assert debug == {"instances": []}


async def test_template_lists(api: Api) -> None:
    """The standard library: one entry per standard type used by any served document, keyed by
    the urn without vendor and version, with names per language."""
    served: dict[str, set[str]] = {kind: set() for kind in ("device", "service", "property")}
    for model in api.sim.cloud.specs.models():
        instance = api.sim.cloud.specs.by_model(model)
        assert instance is not None
        served["device"].add(instance.urn)
        served["service"].update(str(s["type"]) for s in instance.services.values())
        served["property"].update(str(p["type"]) for p in instance.properties.values())
    for kind in ("device", "service", "property", "event", "action"):
        status, body = await api.get(f"/miot-spec-v2/template/list/{kind}")
        assert status == 200
        types = [item["type"] for item in body["result"]]
        assert types == sorted(set(types))
        for item in body["result"]:
            parts = item["type"].split(":")
            assert parts[:3] == ["urn", "miot-spec-v2", kind]
            assert len(parts) == 5
            assert item["description"]["en"]
            assert item["description"]["zh_cn"]
        for urn in served.get(kind, set()):
            if urn.split(":")[1] == "miot-spec-v2":
                assert ":".join(urn.split(":")[:5]) in types
    _, body = await api.get("/miot-spec-v2/template/list/property")
    by_type = {item["type"]: item["description"] for item in body["result"]}
    assert by_type["urn:miot-spec-v2:property:brightness:0000000D"] == {
        "en": "Brightness",
        "zh_cn": "亮度",
    }
    _, body = await api.get("/miot-spec-v2/template/list/service")
    assert {"type": "urn:miot-spec-v2:service:light:00007802"} | {
        "description": {"en": "Light", "zh_cn": "灯"}
    } in body["result"]
    assert (await api.get("/miot-spec-v2/template/list/spaceship"))[0] == 404


async def test_property_value_normalization(api: Api) -> None:
    """Standard value names: service type, property name, English value name and Chinese text."""
    status, body = await api.get("/miot-spec-v2/normalization/list/property_value")
    assert status == 200
    entries = body["result"]
    assert entries
    for item in entries:
        assert set(item) == {"urn", "proName", "normalization", "description"}
        assert item["urn"].startswith("urn:miot-spec-v2:service:")
        assert len(item["urn"].split(":")) == 5
        assert item["normalization"]
        assert item["description"]
    keys = [(item["urn"], item["proName"], item["normalization"]) for item in entries]
    assert len(keys) == len(set(keys))
    purifier_mode = [
        item
        for item in entries
        if item["urn"] == "urn:miot-spec-v2:service:air-purifier:00007811"
        and item["proName"] == "mode"
    ]
    assert {"Auto", "Sleep", "Favorite"} <= {item["normalization"] for item in purifier_mode}
    assert {"normalization": "Sleep", "description": "睡眠"}.items() <= next(
        item for item in purifier_mode if item["normalization"] == "Sleep"
    ).items()


async def test_device_templates_name_the_type(api: Api) -> None:
    """Device types are named after the type, not after a product's description."""
    _, body = await api.get("/miot-spec-v2/template/list/device")
    by_type = {item["type"]: item["description"] for item in body["result"]}
    assert by_type["urn:miot-spec-v2:device:air-purifier:0000A007"] == {
        "en": "Air Purifier",
        "zh_cn": "空气净化器",
    }
