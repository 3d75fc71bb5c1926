"""The tablet locks after a configurable idle time; a signed-in surveyor unlocks it with their PIN (MASVS-AUTH)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from field_app.__main__ import parse
from field_app.settings import Settings
from field_app.viewmodels.idle_lock import IdleLock
from tests.field_app.helpers import TEAM


def test_the_tablet_locks_only_after_the_idle_time_and_activity_restarts_it(team, clock):
    lock = IdleLock(team, timedelta(minutes=5), clock)
    clock.advance(minutes=4, seconds=59)
    assert lock.check() is False
    lock.touch()
    clock.advance(minutes=4, seconds=59)
    assert lock.check() is False
    clock.advance(seconds=1)
    assert lock.check() is True
    lock.touch()  # a tap on the locked screen does not unlock or restart anything
    assert lock.check() is True


def test_a_signed_in_surveyors_pin_unlocks_and_a_wrong_one_does_not(team, clock):
    changes = []
    lock = IdleLock(team, timedelta(minutes=5), clock)
    lock.subscribe(lambda: changes.append(lock.locked))
    lock.lock_now()
    assert lock.choices() == [(u, n) for u, n, _ in TEAM]
    assert lock.unlock("zhangwei", "999999") is False
    assert lock.locked and "PIN" in lock.error
    assert lock.unlock("lina", "") is False and lock.error == "请选择调查人员并输入 PIN 码"
    assert lock.unlock("nobody", "111111") is False and lock.locked
    assert lock.unlock("lina", TEAM[1][2]) is True
    assert not lock.locked and lock.error == ""
    assert changes[0] is True and changes[-1] is False
    clock.advance(minutes=4)
    assert lock.check() is False  # the idle time starts again at the unlock


def test_five_wrong_pins_lock_the_account_as_at_sign_in(team, clock):
    lock = IdleLock(team, timedelta(minutes=5), clock)
    lock.lock_now()
    for _ in range(5):
        lock.unlock("zhangwei", "000000")
    assert lock.unlock("zhangwei", TEAM[0][2]) is False  # even the right PIN, for now
    assert lock.locked and "错误次数过多" in lock.error


def test_nobody_signed_in_means_nothing_to_lock_and_zero_means_never(store, offline_client, clock):
    from field_app.viewmodels import TeamSession

    empty = TeamSession(store, offline_client, "tablet-1", clock)
    lock = IdleLock(empty, timedelta(seconds=1), clock)
    clock.advance(hours=1)
    assert lock.check() is False
    never = IdleLock(empty, timedelta(0), clock)
    assert never.idle_after is None


def test_the_idle_time_comes_from_settings_env_and_command_line(monkeypatch, tmp_path):
    assert Settings.from_env({}).idle_lock_seconds == 300
    assert Settings.from_env({"FIELD_IDLE_LOCK_SECONDS": "60"}).idle_lock_seconds == 60
    assert Settings.from_env({"FIELD_IDLE_LOCK_SECONDS": "0"}).idle_lock_seconds == 0
    with pytest.raises(ValueError, match="FIELD_IDLE_LOCK_SECONDS"):
        Settings.from_env({"FIELD_IDLE_LOCK_SECONDS": "five"})
    monkeypatch.setenv("FIELD_IDLE_LOCK_SECONDS", "120")
    assert parse(["--data-dir", str(tmp_path)]).idle_lock_seconds == 120
    assert parse(["--data-dir", str(tmp_path), "--idle-lock-seconds", "30"]).idle_lock_seconds == 30
