"""Staff gates for everyone (§4.3.2, §4.3.3, appendix A; R5, R34, R41): every serving staff member holds a
current pledge and training; the dashboard names who lacks one or whose ends within 30 days, whatever
their role; a reviewer whose pledge has lapsed is refused their post's actions until it is renewed."""
from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlmodel import select

from schemas.protocol import AccountRole
from sync_server.accounts.auth import create_account
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from sync_server.tables import StaffCredential
from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import FieldTeam, home_visit, problem_of
from tests.sync_server.staff_gate_helpers import renew_credentials

TODAY_PLUS = 10


def set_until(app: FastAPI, username: str, kind: str, days_from_today: int) -> None:
    with app.state.services.session() as session:
        today = app.state.services.clock().date()
        for row in session.exec(select(StaffCredential).where(StaffCredential.username == username,
                                                              StaffCredential.kind == kind)):
            row.valid_until = today + timedelta(days=days_from_today)
            session.add(row)
        session.commit()


def test_r41_reminders_name_every_role_30_days_ahead(team: FieldTeam, app: FastAPI):
    set_until(app, "wangfang", "pledge", TODAY_PLUS)  # a reviewer's pledge ends in ten days
    set_until(app, "chenjing", "training", 40)  # a clerk's training in forty: not yet
    with app.state.services.session() as session:
        create_account(session, username="qianyu", name="钱宇", role=AccountRole.REVIEWER, work_id="HC-2026-011",
                       password="New#Reviewer26", org_id=DEMO_AGENCY)  # a newcomer, nothing signed yet
        session.commit()
    console_login(team.client, "admin")
    page = team.client.get("/console/dashboard").text
    section = page.split('id="staff-gates"', 1)[1].split("</section>", 1)[0]
    assert "王芳" in section and "（还有 10 天）" in section and "保密承诺书将于" in section
    assert section.count("钱宇") == 2 and "保密承诺书缺失或已过期" in section and "岗前/年度培训缺失或已过期" in section
    assert "陈静" not in section and "周敏" not in section and "张伟" not in section
    assert section.index("钱宇") < section.index("王芳")  # the lapsed first


def test_r41_a_reviewer_with_a_lapsed_pledge_is_refused_their_post_until_renewed(team: FieldTeam, app: FastAPI):
    assert team.submit(home_visit()).status_code == 200
    set_until(app, "wangfang", "pledge", -1)
    review = f"/api/v1/cases/{DEMO_CASE_ID}/review"
    body = {"action": "comment", "reason": "请补充收入材料"}
    refused = team.client.post(review, json=body, headers=team.headers["wangfang"])
    problem = problem_of(refused)
    assert refused.status_code == 403 and problem["code"] == "staff.not_cleared"
    assert "保密承诺书" in problem["detail"] and "核证岗" in problem["detail"]
    renew_credentials(team.client, "wangfang")
    assert team.client.post(review, json=body, headers=team.headers["wangfang"]).status_code == 200
