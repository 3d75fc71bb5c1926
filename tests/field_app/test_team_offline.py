"""Signing in on the tablet without a server (R4 personal keys and PINs, R7 the team)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from field_app.errors import SignInError, WrongPin
from field_app.store import queries as q
from field_app.viewmodels import TeamSession
from tests.field_app.helpers import seed_account


@pytest.fixture
def session(store, offline_client, clock) -> TeamSession:
    seed_account(store, "zhangwei", "张伟", "111111", now=clock(), token="tok-zhangwei")
    seed_account(store, "lina", "李娜", "222222", now=clock())
    return TeamSession(store, offline_client, "device-test", clock)


def test_offline_a_surveyor_known_here_signs_in_with_the_pin_that_opens_their_key(session):
    changes = []
    session.subscribe(lambda: changes.append(1))
    member = session.sign_in("zhangwei", "111111")
    assert member.name == "张伟" and member.online is False and member.team_id == "team-1"
    assert session.members == [member] and session.operator == "zhangwei" and changes


def test_offline_a_surveyor_never_signed_in_here_is_refused(session):
    with pytest.raises(SignInError, match="从未在本平板登录"):
        session.sign_in("wangwu", "333333")
    assert session.members == []


def test_offline_a_wrong_pin_is_refused_and_locks_after_five_tries(session, clock):
    for left in (4, 3, 2, 1):
        with pytest.raises(SignInError, match=f"还可尝试 {left} 次"):
            session.sign_in("lina", "000000")
    with pytest.raises(SignInError, match="锁定"):
        session.sign_in("lina", "000000")
    with pytest.raises(SignInError, match="错误次数过多"):
        session.sign_in("lina", "222222")  # even the right PIN waits out the lock
    clock.advance(minutes=16)
    assert session.sign_in("lina", "222222").username == "lina"


def test_the_same_person_cannot_sign_in_twice(session):
    session.sign_in("zhangwei", "111111")
    with pytest.raises(SignInError, match="不能重复登录"):
        session.sign_in("zhangwei", "111111")
    assert len(session.members) == 1


def test_a_surveyor_of_another_team_cannot_join(session, store, clock):
    seed_account(store, "zhaoliu", "赵六", "444444", team_id="team-2", now=clock())
    session.sign_in("zhangwei", "111111")
    with pytest.raises(SignInError, match="调查小组"):
        session.sign_in("zhaoliu", "444444")


def test_the_token_is_any_members_unexpired_token_and_sign_out_forgets_it(session, store, clock):
    session.sign_in("lina", "222222")
    assert session.token() is None  # lina has no token on this tablet
    session.sign_in("zhangwei", "111111")
    assert session.token() == "tok-zhangwei"
    clock.advance(days=31)
    assert session.token() is None
    clock.now -= timedelta(days=31)
    session.sign_out("zhangwei")
    assert [m.username for m in session.members] == ["lina"] and session.operator == "lina"
    with store.reading() as s:
        assert q.get_account(s, "zhangwei").token is None
    assert session.token() is None


def test_unlock_gives_a_members_key_and_refuses_a_wrong_pin(session):
    session.sign_in("zhangwei", "111111")
    key = session.unlock("zhangwei", "111111")
    assert key.public_key() is not None
    with pytest.raises(WrongPin, match="张伟"):
        session.unlock("zhangwei", "123456")
    with pytest.raises(SignInError, match="未登录"):
        session.unlock("lina", "222222")
