"""Secrets (R6): strong passwords, sensible PINs, salted scrypt hashes, growing delays as a pure decision."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.accounts.auth import create_account
from sync_server.accounts.passwords import hash_secret, password_problems, pin_problems, secret_matches
from sync_server.accounts.throttle import ACCOUNT_CLIENT, Counter, after_failure
from sync_server.db import make_engine

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


@pytest.mark.parametrize("failures_before, last_ago, blocked_for", [
    (0, None, None),  # the first failure is free
    (3, timedelta(seconds=5), None),  # the fifth failure still is
    (4, timedelta(seconds=5), timedelta(seconds=1)),  # then 1 s,
    (5, timedelta(seconds=5), timedelta(seconds=2)),  # 2 s,
    (8, timedelta(seconds=5), timedelta(seconds=16)),  # 16 s ...
    (40, timedelta(seconds=5), timedelta(minutes=15)),  # never more than 15 minutes
    (40, timedelta(hours=2), None),  # a quiet hour starts the count again
])
def test_failed_sign_ins_grow_a_delay_instead_of_locking(failures_before, last_ago, blocked_for):
    """R6, ASVS V6.3: a delay doubling after five failures, capped, forgotten after a quiet hour."""
    counter = Counter(failures_before, None, None if last_ago is None else NOW - last_ago)
    after = after_failure(ACCOUNT_CLIENT, counter, NOW)
    assert after.last_failure_at == NOW
    assert (after.blocked_until - NOW if after.blocked_until else None) == blocked_for
