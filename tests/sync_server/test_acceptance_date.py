"""R3: the acceptance date that starts the ten working days is the agency's, not the clerk's: the server's
date (Beijing) when the materials are submitted, never before the entrustment date; a 受理岗 reviewer may
correct it with a reason, and the correction is logged; the deadline follows from it."""
from __future__ import annotations

import json

from fastapi import FastAPI
from sqlmodel import col, select

from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditEntry
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.helpers import FieldTeam, password_login, problem_of
from tests.sync_server.test_intake_api import API, complete, create, new_case

CORRECT = f"{API}/cases/{DEMO_CASE_ID}/accepted-on"


def test_the_server_dates_the_receipt_and_ignores_a_typed_date(team: FieldTeam, clock):
    """2010 was once accepted for a 2026 entrustment: a typed acceptance date is not used; handing the
    materials in two days later dates the acceptance then, and the deadline follows."""
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk, accepted_on="2010-01-01")
    assert case["accepted_on"] == "2026-11-17"  # provisional: the day it was entered (Beijing)
    complete(team, clerk, case)
    clock.advance(days=2)  # 2026-11-19 10:00 in Beijing
    submitted = team.client.post(f"{API}/cases/{case['case_id']}/submit", headers=password_login(team.client, "chenjing"))
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["accepted_on"], submitted.json()["deadline"]) == ("2026-11-19", "2026-12-03")


def test_an_entrustment_dated_in_the_future_is_refused(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    response = team.client.post(f"{API}/cases", json=new_case(entrusted_on="2026-12-01"), headers=clerk)
    assert response.status_code == 422 and "委托日期 2026-12-01 晚于今天" in problem_of(response)["detail"]


def corrections(app: FastAPI) -> list[dict]:
    with app.state.services.session() as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.kind == "case.accepted_on_corrected")
                            .order_by(col(AuditEntry.position)))
        return [{"actor": r.actor, **json.loads(r.entry)["data"]} for r in rows]


def test_a_reception_post_corrects_the_date_with_a_logged_reason(team: FieldTeam, app: FastAPI):
    """The demo case was entrusted and received on 2026-11-16; 王芳 (受理岗) moves it to 11-17 with a reason;
    before the entrustment, after today, without a reason, without the post or as the clerk: refused."""
    wangfang = team.headers["wangfang"]
    before = team.client.put(CORRECT, json={"accepted_on": "2026-11-15", "reason": "补录"}, headers=wangfang)
    assert before.status_code == 422 and problem_of(before)["code"] == "intake.acceptance_date"
    assert "早于委托日期 2026-11-16" in problem_of(before)["detail"]
    future = team.client.put(CORRECT, json={"accepted_on": "2026-11-18", "reason": "补录"}, headers=wangfang)
    assert future.status_code == 422 and "晚于今天" in problem_of(future)["detail"]
    blank = team.client.put(CORRECT, json={"accepted_on": "2026-11-17", "reason": "  "}, headers=wangfang)
    assert blank.status_code == 422
    clerk = team.client.put(CORRECT, json={"accepted_on": "2026-11-17", "reason": "x"},
                            headers=password_login(team.client, "chenjing"))
    assert clerk.status_code == 403
    admin = team.client.put(CORRECT, json={"accepted_on": "2026-11-17", "reason": "x"},
                            headers=password_login(team.client, "admin"))
    assert admin.status_code == 403
    assert corrections(app) == []
    done = team.client.put(CORRECT, json={"accepted_on": "2026-11-17", "reason": "材料于17日方送达中心"}, headers=wangfang)
    assert done.status_code == 200, done.text
    assert (done.json()["accepted_on"], done.json()["deadline"]) == ("2026-11-17", "2026-12-01")
    [logged] = corrections(app)
    assert logged["actor"] == "wangfang"
    assert (logged["old"], logged["new"], logged["reason"]) == ("2026-11-16", "2026-11-17", "材料于17日方送达中心")
    case = team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=team.headers["zhangwei"]).json()["case"]
    assert (case["accepted_on"], case["deadline"]) == ("2026-11-17", "2026-12-01")  # the tablet sees it too


def test_the_console_corrects_the_date_and_explains_a_refusal(team: FieldTeam, app: FastAPI):
    assert console_login(team.client, "wangfang").status_code == 303
    page = f"/console/intake/{DEMO_CASE_ID}"
    assert "更正受理日期" in team.client.get(page).text
    early = console_post(team.client, f"{page}/accepted-on", {"accepted_on": "2026-11-01", "reason": "x"}, page=page)
    assert early.status_code == 422 and "早于委托日期" in early.text
    done = console_post(team.client, f"{page}/accepted-on", {"accepted_on": "2026-11-17", "reason": "送达日更正"},
                        page=page)
    assert done.status_code == 200 and "受理日期已更正为 2026-11-17" in done.text
    assert [c["reason"] for c in corrections(app)] == ["送达日更正"]
