"""Certificate authority and server certificate for the simulator (HTTPS and MQTT TLS)."""

from __future__ import annotations

from dataclasses import dataclass
import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
CERT_FILE = "server.pem"
KEY_FILE = "server.key"
_VALIDITY = datetime.timedelta(days=825)
USER_CERT_VALIDITY = datetime.timedelta(days=365)
_MARGIN = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CertPaths:
    """Paths of the PEM files in a certificate directory."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    ca_key_file: Path


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _is_valid(paths: CertPaths) -> bool:
    """Return True when the CA and server certificate exist, parse, chain and are in date."""
    try:
        ca = x509.load_pem_x509_certificate(paths.ca_file.read_bytes())
        cert = x509.load_pem_x509_certificate(paths.cert_file.read_bytes())
        serialization.load_pem_private_key(paths.key_file.read_bytes(), password=None)
        serialization.load_pem_private_key(paths.ca_key_file.read_bytes(), password=None)
    except OSError, ValueError:
        return False
    now = _now()
    for item in (ca, cert):
        if not item.not_valid_before_utc <= now <= item.not_valid_after_utc - _MARGIN:
            return False
    return cert.issuer == ca.subject


def ensure_certificates(directory: Path) -> CertPaths:
    """Create (or reuse, when present and valid) a CA and a localhost server certificate."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = CertPaths(
        directory / CA_FILE, directory / CERT_FILE, directory / KEY_FILE, directory / CA_KEY_FILE
    )
    if _is_valid(paths):
        return paths
    now = _now()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MIoT Simulator CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_format = serialization.PrivateFormat.PKCS8
    no_pass = serialization.NoEncryption()
    paths.ca_key_file.write_bytes(ca_key.private_bytes(pem, key_format, no_pass))
    paths.key_file.write_bytes(key.private_bytes(pem, key_format, no_pass))
    paths.ca_file.write_bytes(ca_cert.public_bytes(pem))
    paths.cert_file.write_bytes(cert.public_bytes(pem))
    return paths


def sign_csr(
    paths: CertPaths, csr_pem: bytes, validity: datetime.timedelta = USER_CERT_VALIDITY
) -> str:
    """A certificate (PEM) for a PEM certificate signing request, issued by the simulator's CA
    with the request's subject and key; raises ValueError for a request that is not one or whose
    signature does not verify."""
    csr = x509.load_pem_x509_csr(csr_pem)
    if not csr.is_signature_valid:
        raise ValueError("CSR signature does not verify")
    ca = x509.load_pem_x509_certificate(paths.ca_file.read_bytes())
    ca_key = serialization.load_pem_private_key(paths.ca_key_file.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("unexpected CA key type")
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(min(now + validity, ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
