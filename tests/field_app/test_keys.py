"""A surveyor's personal key, wrapped on the tablet with their PIN and the device secret held in the
key vault (R4: keys are personal; R21: the disk alone is not enough to search the PINs offline)."""
from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from field_app.errors import WrongPin
from field_app.store import keys
from field_app.store.keys import create_key, needs_rewrap, rewrap_key, unlock_key
from schemas.seal import public_key_bytes

SECRET = os.urandom(32)


def test_the_right_pin_unlocks_the_same_key():
    private, public_raw, blob = create_key("135790", SECRET)
    unlocked = unlock_key(blob, "135790", SECRET)
    assert public_key_bytes(unlocked.public_key()) == public_raw == public_key_bytes(private.public_key())
    assert len(public_raw) == 32 and public_raw not in blob and blob[:3] == b"FK2"


def test_a_wrong_pin_raises_wrong_pin_with_a_chinese_message():
    _, _, blob = create_key("135790", SECRET)
    with pytest.raises(WrongPin) as wrong:
        unlock_key(blob, "135791", SECRET)
    assert wrong.value.message == "PIN 码不正确"


def test_the_right_pin_without_the_device_secret_opens_nothing_r21():
    """The attack: the disk's blob and the right PIN (found by trying all 10^6), but not the vault."""
    _, _, blob = create_key("135790", SECRET)
    with pytest.raises(WrongPin):
        unlock_key(blob, "135790", os.urandom(32))
    header, sealed = blob[:34], blob[34:]
    pin_only = Scrypt(salt=header[6:22], length=32, n=2 ** keys.LOG2_N, r=8, p=1).derive(b"135790")
    with pytest.raises(InvalidTag):  # what the previous release's offline search would have done
        AESGCM(pin_only).decrypt(header[22:34], sealed, header)


def _legacy_fk1(pin: str):
    """A blob exactly as the previous release (69d0248) wrote it: FK1, the PIN alone."""
    import struct

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    header = struct.pack(">3sBBB16s12s", b"FK1", 10, 8, 1, salt, nonce)
    key = Scrypt(salt=salt, length=32, n=2 ** 10, r=8, p=1).derive(pin.encode())
    return private, header + AESGCM(key).encrypt(nonce, raw, header)


def test_a_previous_release_key_still_opens_and_is_rewrapped_with_the_device_secret():
    private, old = _legacy_fk1("480317")
    assert needs_rewrap(old)
    opened = unlock_key(old, "480317", SECRET)
    assert public_key_bytes(opened.public_key()) == public_key_bytes(private.public_key())
    new = rewrap_key(opened, "480317", SECRET)
    assert not needs_rewrap(new)
    assert public_key_bytes(unlock_key(new, "480317", SECRET).public_key()) == public_key_bytes(private.public_key())
    with pytest.raises(WrongPin):
        unlock_key(new, "480317", os.urandom(32))


def test_two_keys_for_the_same_pin_differ_in_salt_and_key():
    a, b = create_key("111111", SECRET), create_key("111111", SECRET)
    assert a[1] != b[1] and a[2][:22] != b[2][:22]


@pytest.mark.parametrize("offset", [6, 10, 30, -1])
def test_tampering_with_any_part_of_the_blob_fails_to_unlock(offset):
    _, _, blob = create_key("246810", SECRET)
    damaged = bytearray(blob)
    damaged[offset] ^= 0x01
    with pytest.raises((WrongPin, ValueError)):
        unlock_key(bytes(damaged), "246810", SECRET)


def test_an_empty_pin_cannot_protect_a_key():
    with pytest.raises(WrongPin):
        create_key("", SECRET)
