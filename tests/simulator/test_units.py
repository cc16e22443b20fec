"""Unit checks of the spec helpers, certificates, homes and CLI parsing."""

from __future__ import annotations

import base64
import datetime
import hashlib
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.x509.oid import NameOID
import pytest

from simulator import Simulator
from simulator.broker import Broker, hash_password
from simulator.certs import ensure_certificates, sign_csr
from simulator.cli import build_simulator, parse_args
from simulator.cloud import Cloud, Fault, NotFoundError
from simulator.homes import generate_devices, home_file, load_home_file
from simulator.spec import (
    PROJECT_SPEC_DIR,
    SpecError,
    SpecStore,
    default_value,
    int_bounds,
    standard_type,
    urn_name,
    validate_value,
    zh_text,
)

SHARED_SPECS = Path("/work/shared/specs")


def test_validate_and_default() -> None:
    """Formats, ranges, steps and lists."""
    assert validate_value({"format": "hex"}, "0a") == "0a"
    with pytest.raises(SpecError):
        validate_value({"format": "weird"}, 1)
    with pytest.raises(SpecError):
        validate_value({"format": "int8"}, 200)
    assert validate_value({"format": "int32", "value-range": [0, 10]}, 10) == 10
    assert validate_value({"format": "float", "value-range": [0, 1, 0]}, 0.33) == 0.33
    assert default_value({"format": "hex"}) == ""
    assert default_value({"format": "string"}) == ""
    assert default_value({"format": "string", "unit": "none"}) == ""
    assert default_value({"format": "string", "unit": "percentage"}) == "50"
    assert default_value({"format": "string", "unit": "rgb"}) == "16777215"
    assert default_value({"format": "string", "unit": "lux"}) == "0"
    assert default_value({"format": "float"}) == 0.0
    assert default_value({"format": "float", "value-range": [1, 5, 1]}) == 1.0
    assert default_value({"format": "int8"}) == 0
    assert default_value({"format": "weird"}) == 0
    assert default_value({"format": "uint8", "value-list": [{"value": 3}]}) == 3
    assert int_bounds({"format": "uint8"}) == (0, 255)
    assert int_bounds({"format": "float"}) is None
    assert urn_name("short") == "short"
    assert zh_text("Fan-Level") == "风速"
    assert zh_text("Something") == "Something"


def test_every_shared_spec_builds_devices() -> None:
    """Initial values of every available document are valid for their properties."""
    dirs = [PROJECT_SPEC_DIR] + ([SHARED_SPECS] if SHARED_SPECS.is_dir() else [])
    cloud = Cloud(SpecStore(dirs))
    generate_devices(cloud, len(cloud.specs.models()))
    for device in cloud.devices.values():
        for key, value in device.values.items():
            prop = device.spec.properties[key]
            if prop.get("format") in ("bool", "string", "hex", "float") or int_bounds(prop):
                assert validate_value(prop, value) == value
        assert device.spec.multi_language()["en"]


def test_spec_store_skips_non_instances(tmp_path: Path) -> None:
    """Files that are not instance documents are ignored; first registration wins."""
    (tmp_path / "a.json").write_text('{"no": "type"}')
    (tmp_path / "b.json").write_text('{"type": "urn:x:device:y:1:m:v", "services": []}')
    store = SpecStore([tmp_path])
    assert store.models() == ["b"]
    assert store.instances_list()[0]["version"] == 1
    first = store.by_model("b")
    store.add({"type": "urn:x:device:y:1:m:9", "services": []}, "b")
    assert store.by_model("b") is first


def test_certificates_reused_and_renewed(tmp_path: Path) -> None:
    """Valid certificates are reused; broken or foreign ones are replaced."""
    paths = ensure_certificates(tmp_path)
    first = paths.cert_file.read_bytes()
    assert ensure_certificates(tmp_path).cert_file.read_bytes() == first
    cert = x509.load_pem_x509_certificate(first)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert cert.not_valid_after_utc > datetime.datetime.now(datetime.UTC)
    paths.key_file.write_text("broken")
    assert ensure_certificates(tmp_path).cert_file.read_bytes() != first
    other = ensure_certificates(tmp_path / "other")
    paths.ca_file.write_bytes(other.ca_file.read_bytes())
    renewed = ensure_certificates(tmp_path)
    assert x509.load_pem_x509_certificate(renewed.cert_file.read_bytes()).issuer == (
        x509.load_pem_x509_certificate(renewed.ca_file.read_bytes()).subject
    )
    ca_before = renewed.ca_file.read_bytes()
    renewed.ca_key_file.write_text("lost")  # the CA must be able to sign user certificates
    assert ensure_certificates(tmp_path).ca_file.read_bytes() != ca_before


