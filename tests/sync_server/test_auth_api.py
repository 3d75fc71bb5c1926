"""Signing in: personal PINs and passwords, growing delays after failures, sessions that expire (R4, R6)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from tests.sync_server.helpers import CREDENTIALS, Clock, FieldTeam, at_once, device_login, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

ZHANG_PIN = CREDENTIALS["zhangwei"].pin


def pin_login(team: FieldTeam, pin: str, username: str = "zhangwei"):
    return team.client.post("/api/v1/auth/device-login",
                            json={"username": username, "pin": pin, "device_id": "tablet-yb-01"})


def test_a_surveyor_signs_in_on_a_tablet_for_twelve_hours(team: FieldTeam, clock: Clock):
    """R4; issue 5 §1: device tokens are short-lived (Settings.device_session, one working day)."""
    response = pin_login(team, ZHANG_PIN)
    assert response.status_code == 200
    session = response.json()
    assert session["account"] == {"username": "zhangwei", "name": "张伟", "role": "surveyor",
                                  "work_id": "YB-2026-017", "team_id": "team-yb-01"}
    assert datetime.fromisoformat(session["expires_at"]) - clock.now == timedelta(hours=12)


def test_a_device_session_stops_working_after_twelve_hours(team: FieldTeam, clock: Clock):
    headers = device_login(team.client, "zhangwei")
    assert team.client.get("/api/v1/cases", headers=headers).status_code == 200
    clock.advance(hours=12, seconds=1)
    assert problem_of(team.client.get("/api/v1/cases", headers=headers))["code"] == "auth.invalid"


def test_wrong_pins_slow_the_guesser_down_with_growing_delays(team: FieldTeam, clock: Clock):
    """R6, ASVS V6.3.1: five free tries, then 429 `auth.throttled` with Retry-After, doubling each time;
    a blocked try is not even checked, so the right PIN waits too, and works once the delay is over."""
    codes = [problem_of(pin_login(team, "000111"))["code"] for _ in range(5)]
    assert codes == ["auth.invalid"] * 5
    blocked = pin_login(team, ZHANG_PIN)
    assert (problem_of(blocked)["code"], blocked.status_code, blocked.headers["Retry-After"]) == \
        ("auth.throttled", 429, "1")
    clock.advance(seconds=1)
    assert problem_of(pin_login(team, "000111"))["code"] == "auth.invalid"  # the sixth failure: 2 s now
    assert pin_login(team, ZHANG_PIN).headers["Retry-After"] == "2"
    clock.advance(seconds=2)
    assert pin_login(team, ZHANG_PIN).status_code == 200


def test_wrong_pins_sent_at_the_same_time_are_all_counted(app: FastAPI, team: FieldTeam):
    """R6: six guesses in parallel count six, just as six in a row do (compare-and-set: no lost update
    under PostgreSQL's READ COMMITTED or SQLite's deferred transactions)."""
    from sync_server.tables import LoginThrottle

    body = {"username": "zhangwei", "pin": "000111", "device_id": "tablet-yb-01"}
    responses = at_once(6, lambda client: client.post("/api/v1/auth/device-login", json=body), app)
    assert sorted(problem_of(r)["code"] for r in responses) == ["auth.invalid"] * 6
    with app.state.services.session() as session:
        assert session.get(LoginThrottle, "acct-client:zhangwei|testclient").failures == 6
        assert session.get(LoginThrottle, "pin:zhangwei").failures == 6
    assert problem_of(pin_login(team, ZHANG_PIN))["code"] == "auth.throttled"


def test_text_holding_a_nul_character_is_a_request_problem_on_every_database(team: FieldTeam):
    """PostgreSQL cannot store or compare U+0000; it is refused up front, the same way on SQLite."""
    for username, device_id in [("zhang\u0000wei", "tablet-yb-01"), ("zhangwei", "tablet\u0000yb")]:
        response = team.client.post("/api/v1/auth/device-login", json={
            "username": username, "pin": ZHANG_PIN, "device_id": device_id})
        problem = problem_of(response)
        assert (problem["code"], problem["status"]) == ("request.invalid", 422)
        assert "空字符" in problem["detail"]
    assert pin_login(team, ZHANG_PIN).status_code == 200  # the refused requests changed nothing


def test_a_right_pin_resets_the_failure_count(team: FieldTeam):
    for _ in range(4):
        pin_login(team, "000111")
    assert pin_login(team, ZHANG_PIN).status_code == 200
    assert [problem_of(pin_login(team, "000111"))["code"] for _ in range(5)] == ["auth.invalid"] * 5


def test_staff_without_a_pin_cannot_sign_in_on_a_tablet(team: FieldTeam):
    assert problem_of(pin_login(team, "123580", username="wangfang"))["code"] == "auth.invalid"


def test_staff_sign_in_with_a_password_for_twelve_hours(team: FieldTeam, clock: Clock):
    response = team.client.post("/api/v1/auth/login", json={"username": "wangfang",
                                                            "password": CREDENTIALS["wangfang"].password})
    assert response.status_code == 200
    expires = datetime.fromisoformat(response.json()["expires_at"])
    assert (expires - clock.now).total_seconds() == 12 * 3600


def test_a_wrong_password_is_refused(team: FieldTeam):
    body = {"username": "wangfang", "password": "Wrong#Pass2026"}
    response = team.client.post("/api/v1/auth/login", json=body)
    assert problem_of(response)["code"] == "auth.invalid"


def test_a_closed_account_can_no_longer_sign_in_or_use_its_sessions(app: FastAPI, team: FieldTeam):
    """R4: an account is closed when its holder leaves."""
    from sync_server.tables import Account

    with app.state.services.session() as session:
        account = session.get(Account, "lina")
        account.active = False
        session.commit()
    old_session = team.client.get("/api/v1/cases", headers=team.headers["lina"])
    assert problem_of(old_session)["code"] == "auth.invalid"
    assert problem_of(pin_login(team, CREDENTIALS["lina"].pin, username="lina"))["code"] == "auth.invalid"


def test_requests_without_a_token_are_asked_to_sign_in(team: FieldTeam):
    problem = problem_of(team.client.get("/api/v1/cases"))
    assert (problem["code"], problem["status"], problem["title"]) == ("auth.required", 401, "请先登录")
