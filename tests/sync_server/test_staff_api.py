"""Staff administration through the API (R4–R6, R27, R33, R34): accounts with organisation, posts and
scope; pledges and training gating field work; closing an account with a hand-over; password age."""
from __future__ import annotations

from datetime import date

import pytest

from sync_server.ops.seed import (
    DEMO_AGENCY,
    DEMO_CASE_ID,
    DEMO_TEAM_ID,
    DEMO_TOWNSHIP,
    UNAUTHORIZED_CASE_ID,
    scan_png,
)
from tests.sync_server.helpers import Clock, FieldTeam, home_visit, password_login, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]
PIN = "275318"


def surveyor(**overrides: object) -> dict:
    body = {"username": "sunli", "name": "孙丽", "work_id": "YB-2026-040", "role": "surveyor",
            "org_id": DEMO_AGENCY, "posts": [], "team_id": DEMO_TEAM_ID, "password": "Fresh#Start2026",
            "pin": PIN}
    return body | overrides


def credential(team: FieldTeam, admin: dict[str, str], username: str, kind: str, start: str, end: str):
    return team.client.post(f"/api/v1/accounts/{username}/credentials", content=scan_png(f"{kind}{start}"),
                            params={"kind": kind, "valid_from": start, "valid_until": end}, headers=admin)


def device(team: FieldTeam, username: str = "sunli", pin: str = PIN):
    return team.client.post("/api/v1/auth/device-login",
                            json={"username": username, "pin": pin, "device_id": "tablet-yb-09"})


def test_an_administrator_creates_real_name_accounts_with_posts_and_scope_r4_r6_r27_r33(team: FieldTeam):
    admin = password_login(team.client, "admin")
    weak = team.client.post("/api/v1/accounts", json=surveyor(password="short"), headers=admin)
    assert problem_of(weak)["code"] == "request.invalid" and "至少" in weak.json()["detail"]
    third = team.client.post("/api/v1/organisations", headers=admin,
                             json={"id": "tp-survey", "name": "重庆某社会调查有限公司", "kind": "third_party"})
    assert "资质" in problem_of(third)["detail"]  # R27: a third party's qualification is on record
    created = team.client.post("/api/v1/accounts", json=surveyor(posts=["verification"]), headers=admin)
    assert created.status_code == 201, created.text
    view = created.json()
    assert (view["org_name"], view["posts"], view["team_id"]) == ("渝北区救助家庭经济状况核查认定中心",
                                                                ["verification"], DEMO_TEAM_ID)
    assert not view["cleared_for_field_work"] and view["clearance_problems"] == ["保密承诺书缺失或已过期",
                                                                                "培训记录缺失或已过期"]
    clerk = team.client.post("/api/v1/accounts", headers=admin, json=surveyor(
        username="hemei", role="township", org_id=DEMO_TOWNSHIP, team_id=None, pin=""))
    assert clerk.json()["unit"] == "渝北区龙溪街道办事处"  # township scope comes from the organisation
    not_admin = team.client.post("/api/v1/accounts", json=surveyor(username="other"),
                                 headers=team.headers["wangfang"])
    assert problem_of(not_admin)["code"] == "auth.forbidden"


def test_field_work_needs_a_current_pledge_and_training_r5_r34(team: FieldTeam, clock: Clock):
    admin = password_login(team.client, "admin")
    assert team.client.post("/api/v1/accounts", json=surveyor(), headers=admin).status_code == 201
    refused = problem_of(device(team))
    assert refused["code"] == "staff.not_cleared" and "保密承诺书" in refused["detail"]
    assert credential(team, admin, "sunli", "pledge", "2026-01-05", "2027-01-04").status_code == 201
    assert "培训记录" in problem_of(device(team))["detail"]
    too_long = credential(team, admin, "sunli", "training", "2026-01-05", "2027-06-01")
    assert problem_of(too_long)["code"] == "request.invalid"
    assert credential(team, admin, "sunli", "training", "2026-01-05", "2027-01-04").status_code == 201
    assert device(team).status_code == 200
    clock.advance(days=60)  # 2027-01-16: last year's pledge has run out
    assert problem_of(device(team))["code"] == "staff.not_cleared"


