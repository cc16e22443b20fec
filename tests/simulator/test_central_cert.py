"""`get_central_crt`: the user certificate of the official client's central hub gateway support."""

from __future__ import annotations

import base64
import datetime
import hashlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from .conftest import Api

PATH = "/app/v2/ha/oauth/get_central_crt"


def user_csr(uid: str, did: str = "ha.virtual") -> tuple[str, ed25519.Ed25519PrivateKey]:
    """A request shaped as the official client makes it: Ed25519 key, C=CN, O=Mijia Device,
    CN=mips.<uid>.<sha1 of its virtual did>.2; PEM."""
    key = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mijia Device"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"mips.{uid}.{hashlib.sha1(did.encode()).hexdigest()}.2"
            ),
        ]
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, None)
    return csr.public_bytes(serialization.Encoding.PEM).decode(), key


def load_certificate(path: Path) -> x509.Certificate:
    """A PEM certificate from a file."""
    return x509.load_pem_x509_certificate(path.read_bytes())


def b64(text: str | bytes) -> str:
    """Base64 as the official client sends the request."""
    data = text.encode() if isinstance(text, str) else text
    return base64.b64encode(data).decode()


async def test_central_cert_signed_by_the_simulator_ca(api: Api) -> None:
    """The answer is a PEM certificate for the request's subject and key, issued by the
    simulator's CA and valid for longer than the client's renewal margin (3 days)."""
    pem, key = user_csr(api.sim.uid)
    result = await api.result(PATH, {"csr": b64(pem)})
    assert set(result) == {"cert"}
    cert = x509.load_pem_x509_certificate(result["cert"].encode())
    ca = load_certificate(Path(api.sim.ca_file))
    cert.verify_directly_issued_by(ca)
    assert cert.subject == x509.load_pem_x509_csr(pem.encode()).subject
    assert cert.public_key() == key.public_key()
    now = datetime.datetime.now(datetime.UTC)
    assert cert.not_valid_before_utc <= now
    assert cert.not_valid_after_utc - now > datetime.timedelta(days=3)


async def test_central_cert_refusals(api: Api) -> None:
    """A token is needed; a missing, undecodable or foreign request is refused."""
    pem, _ = user_csr(api.sim.uid)
    assert (await api.post(PATH, {"csr": b64(pem)}, token="bad"))[0] == 401
    other, _ = user_csr("42")
    for body in ({}, {"csr": ""}, {"csr": 5}, {"csr": "%%%"}, {"csr": b64("no csr")}):
        status, answer = await api.post(PATH, body)
        assert status == 400, body
        assert answer["code"] != 0
    status, answer = await api.post(PATH, {"csr": b64(other)})
    assert status == 400
    assert "another account" in answer["message"]
