"""Secrets: scrypt hashing with a per-account salt, password strength (R6), PIN rules (delays: throttle.py).

Everything here is pure except the random salt.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import string
from itertools import pairwise

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10


def hash_secret(secret: str) -> str:
    """`scrypt$n$r$p$salt$hash`, salt and hash in base64."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def secret_matches(secret: str, stored: str) -> bool:
    """Whether the secret hashes to the stored value (constant-time compare; malformed means no)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(secret.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def password_problems(password: str, username: str) -> list[str]:
    """R6: why a password is too weak (empty list: strong enough)."""
    out = []
    if len(password) < MIN_PASSWORD_LENGTH:
        out.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    classes = [any(c in string.ascii_lowercase for c in password),
               any(c in string.ascii_uppercase for c in password),
               any(c.isdigit() for c in password),
               any(not c.isalnum() for c in password)]
    if sum(classes) < 3:
        out.append("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    if username and username.lower() in password.lower():
        out.append("密码不能包含用户名")
    return out


def pin_problems(pin: str) -> list[str]:
    """Why a tablet PIN is not acceptable: exactly 6 digits, not all the same, not a run like 123456."""
    if len(pin) != 6 or not all(c in string.digits for c in pin):
        return ["PIN 码须为 6 位数字"]
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps == {0}:
        return ["PIN 码不能是同一个数字"]
    if steps in ({1}, {-1}):
        return ["PIN 码不能是连续数字"]
    return []
