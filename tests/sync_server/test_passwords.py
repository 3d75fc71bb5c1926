"""Secrets (R6): strong passwords, sensible PINs, salted scrypt hashes, lockout as a pure decision."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.auth import create_account
from sync_server.db import make_engine
from sync_server.passwords import (
    LOCK_DURATION,
    LoginState,
    decide_login,
    hash_secret,
    password_problems,
    pin_problems,
    secret_matches,
)

NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("password, ok", [
    ("Survey#2026zw", True),
    ("abcDEF1234", True),  # three classes, ten characters
    ("abc#def!2026", True),
    ("Short#1a", False),  # too short
    ("alllowercaseletters", False),  # one class
    ("lowercase2026only", False),  # two classes
    ("Zhangwei#2026", False),  # contains the username
    ("", False),
])
def test_password_strength(password: str, ok: bool):
    assert (password_problems(password, "zhangwei") == []) is ok


@pytest.mark.parametrize("pin, ok", [
    ("480317", True), ("592046", True), ("135790", True),
    ("111111", False), ("123456", False), ("654321", False), ("012345", False),
    ("12345", False), ("1234567", False), ("12a456", False), ("", False), ("４８０３１７", False),
])
def test_pin_rules(pin: str, ok: bool):
    assert (pin_problems(pin) == []) is ok


def test_a_weak_password_is_rejected_when_an_account_is_created(tmp_path):
    """R6: the check runs where accounts are made, and says why in Chinese."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    with Session(engine) as session:
        with pytest.raises(ProblemError) as raised:
            create_account(session, username="wangfang", name="王芳", role=AccountRole.REVIEWER,
                           password="wangfang2026")
        assert raised.value.code == Code.VALIDATION
        assert "密码不能包含用户名" in raised.value.data["problems"]
        with pytest.raises(ProblemError):
            create_account(session, username="sunli", name="孙丽", role=AccountRole.SURVEYOR,
                           password="Strong#Pass2026", pin="000000")
    engine.dispose()


def test_hashes_are_salted_per_secret_and_verify():
    first, second = hash_secret("480317"), hash_secret("480317")
    assert first != second
    assert secret_matches("480317", first) and secret_matches("480317", second)
    assert not secret_matches("480318", first)
    assert not secret_matches("480317", "garbage")


LOCKED = LoginState(0, NOW + timedelta(minutes=5))


@pytest.mark.parametrize("state, secret_ok, allowed, locked, after", [
    (LoginState(0, None), True, True, False, LoginState(0, None)),
    (LoginState(3, None), True, True, False, LoginState(0, None)),
    (LoginState(0, None), False, False, False, LoginState(1, None)),
    (LoginState(3, None), False, False, False, LoginState(4, None)),
    (LoginState(4, None), False, False, True, LoginState(0, NOW + LOCK_DURATION)),
    (LOCKED, True, False, True, LOCKED),  # the right secret does not open a locked account
    (LoginState(0, NOW - timedelta(seconds=1)), True, True, False, LoginState(0, None)),  # lock expired
])
def test_lockout_decision(state, secret_ok, allowed, locked, after):
    decision = decide_login(state, secret_ok, NOW)
    assert (decision.allowed, decision.locked, decision.state) == (allowed, locked, after)
