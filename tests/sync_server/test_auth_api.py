"""Signing in: personal PINs and passwords, lockout after five failures, sessions that expire (R4, R6)."""
from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI

from tests.sync_server.helpers import CREDENTIALS, Clock, FieldTeam, device_login, problem_of

ZHANG_PIN = CREDENTIALS["zhangwei"].pin


def pin_login(team: FieldTeam, pin: str, username: str = "zhangwei"):
    return team.client.post("/api/v1/auth/device-login",
                            json={"username": username, "pin": pin, "device_id": "tablet-yb-01"})


def test_a_surveyor_signs_in_on_a_tablet_for_thirty_days(team: FieldTeam, clock: Clock):
    response = pin_login(team, ZHANG_PIN)
    assert response.status_code == 200
    session = response.json()
    assert session["account"] == {"username": "zhangwei", "name": "张伟", "role": "surveyor",
                                  "work_id": "YB-2026-017", "team_id": "team-yb-01"}
    assert (datetime.fromisoformat(session["expires_at"]) - clock.now).days == 30


def test_a_device_session_stops_working_after_thirty_days(team: FieldTeam, clock: Clock):
    headers = device_login(team.client, "zhangwei")
    assert team.client.get("/api/v1/cases", headers=headers).status_code == 200
    clock.advance(days=30, seconds=1)
    assert problem_of(team.client.get("/api/v1/cases", headers=headers))["code"] == "auth.invalid"


def test_five_wrong_pins_lock_the_account_for_fifteen_minutes(team: FieldTeam, clock: Clock):
    """R6: guessing a 6-digit PIN is stopped after five tries."""
    codes = [problem_of(pin_login(team, "000111"))["code"] for _ in range(5)]
    assert codes == ["auth.invalid"] * 4 + ["auth.locked"]
    locked = problem_of(pin_login(team, ZHANG_PIN))
    assert (locked["code"], locked["status"]) == ("auth.locked", 423)
    clock.advance(minutes=14)
    assert problem_of(pin_login(team, ZHANG_PIN))["code"] == "auth.locked"
    clock.advance(minutes=1, seconds=1)
    assert pin_login(team, ZHANG_PIN).status_code == 200


def test_a_wrong_pin_says_how_many_tries_are_left(team: FieldTeam):
    problem = problem_of(pin_login(team, "000111"))
    assert problem["data"]["attempts_left"] == 4
    assert problem["title"] == "账号或 PIN 码不正确"


def test_a_right_pin_resets_the_failure_count(team: FieldTeam):
    for _ in range(4):
        pin_login(team, "000111")
    assert pin_login(team, ZHANG_PIN).status_code == 200
    assert problem_of(pin_login(team, "000111"))["data"]["attempts_left"] == 4


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_pin(team: FieldTeam):
    assert problem_of(pin_login(team, ZHANG_PIN, username="nobody"))["code"] == "auth.invalid"


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
