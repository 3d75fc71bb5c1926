"""A surveyor's Ed25519 key, kept on the tablet encrypted with their PIN.

Blob layout (version 1): b"FK1" | log2(n) | r | p | salt (16) | nonce (12) | AES-GCM(private raw 32 + tag 16).
The header is authenticated as associated data, so its parameters cannot be swapped.
Known debt: a 6-digit PIN has 10^6 values; anyone holding the tablet's disk can try them all
offline (about 0.13 s each here: some 36 hours on one core, minutes on a cluster). The PIN protects the key from a
casual finder, not from a determined attacker with the disk.
"""
from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from field_app.errors import WrongPin
from schemas.seal import public_key_bytes

MAGIC = b"FK1"
LOG2_N, R, P = 15, 8, 1  # about 0.13 s and 32 MiB per unlock on the build machine
_HEADER = struct.Struct(">3sBBB16s12s")


def _derive(pin: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=2 ** log2_n, r=r, p=p).derive(pin.encode("utf-8"))


def create_key(pin: str) -> tuple[Ed25519PrivateKey, bytes, bytes]:
    """A new key: (private key, 32 raw public bytes, private key encrypted with the PIN)."""
    if not pin:
        raise WrongPin("PIN 码不能为空")
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(MAGIC, LOG2_N, R, P, salt, nonce)
    sealed = AESGCM(_derive(pin, salt, LOG2_N, R, P)).encrypt(nonce, raw, header)
    return private, public_key_bytes(private.public_key()), header + sealed


def unlock_key(blob: bytes, pin: str) -> Ed25519PrivateKey:
    """The private key inside `blob`; raises WrongPin when the PIN does not open it."""
    if len(blob) < _HEADER.size + 16 or blob[:3] != MAGIC:
        raise ValueError("not a key blob of this app")
    _magic, log2_n, r, p, salt, nonce = _HEADER.unpack(blob[:_HEADER.size])
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise ValueError("key blob parameters out of range")
    try:
        raw = AESGCM(_derive(pin, salt, log2_n, r, p)).decrypt(nonce, blob[_HEADER.size:], blob[:_HEADER.size])
    except InvalidTag:
        raise WrongPin() from None
    return Ed25519PrivateKey.from_private_bytes(raw)