def test_sign_csr_refusals(tmp_path: Path) -> None:
    """A request whose signature does not verify, or a CA key that cannot sign, is an error."""
    paths = ensure_certificates(tmp_path)
    key = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mips.1.a.2")])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, None)
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0xFF  # the last byte belongs to the signature
    forged = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)
    with pytest.raises(ValueError, match="signature"):
        sign_csr(paths, forged)
    good = csr.public_bytes(serialization.Encoding.PEM)
    assert "BEGIN CERTIFICATE" in sign_csr(paths, good)
    paths.ca_key_file.write_bytes(
        x25519.X25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="CA key"):
        sign_csr(paths, good)


def test_expired_certificate_is_renewed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A certificate past its validity is replaced."""
    paths = ensure_certificates(tmp_path)
    first = paths.cert_file.read_bytes()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=5000)
    monkeypatch.setattr("simulator.certs._now", lambda: later)
    assert ensure_certificates(tmp_path).cert_file.read_bytes() != first


def test_password_hash_format() -> None:
    """mosquitto's `$7$` PBKDF2-SHA512 format."""
    salt = b"0123456789ab"
    text = hash_password("secret", salt)
    _, kind, iterations, salt_b64, digest_b64 = text.split("$")
    assert (kind, iterations) == ("7", "101")
    assert base64.b64decode(salt_b64) == salt
    expected = hashlib.pbkdf2_hmac("sha512", b"secret", salt, 101)
    assert base64.b64decode(digest_b64) == expected


