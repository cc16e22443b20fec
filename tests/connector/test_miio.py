"""The miio packet format against vectors computed here from the protocol description.

The expected bytes are built in this file with hashlib, struct and a plain AES-CBC (padding by
hand), never with the code under test: header = magic 0x2131, total length, 8-byte device id,
4-byte stamp, then MD5(header[0:16] + token + ciphertext); key = MD5(token), IV = MD5(key + token).
"""

from __future__ import annotations

import hashlib
import json
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from miot import MiotInvalidValueError, MiotLanProtocolError, MiotLanTokenError
from miot.miio import (
    HELLO,
    MIIO_PORT,
    MiioCodec,
    MiioHeader,
    is_hello,
    parse_header,
    parse_token,
)
import pytest

TOKEN_HEX = "00112233445566778899aabbccddeeff"
TOKEN = bytes(range(0, 256, 17))  # the same 16 bytes: 0x00, 0x11, ..., 0xff
DEVICE_ID = 0x0000000012345678
STAMP = 0x00001A2B
PAYLOAD = {"id": 1, "method": "get_properties", "params": [{"did": "1", "siid": 2, "piid": 1}]}
PLAINTEXT = b'{"id":1,"method":"get_properties","params":[{"did":"1","siid":2,"piid":1}]}'
# MD5(token) and MD5(key + token) for this token, written out.
KEY_HEX = "6e8311168ee16d6aa1aa48c64145003c"
IV_HEX = "6f434fa9acd75da73e5fb999f641cda2"


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()


def _aes_cbc(key: bytes, iv: bytes, data: bytes, *, decrypt: bool = False) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    worker = cipher.decryptor() if decrypt else cipher.encryptor()
    return worker.update(data) + worker.finalize()


def _expected_packet(plaintext: bytes) -> bytes:
    """The packet, built step by step from the description."""
    key, iv = bytes.fromhex(KEY_HEX), bytes.fromhex(IV_HEX)
    pad = 16 - len(plaintext) % 16  # PKCS#7: always 1..16 bytes of value `pad`
    cipher_text = _aes_cbc(key, iv, plaintext + bytes([pad]) * pad)
    length = 32 + len(cipher_text)
    first16 = (
        b"\x21\x31"
        + length.to_bytes(2, "big")
        + DEVICE_ID.to_bytes(8, "big")
        + STAMP.to_bytes(4, "big")
    )
    return first16 + _md5(first16 + TOKEN + cipher_text) + cipher_text


def test_token_vectors() -> None:
    """Token text to bytes; key and IV as the description derives them."""
    assert TOKEN.hex() == TOKEN_HEX
    assert parse_token(TOKEN_HEX) == TOKEN
    assert parse_token(TOKEN_HEX.upper()) == TOKEN
    assert parse_token(f"  {TOKEN_HEX}\n") == TOKEN
    assert parse_token(TOKEN) == TOKEN
    assert _md5(TOKEN).hex() == KEY_HEX
    assert _md5(bytes.fromhex(KEY_HEX) + TOKEN).hex() == IV_HEX
    for bad in ("", "00" * 15, "00" * 17, "zz" * 16, TOKEN_HEX[:-1] + "g", b"\x00" * 15):
        with pytest.raises(MiotInvalidValueError) as err:
            parse_token(bad)
        assert TOKEN_HEX not in str(err.value)


def test_hello_bytes() -> None:
    """The hello is magic, length 32 and 28 bytes of 0xff."""
    assert bytes.fromhex("21310020" + "ff" * 28) == HELLO
    assert len(HELLO) == 32
    assert is_hello(HELLO)
    assert not is_hello(HELLO[:-1] + b"\x00")
    header = parse_header(HELLO)
    assert header.is_hello
    assert header.device_id == 2**64 - 1
    assert header.stamp == 2**32 - 1
    assert MIIO_PORT == 54321


def test_hello_answer_header() -> None:
    """A device's hello answer: its id and stamp; the checksum field is not shown in reprs."""
    answer = struct.pack(">HHQI", 0x2131, 32, DEVICE_ID, STAMP) + TOKEN
    header = parse_header(answer)
    assert header == MiioHeader(32, DEVICE_ID, STAMP, TOKEN)
    assert header.is_hello
    assert TOKEN.hex() not in repr(header)
    assert repr(TOKEN) not in repr(header)


def test_encode_matches_vector() -> None:
    """The codec's packet equals the one built from the description, byte for byte."""
    expected = _expected_packet(PLAINTEXT)
    packet = MiioCodec(TOKEN_HEX).encode(PAYLOAD, device_id=DEVICE_ID, stamp=STAMP)
    assert packet == expected
    assert packet[:2] == b"\x21\x31"
    assert int.from_bytes(packet[2:4], "big") == len(packet)
    assert len(packet) == 32 + 80  # 75 bytes of JSON pad to 80