def test_a_record_sealed_by_someone_whose_pledge_had_run_out_is_refused_r5(app, team: FieldTeam):
    from sqlmodel import select

    from sync_server.tables import StaffCredential

    with app.state.services.session() as session:
        for row in session.exec(select(StaffCredential).where(StaffCredential.username == "lina")):
            row.valid_until = date(2026, 11, 16)  # the visit is on 17 November
            session.add(row)
        session.commit()
    problem = problem_of(team.submit(home_visit("rec-no-pledge")))
    assert problem["code"] == "staff.not_cleared" and problem["data"]["username"] == "lina"


def test_closing_an_account_hands_its_cases_to_a_colleague_both_confirm_r4(team: FieldTeam):
    """Both people of the hand-over confirm it, each with their own token (surveyors from their tablet)."""
    admin = password_login(team.client, "admin")
    started = team.client.post("/api/v1/accounts/lina/close", json={"successor": "zhangwei"}, headers=admin)
    assert started.status_code == 201, started.text
    handover = started.json()
    assert handover["case_ids"] == [DEMO_CASE_ID, UNAUTHORIZED_CASE_ID]
    url = f"/api/v1/handovers/{handover['id']}/confirm"
    assert team.client.post(url, headers=team.headers["lina"]).json()["confirmed_by_from"]
    assert team.client.post(url, headers=admin).status_code == 404  # only the two people confirm
    done = team.client.post(url, headers=team.headers["zhangwei"]).json()
    assert done["confirmed_by_from"] and done["confirmed_by_to"]
    assert team.client.get("/api/v1/cases", headers=team.headers["lina"]).status_code == 401  # closed
    accounts = {a["username"]: a for a in team.client.get("/api/v1/accounts", headers=admin).json()}
    assert not accounts["lina"]["active"] and accounts["zhangwei"]["team_id"] == DEMO_TEAM_ID


def test_an_old_password_must_be_changed_before_signing_in_r33(team: FieldTeam, clock: Clock):
    clock.advance(days=200)  # every demo password is now older than 180 days
    stale = team.client.post("/api/v1/auth/login", json={"username": "admin", "password": "Keep$Records2026"})
    assert problem_of(stale)["code"] == "auth.password_change_required"
    renew = {"username": "admin", "old_password": "Keep$Records2026", "new_password": "Keep$Records2027"}
    assert team.client.post("/api/v1/auth/password", json=renew).status_code == 204
    admin = password_login(team.client, "admin", "Keep$Records2027")
    flagged = team.client.post("/api/v1/accounts/password-recheck", headers=admin)
    assert "wangfang" in flagged.json()
    login = team.client.post("/api/v1/auth/login", json={"username": "wangfang", "password": "Review!Case2026"})
    assert problem_of(login)["code"] == "auth.password_change_required"
    change = {"username": "wangfang", "old_password": "Review!Case2026", "new_password": "password"}
    assert problem_of(team.client.post("/api/v1/auth/password", json=change))["code"] == "request.invalid"
    change["new_password"] = "Renewed!Case2027"
    assert team.client.post("/api/v1/auth/password", json=change).status_code == 204
    assert password_login(team.client, "wangfang", "Renewed!Case2027")


def test_teams_are_formed_and_a_case_is_assigned_to_one_r7(team: FieldTeam):
    admin = password_login(team.client, "admin")
    assert team.client.post("/api/v1/teams", json={"id": "team-yb-02", "name": "渝北区第二调查小组"},
                            headers=admin).status_code == 201
    assert team.client.post("/api/v1/accounts", json=surveyor(team_id=None), headers=admin).status_code == 201
    moved = team.client.put("/api/v1/accounts/sunli/team", json={"team_id": "team-yb-02"}, headers=admin)
    assert moved.json()["team_id"] == "team-yb-02"
    clerk_try = team.client.put(f"/api/v1/intake/cases/{DEMO_CASE_ID}/team", json={"team_id": "team-yb-02"},
                                headers=password_login(team.client, "chenjing"))
    assert problem_of(clerk_try)["code"] == "auth.forbidden"
    assigned = team.client.put(f"/api/v1/intake/cases/{DEMO_CASE_ID}/team", json={"team_id": "team-yb-02"},
                               headers=team.headers["wangfang"])
    assert assigned.json()["team_id"] == "team-yb-02"
    assert team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()[0]["id"] != DEMO_CASE_ID
