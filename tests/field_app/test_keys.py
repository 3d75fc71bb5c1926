"""A surveyor's personal key, encrypted on the tablet with their PIN (R4: keys are personal)."""
from __future__ import annotations

import pytest

from field_app.errors import WrongPin
from field_app.store.keys import create_key, unlock_key
from schemas.seal import public_key_bytes


def test_the_right_pin_unlocks_the_same_key():
    private, public_raw, blob = create_key("135790")
    unlocked = unlock_key(blob, "135790")
    assert public_key_bytes(unlocked.public_key()) == public_raw == public_key_bytes(private.public_key())
    assert len(public_raw) == 32 and public_raw not in blob


def test_a_wrong_pin_raises_wrong_pin_with_a_chinese_message():
    _, _, blob = create_key("135790")
    with pytest.raises(WrongPin) as wrong:
        unlock_key(blob, "135791")
    assert wrong.value.message == "PIN 码不正确"


def test_two_keys_for_the_same_pin_differ_in_salt_and_key():
    a, b = create_key("111111"), create_key("111111")
    assert a[1] != b[1] and a[2][:22] != b[2][:22]


@pytest.mark.parametrize("offset", [6, 10, 30, -1])
def test_tampering_with_any_part_of_the_blob_fails_to_unlock(offset):
    _, _, blob = create_key("246810")
    damaged = bytearray(blob)
    damaged[offset] ^= 0x01
    with pytest.raises((WrongPin, ValueError)):
        unlock_key(bytes(damaged), "246810")


def test_an_empty_pin_cannot_protect_a_key():
    with pytest.raises(WrongPin):
        create_key("")