def test_decode_vector() -> None:
    """Decoding the description's packet gives the header fields and the JSON object."""
    message = MiioCodec(TOKEN).decode(_expected_packet(PLAINTEXT))
    assert message.payload == PAYLOAD
    assert message.header.device_id == DEVICE_ID
    assert message.header.stamp == STAMP
    assert not message.header.is_hello


def test_trailing_nul_and_full_block_padding() -> None:
    """A payload ending in NUL (some firmwares) decodes; 16-byte plaintext gets a full pad block."""
    codec = MiioCodec(TOKEN)
    with_nul = PLAINTEXT + b"\x00"
    assert codec.decode(_expected_packet(with_nul)).payload == PAYLOAD
    sixteen = b'{"id":12,"a":""}'
    assert len(sixteen) == 16
    packet = codec.encode(sixteen, device_id=DEVICE_ID, stamp=STAMP)
    assert packet == _expected_packet(sixteen)
    assert len(packet) == 32 + 32
    assert codec.decrypt(packet[32:]) == sixteen


def test_encrypt_decrypt_round_trip() -> None:
    """Unicode JSON survives; bytes payloads are sent as they are."""
    codec = MiioCodec(TOKEN)
    payload = {"id": 7, "method": "action", "params": {"in": ["你好", 1.5, True, None]}}
    packet = codec.encode(payload, device_id=1, stamp=0)
    assert codec.decode(packet).payload == payload
    key = _md5(TOKEN)
    plain = _aes_cbc(key, _md5(key + TOKEN), packet[32:], decrypt=True)
    assert json.loads(plain[: -plain[-1]]) == payload


def test_wrong_token_is_a_token_error() -> None:
    """A packet of another token fails the checksum check, with no token in the message."""
    packet = _expected_packet(PLAINTEXT)
    other = MiioCodec("ff" * 16)
    with pytest.raises(MiotLanTokenError) as err:
        other.decode(packet)
    assert "ff" * 16 not in str(err.value)
    assert TOKEN_HEX not in str(err.value)
    assert MiioCodec(TOKEN).same_token(TOKEN_HEX)
    assert not other.same_token(TOKEN)


def test_damaged_packets() -> None:
    """Short, foreign, wrongly sized, badly padded or non-JSON packets are protocol errors."""
    codec = MiioCodec(TOKEN)
    good = _expected_packet(PLAINTEXT)
    with pytest.raises(MiotLanProtocolError, match="shorter"):
        parse_header(good[:31])
    with pytest.raises(MiotLanProtocolError, match="magic"):
        parse_header(b"\x21\x32" + good[2:])
    with pytest.raises(MiotLanProtocolError, match="length"):
        parse_header(good + b"\x00")
    head = struct.pack(">HHQI", 0x2131, 32, 1, 2)
    with pytest.raises(MiotLanProtocolError, match="no payload"):
        codec.decode(head + _md5(head + TOKEN))
    with pytest.raises(MiotLanProtocolError, match="blocks"):
        codec.decrypt(b"\x00" * 15)
    with pytest.raises(MiotLanProtocolError, match="blocks"):
        codec.decrypt(b"")
    # Valid AES, padding byte 0x00 (not PKCS#7).
    key = _md5(TOKEN)
    bad_pad = _aes_cbc(key, _md5(key + TOKEN), b"A" * 15 + b"\x00")
    with pytest.raises(MiotLanProtocolError, match="padding"):
        codec.decrypt(bad_pad)
    with pytest.raises(MiotLanProtocolError, match="not JSON"):
        codec.decode(codec.encode(b"\xff\xfe not json", device_id=1, stamp=1))
    with pytest.raises(MiotLanProtocolError, match="not a JSON object"):
        codec.decode(codec.encode(b"[1, 2]", device_id=1, stamp=1))


def test_encode_ranges() -> None:
    """Device id fits 8 bytes, stamp 4 bytes."""
    codec = MiioCodec(TOKEN)
    assert parse_header(codec.encode({}, device_id=2**64 - 1, stamp=2**32 - 1)).stamp == 2**32 - 1
    for device_id, stamp in ((-1, 0), (2**64, 0), (0, -1), (0, 2**32)):
        with pytest.raises(MiotInvalidValueError):
            codec.encode({}, device_id=device_id, stamp=stamp)


def test_codec_repr_hides_token() -> None:
    """Neither the token nor the key appear in the repr."""
    text = repr(MiioCodec(TOKEN_HEX))
    assert TOKEN_HEX not in text
    assert KEY_HEX not in text
    assert "hidden" in text