async def test_broker_start_failure(
    socket_enabled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker that exits at once is reported; a reload without a process is a no-op."""
    certs = ensure_certificates(tmp_path / "certs")
    broker = Broker(tmp_path, certs, port=1)
    broker.set_client_password(None)
    await broker.wait_reloaded()
    monkeypatch.setattr("simulator.broker.MOSQUITTO", "/bin/false")
    with pytest.raises(RuntimeError, match="exited"):
        await broker.start()
    await broker.stop()
    assert not broker.running


async def test_broker_never_listens(
    socket_enabled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that never listens is stopped (and killed if it ignores SIGTERM)."""
    certs = ensure_certificates(tmp_path / "certs")
    broker = Broker(tmp_path, certs)
    script = tmp_path / "fake.sh"
    script.write_text("#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.1; done\n")
    script.chmod(0o755)
    monkeypatch.setattr("simulator.broker.MOSQUITTO", str(script))
    ticks = iter([0.0, 0.0, 100.0, 100.0, 100.0])
    monkeypatch.setattr("simulator.broker.time.monotonic", lambda: next(ticks, 100.0))
    monkeypatch.setattr("simulator.broker.asyncio.sleep", _no_sleep)
    with pytest.raises(RuntimeError, match="did not start"):
        await broker.start()
    assert broker.process is None


async def _no_sleep(_: float) -> None:
    return None


def test_homes_and_cloud_errors(tmp_path: Path) -> None:
    """Home file lookup, generation without specs, unknown lookups."""
    assert home_file("demo").name == "demo.yaml"
    assert home_file(tmp_path / "x.yaml") == tmp_path / "x.yaml"
    assert home_file("other.yaml") == Path("other.yaml")
    with pytest.raises(ValueError, match="no spec"):
        generate_devices(Cloud(SpecStore()), 1)
    cloud = Cloud(SpecStore([PROJECT_SPEC_DIR]))
    with pytest.raises(NotFoundError):
        cloud.device("x")
    with pytest.raises(NotFoundError):
        cloud.remove_device("x")
    with pytest.raises(NotFoundError):
        cloud.room_home("x")
    generate_devices(cloud, 3)
    did = next(iter(cloud.devices))
    with pytest.raises(NotFoundError):
        cloud.set_property(did, 99, 99, 1)
    cloud.set_online(did, False)  # no publisher: nothing happens
    assert Fault.from_json({}).path == "/"


def test_home_file_with_devices_shared_on_their_own(tmp_path: Path) -> None:
    """`shared_devices` of a home file: in no home, listed with their owner."""
    path = tmp_path / "home.yaml"
    path.write_text(
        "homes:\n"
        "  - {id: '1', name: Home, rooms: [{id: '11', name: Hall}],\n"
        "     devices: [{did: '1001', name: Lamp, model: yeelink.light.mono4, room: Hall}]}\n"
        "shared_devices:\n"
        "  - {did: '2001', name: Kettle, model: yunmi.kettle.r3,\n"
        "     owner: {uid: 555, nickname: Mum}}\n",
        encoding="utf-8",
    )
    cloud = Cloud(SpecStore([PROJECT_SPEC_DIR]))
    load_home_file(cloud, path)
    assert cloud.devices["2001"].home_id is None
    assert cloud.devices["2001"].shared_by == (555, "Mum")
    assert [did for _, _, did in cloud.placements()] == ["1001"]
    assert cloud.account_dids() == ["1001", "2001"]
    assert cloud.device_json(cloud.devices["2001"])["owner"] == {"userid": 555, "nickname": "Mum"}
    assert cloud.device_json(cloud.devices["1001"])["owner"] is None


def test_cli_parse_and_build(tmp_path: Path) -> None:
    """Arguments map onto the Simulator."""
    args = parse_args(
        ["--no-home", "--devices", "5", "--no-tls", "--no-broker", "--state-dir", str(tmp_path)]
    )
    sim = build_simulator(args)
    assert sim.home is None
    assert len(sim.cloud.devices) == 5
    assert sim.base_url.startswith("http://")
    assert not sim.use_broker
    sim = build_simulator(parse_args(["--token-ttl", "60", "--spec-dir", str(PROJECT_SPEC_DIR)]))
    assert sim.cloud.token_ttl == 60
    assert sim.home == "demo"


async def test_plain_simulator_without_broker(
    socket_enabled: None, tmp_path: Path, simulator_cert_dir: Path
) -> None:
    """`tls=False, broker=False`: HTTP only; restart_broker is a no-op; errors before start."""
    sim = Simulator(home=None, devices=2, state_dir=tmp_path, tls=False, broker=False)
    with pytest.raises(RuntimeError):
        _ = sim.ca_file
    async with sim:
        assert sim.base_url.startswith("http://127.0.0.1:")
        await sim.restart_broker()
        assert sim.ca_file.endswith("ca.pem")
        assert sim.uid == "1234567890"
        assert sim.mqtt_host == "127.0.0.1"


async def test_start_failure_cleans_up(
    socket_enabled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing start stops what was started."""
    sim = Simulator(home=None, devices=1, state_dir=tmp_path, broker=False)

    async def fail(*_: Any) -> None:
        raise OSError("boom")

    monkeypatch.setattr("aiohttp.web.TCPSite.start", fail)
    with pytest.raises(OSError, match="boom"):
        await sim.start()
    assert sim._runner is None


def test_standard_library_from_odd_documents() -> None:
    """Vendor namespaces, malformed services and value-list items and missing descriptions."""
    store = SpecStore()
    store.add(
        {
            "type": "urn:miot-spec-v2:device:fan:0000A005:acme-f1:1",
            "description": "Acme Fan One",
            "services": [
                "not a service",
                {"iid": "x", "type": "urn:miot-spec-v2:service:fan:00007808"},
                {
                    "iid": 2,
                    "type": "urn:miot-spec-v2:service:fan:00007808:acme-f1:1",
                    "description": "",
                    "properties": [
                        {
                            "iid": 1,
                            "type": "urn:miot-spec-v2:property:mode:00000008:acme-f1:1",
                            "description": "Mode",
                            "format": "uint8",
                            "access": ["read"],
                            "value-list": [
                                "odd",
                                {"value": 0, "description": ""},
                                {"value": 1, "description": "Sleep"},
                            ],
                        },
                        {
                            "iid": 2,
                            "type": "urn:acme-spec:property:turbo:00000001:acme-f1:1",
                            "format": "uint8",
                            "access": ["read"],
                            "value-list": [{"value": 0, "description": "Off"}],
                        },
                    ],
                },
                {"iid": 3, "type": "urn:acme-spec:service:extra:00000001:acme-f1:1"},
            ],
        },
        "acme.fan.f1",
    )
    assert store.template_list("device") == [
        {
            "type": "urn:miot-spec-v2:device:fan:0000A005",
            "description": {"en": "Fan", "zh_cn": "风扇"},
        }
    ]
    assert store.template_list("service") == [
        {
            "type": "urn:miot-spec-v2:service:fan:00007808",
            "description": {"en": "Fan", "zh_cn": "风扇"},
        }
    ]
    assert [item["type"] for item in store.template_list("property")] == [
        "urn:miot-spec-v2:property:mode:00000008"
    ]
    assert store.template_list("event") == []
    assert store.property_value_list() == [
        {
            "urn": "urn:miot-spec-v2:service:fan:00007808",
            "proName": "mode",
            "normalization": "Sleep",
            "description": "睡眠",
        }
    ]
    assert standard_type("urn:miot-spec-v2:property") is None
    assert standard_type("x:miot-spec-v2:property:on:00000006") is None
