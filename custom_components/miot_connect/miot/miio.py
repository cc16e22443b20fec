"""The miio packet format: header, hello, checksum and AES-128-CBC payloads (docs/lan.md).

A packet is a 32-byte header followed by the encrypted JSON payload:

    offset  size  field
    0       2     magic 0x2131
    2       2     length of the whole packet (header included)
    4       8     device id (a hello puts 0xff in all of these bytes)
    12      4     stamp: the device's clock in seconds (not wall time)
    16      16    checksum: MD5(header[0:16] + token + payload)

The payload is AES-128-CBC with PKCS#7 padding, key = MD5(token), IV = MD5(key + token). A hello
(and its answer) is the header alone, 32 bytes; the answer carries the device id and stamp.
Everything here is pure: no sockets, no clocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import hashlib
import json
import struct
from typing import Any, Final

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import MiotInvalidValueError, MiotLanProtocolError, MiotLanTokenError

MIIO_PORT: Final = 54321
MAGIC: Final = 0x2131
HEADER_LENGTH: Final = 32
TOKEN_LENGTH: Final = 16
MAX_DEVICE_ID: Final = 2**64 - 1
MAX_STAMP: Final = 2**32 - 1
HELLO: Final = struct.pack(">HH", MAGIC, HEADER_LENGTH) + b"\xff" * 28

_HEADER: Final = struct.Struct(">HHQI16s")
_BLOCK_BITS: Final = 128


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def parse_token(token: str | bytes) -> bytes:
    """The 16 token bytes from 32 hex digits (as the cloud lists it) or from 16 raw bytes.

    The message never repeats the token.
    """
    if isinstance(token, bytes):
        if len(token) != TOKEN_LENGTH:
            raise MiotInvalidValueError(f"a device token has {TOKEN_LENGTH} bytes")
        return token
    text = token.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(text) != 2 * TOKEN_LENGTH or len(raw) != TOKEN_LENGTH:
        raise MiotInvalidValueError("a device token is 32 hexadecimal digits")
    return raw


@dataclass(frozen=True, slots=True)
class MiioHeader:
    """The 32-byte header of a packet."""

    length: int
    device_id: int
    stamp: int
    # A hello answer of a device that is not yet paired carries its token here: never shown.
    checksum: bytes = field(repr=False)

    @property
    def is_hello(self) -> bool:
        """Whether the packet is a hello or a hello answer (a header alone)."""
        return self.length == HEADER_LENGTH


def parse_header(packet: bytes) -> MiioHeader:
    """Read and check the header (magic, and a length field equal to the packet's size)."""
    if len(packet) < HEADER_LENGTH:
        raise MiotLanProtocolError(f"packet of {len(packet)} bytes is shorter than a header")
    magic, length, device_id, stamp, checksum = _HEADER.unpack_from(packet)
    if magic != MAGIC:
        raise MiotLanProtocolError(f"not a miio packet (magic 0x{magic:04x})")
    if length != len(packet):
        raise MiotLanProtocolError(f"length field {length} but {len(packet)} bytes received")
    return MiioHeader(length, device_id, stamp, checksum)


def is_hello(packet: bytes) -> bool:
    """Whether `packet` is the hello a client sends (all 0xff after magic and length)."""
    return packet == HELLO


@dataclass(frozen=True, slots=True)
class MiioMessage:
    """A decoded packet: its header and the JSON object it carried."""

    header: MiioHeader
    payload: dict[str, Any]


class MiioCodec:
    """Encrypts, decrypts, signs and checks packets for one device token.

    The token and the key derived from it never appear in the repr.
    """

    __slots__ = ("_iv", "_key", "_token")

    def __init__(self, token: str | bytes) -> None:
        """`token`: 32 hex digits or 16 bytes."""
        self._token = parse_token(token)
        self._key = _md5(self._token)
        self._iv = _md5(self._key + self._token)

    def __repr__(self) -> str:
        """No secret in the repr."""
        return "MiioCodec(token=<hidden>)"

    def same_token(self, token: str | bytes) -> bool:
        """Whether `token` is the codec's token."""
        return parse_token(token) == self._token

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES128(self._key), modes.CBC(self._iv))

    def encrypt(self, plaintext: bytes) -> bytes:
        """AES-128-CBC of the PKCS#7-padded plaintext."""
        padder = padding.PKCS7(_BLOCK_BITS).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext (padding removed); a bad length or padding is a protocol error."""
        if not ciphertext or len(ciphertext) % (_BLOCK_BITS // 8):
            raise MiotLanProtocolError(f"{len(ciphertext)} encrypted bytes: not whole AES blocks")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
        try:
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError:
            raise MiotLanProtocolError("invalid PKCS#7 padding") from None

    def checksum(self, header: bytes, data: bytes) -> bytes:
        """MD5 over the first 16 header bytes, the token and the encrypted payload."""
        return _md5(header[:16] + self._token + data)

    def encode(self, payload: Mapping[str, Any] | bytes, *, device_id: int, stamp: int) -> bytes:
        """A signed packet carrying `payload` (a JSON object, or bytes sent as they are)."""
        if not 0 <= device_id <= MAX_DEVICE_ID:
            raise MiotInvalidValueError(f"device id {device_id} does not fit in 8 bytes")
        if not 0 <= stamp <= MAX_STAMP:
            raise MiotInvalidValueError(f"stamp {stamp} does not fit in 4 bytes")
        if isinstance(payload, bytes):
            plaintext = payload
        else:
            plaintext = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        data = self.encrypt(plaintext)
        head = struct.pack(">HHQI", MAGIC, HEADER_LENGTH + len(data), device_id, stamp)
        return head + self.checksum(head, data) + data

    def verify(self, packet: bytes) -> MiioHeader:
        """The header of a packet whose checksum matches this token.

        A mismatch means the packet was made with another token (or damaged on the way).
        """
        header = parse_header(packet)
        if self.checksum(packet, packet[HEADER_LENGTH:]) != header.checksum:
            raise MiotLanTokenError("checksum mismatch: the packet was signed with another token")
        return header

    def decode(self, packet: bytes) -> MiioMessage:
        """Check, decrypt and parse a packet with a payload.

        Trailing NUL bytes (some firmwares end the JSON with one) are ignored.
        """
        header = self.verify(packet)
        if header.is_hello:
            raise MiotLanProtocolError("a hello packet has no payload")
        plaintext = self.decrypt(packet[HEADER_LENGTH:]).rstrip(b"\x00")
        try:
            payload = json.loads(plaintext.decode())
        except ValueError:  # UnicodeDecodeError too
            raise MiotLanProtocolError("payload is not JSON") from None
        if not isinstance(payload, dict):
            raise MiotLanProtocolError("payload is not a JSON object")
        return MiioMessage(header, payload)
