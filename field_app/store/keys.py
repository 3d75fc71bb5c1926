"""A surveyor's Ed25519 key, kept on the tablet wrapped with their PIN AND the device secret.

Blob layout (version 2): b"FK2" | log2(n) | r | p | salt (16) | nonce (12) | AES-GCM(private raw 32 + tag 16).
The wrapping key is HKDF-SHA256(scrypt(PIN, salt) || device secret, salt, "field_app/FK2"). The device
secret lives in the key vault (the platform keystore on a tablet, see vault.py), never on the data
disk, so the blob and the disk alone do not allow an offline search of the 10^6 six-digit PINs: the
attacker would need the keystore too (R21, MASVS-AUTH). The header is authenticated as associated
data, so its parameters cannot be swapped.

Version 1 blobs (b"FK1", PIN only: an offline PIN search was possible) are still read, so a tablet
upgraded from the previous release keeps its keys; `needs_rewrap` tells the caller to store the
key again as FK2 after the next successful unlock.
"""
from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from field_app.errors import WrongPin
from schemas.seal import public_key_bytes

MAGIC = b"FK2"
LEGACY_MAGIC = b"FK1"
LOG2_N, R, P = 15, 8, 1  # about 0.13 s and 32 MiB per unlock on the build machine
_HEADER = struct.Struct(">3sBBB16s12s")


def _derive(pin: str, salt: bytes, log2_n: int, r: int, p: int, secret: bytes | None) -> bytes:
    stretched = Scrypt(salt=salt, length=32, n=2 ** log2_n, r=r, p=p).derive(pin.encode("utf-8"))
    if secret is None:  # FK1: the PIN alone
        return stretched
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"field_app/FK2").derive(stretched + secret)


def _wrap(raw: bytes, pin: str, secret: bytes) -> bytes:
    if len(secret) < 32:
        raise ValueError("the device secret must be 32 bytes")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(MAGIC, LOG2_N, R, P, salt, nonce)
    return header + AESGCM(_derive(pin, salt, LOG2_N, R, P, secret)).encrypt(nonce, raw, header)


def create_key(pin: str, secret: bytes) -> tuple[Ed25519PrivateKey, bytes, bytes]:
    """A new key: (private key, 32 raw public bytes, private key wrapped with the PIN and the device secret)."""
    if not pin:
        raise WrongPin("PIN 码不能为空")
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return private, public_key_bytes(private.public_key()), _wrap(raw, pin, secret)


def rewrap_key(private: Ed25519PrivateKey, pin: str, secret: bytes) -> bytes:
    """An unlocked key wrapped again in the current format (FK1 -> FK2 after an upgrade)."""
    return _wrap(private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()), pin, secret)


def needs_rewrap(blob: bytes) -> bool:
    """Whether the blob is of an older format that the disk alone could open with a PIN search."""
    return blob[:3] != MAGIC


def unlock_key(blob: bytes, pin: str, secret: bytes) -> Ed25519PrivateKey:
    """The private key inside `blob`; raises WrongPin when the PIN (with this device's secret) does not open it."""
    if len(blob) < _HEADER.size + 16 or blob[:3] not in (MAGIC, LEGACY_MAGIC):
        raise ValueError("not a key blob of this app")
    magic, log2_n, r, p, salt, nonce = _HEADER.unpack(blob[:_HEADER.size])
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise ValueError("key blob parameters out of range")
    key = _derive(pin, salt, log2_n, r, p, secret if magic == MAGIC else None)
    try:
        raw = AESGCM(key).decrypt(nonce, blob[_HEADER.size:], blob[:_HEADER.size])
    except InvalidTag:
        raise WrongPin() from None
    return Ed25519PrivateKey.from_private_bytes(raw)
