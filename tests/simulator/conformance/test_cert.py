"""`get_central_crt` as the official client uses it (docs/protocol.md, "OAuth 2.0")."""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from . import shapes
from .conftest import Client

PATH = "/app/v2/ha/oauth/get_central_crt"
RENEW_MARGIN = datetime.timedelta(days=3)  # the client renews with less than this left


def _csr(uid: str) -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    did_hash = hashlib.sha1(b"conformance-virtual-did").hexdigest()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mijia Device"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"mips.{uid}.{did_hash}.2"),
        ]
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, None)
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def _attributes(cert: x509.Certificate) -> dict[str, Any]:
    return {attribute.oid.dotted_string: attribute.value for attribute in cert.subject}


async def _account_uid(client: Client) -> str:
    """The uid as the official client learns it: `uid` of the first own home of `gethome`."""
    homes = await client.result("/app/v2/homeroom/gethome", {"limit": 150})
    return str(homes["homelist"][0]["uid"])


async def test_user_certificate_as_the_client_checks_it(client: Client) -> None:
    """A request for the account's uid is signed; the certificate keeps the request's three
    subject attributes and is in date for longer than the client's renewal margin."""
    csr = _csr(await _account_uid(client))
    status, answer = await client.api(PATH, {"csr": base64.b64encode(csr.encode()).decode()})
    assert status == 200, answer
    shapes.check(answer, shapes.CENTRAL_CERT)
    cert = x509.load_pem_x509_certificate(answer["result"]["cert"].encode())
    assert _attributes(cert) == {
        NameOID.COUNTRY_NAME.dotted_string: "CN",
        NameOID.ORGANIZATION_NAME.dotted_string: "Mijia Device",
        NameOID.COMMON_NAME.dotted_string: x509.load_pem_x509_csr(csr.encode())
        .subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]
        .value,
    }
    now = datetime.datetime.now(datetime.UTC)
    assert cert.not_valid_before_utc <= now
    assert cert.not_valid_after_utc - now > RENEW_MARGIN


async def test_user_certificate_needs_a_token(client: Client) -> None:
    """Like every API call, HTTP 401 without a valid token."""
    body = {"csr": base64.b64encode(_csr(await _account_uid(client)).encode()).decode()}
    status, _ = await client.api(PATH, body, headers=client.headers("V3_unknown"))
    assert status == 401
