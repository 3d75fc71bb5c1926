"""The director's dashboard over a seeded year (issue 20; R3, R37): every figure recounted here on its own
from the seeding plan (deadlines by walking the calendar day by day), the page's charts and tables, the
XLSX opened by openpyxl and its numbers checked, a reviewer seeing only their agency, and a manager
recording the period's assessment (table + audit log)."""
from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from fastapi import FastAPI
from sqlmodel import select

from schemas.staffing import Post
from schemas.workdays import HolidayTable
from sync_server.ops.seed import DEMO_AGENCY
from sync_server.tables import Account, AuditEntry, QualityAssessment, ReportVersion
from tests.sync_server.bulk import templates
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.dashboard_seed import FIRST_DAY, SeededCase, seed_year
from tests.sync_server.helpers import FieldTeam

TODAY = date(2026, 11, 17)  # the test clock's Beijing date
PERIOD = f"from={FIRST_DAY.isoformat()}&to={(FIRST_DAY + timedelta(days=364)).isoformat()}"
CASES = 420  # more than a year: the last cases wrap to the first days again


def working_days_after(start: date, end: date, table: HolidayTable) -> int:
    return sum(1 for k in range(1, (end - start).days + 1) if table.is_workday(start + timedelta(days=k)))


def deadline_of(case: SeededCase, table: HolidayTable) -> date:
    day, left = case.accepted_on, 20 if case.re_verification else 10
    while left:
        day += timedelta(days=1)
        left -= table.is_workday(day)
    return day


def expected(plans: list[SeededCase], table: HolidayTable) -> dict:
    done = [c for c in plans if c.reported_on is not None]
    on_time = [c for c in done if c.reported_on <= deadline_of(c, table)]  # type: ignore[operator]
    overdue = [c for c in plans if (c.reported_on is not None and c not in on_time)
               or (c.reported_on is None and deadline_of(c, table) < TODAY)]
    days = sum(working_days_after(c.accepted_on, c.reported_on, table) for c in done)  # type: ignore[arg-type]
    records = [r for c in plans for r in c.records]
    returns = [ret for c in plans for ret in c.returns]
    return {"受理案件": len(plans), "办结案件": len(done), "按期办结": len(on_time), "逾期": len(overdue),
            "按期率（%）": round(len(on_time) / len(done) * 100, 1),
            "平均办理工作日": round(days / len(done), 1), "调查记录": len(records),
            "退回记录": len({r for r, _ in returns}), "退回次数": len(returns),
            "拒绝入户（记录）": sum(len(c.refused) for c in plans),
            "无法签字（记录）": sum(len(c.cannot_sign) for c in plans),
            "复核轮次：开启": sum(len(c.rounds) for c in plans),
            "复核轮次：已办结": sum(1 for c in plans for closed, _ in c.rounds if closed),
            "复核轮次：已反馈委托单位": sum(1 for c in plans for _, fed in c.rounds if fed)}


def sheet_rows(book: openpyxl.Workbook, title: str) -> list[tuple]:
    return list(book[title].iter_rows(min_row=3, values_only=True))


@pytest.fixture
def year(app: FastAPI) -> list[SeededCase]:
    with app.state.services.session() as session:
        return seed_year(session, CASES, templates())


@pytest.fixture
def weeks(app: FastAPI) -> list[SeededCase]:
    """Enough for the rules that are not arithmetic over a year (make check stays quick)."""
    with app.state.services.session() as session:
        return seed_year(session, 60, templates())


@pytest.mark.both_databases  # the Beijing date of a report is computed in SQL, differently on each
def test_r37_the_dashboard_figures_match_counts_made_independently(team: FieldTeam, app: FastAPI,
                                                                   year: list[SeededCase]):
    table = HolidayTable.builtin()
    in_period = [c for c in year if c.accepted_on <= FIRST_DAY + timedelta(days=364)]
    want = expected(in_period, table)
    assert 0 < want["按期办结"] < want["办结案件"] < want["受理案件"] and want["拒绝入户（记录）"] > 0
    console_login(team.client, "admin")
    page = team.client.get(f"/console/dashboard?{PERIOD}")
    assert page.status_code == 200, page.text
    assert page.text.count("<svg") >= 5 and 'id="table-people"' in page.text and "下载 XLSX" in page.text
    response = team.client.get(f"/console/dashboard/all.xlsx?{PERIOD}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = dict(sheet_rows(book, "总体情况"))
    for name, value in want.items():
        assert summary[name] == value, name
    teams = {row[0]: row for row in sheet_rows(book, "按调查小组")}
    for team_id, name in (("team-yb-01", "渝北区第一调查小组"), ("team-yb-09", "渝北区第九调查小组")):
        mine = [c for c in in_period if c.team_id == team_id]
        assert teams[name][1:5] == tuple(expected(mine, table)[k] for k in ("受理案件", "办结案件", "按期办结", "逾期"))
    people = {row[1]: row for row in sheet_rows(book, "按人员（过程与时效，§4.3.5）")}
    for username in ("zhangwei", "lina"):  # both of the pair, whoever's tablet delivered the record
        records = [r for c in in_period for r in c.records if username in c.sealers[r]]
        returned = {r for c in in_period for r, _ in c.returns if username in c.sealers[r]}
        cases = [c for c in in_period if any(username in s for s in c.sealers.values())]
        refused = [r for c in in_period for r in c.refused if username in c.sealers[r]]
        assert people[username][2:5] == (len(records), len(refused), len(returned)), username
        assert people[username][6] == len(cases)
        assert len(records) > sum(1 for c in in_period for r in c.records if c.uploaders[r] == username)
    reasons = Counter(reason for c in in_period for _, reason in c.returns)
    assert dict(sheet_rows(book, "退回原因（前十）")) == dict(reasons)
    findings = Counter(code for c in in_period for code in c.findings.values())
    assert {row[1]: row[2] for row in sheet_rows(book, "留证发现（按类型）") if row[2]} == dict(findings)
    weeks = sheet_rows(book, "按周趋势（按受理周）")
    assert sum(row[1] for row in weeks) == want["受理案件"] and len(weeks) in (53, 54)


def test_a_reviewer_sees_their_agency_only_and_one_table_downloads_alone(team: FieldTeam, weeks: list[SeededCase]):
    year = weeks
    table = HolidayTable.builtin()
    mine = [c for c in year if c.agency_id == DEMO_AGENCY and c.accepted_on <= FIRST_DAY + timedelta(days=364)]
    console_login(team.client, "wangfang")
    response = team.client.get(f"/console/dashboard/summary.xlsx?{PERIOD}")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总体情况"]
    assert dict(sheet_rows(book, "总体情况"))["受理案件"] == expected(mine, table)["受理案件"] < len(year)
    assert "江北区核查中心" not in team.client.get(f"/console/dashboard?{PERIOD}").text
    assert team.client.get("/console/dashboard?from=2026-13-01").status_code == 422
    console_login(team.client, "chenjing")
    assert team.client.get("/console/dashboard").status_code == 403


def test_r37_a_manager_records_the_periods_assessment_with_the_figures(team: FieldTeam, app: FastAPI,
                                                                       weeks: list[SeededCase]):
    console_login(team.client, "wangfang")
    form = {"from": FIRST_DAY.isoformat(), "to": (FIRST_DAY + timedelta(days=364)).isoformat(),
            "username": "lina", "grade": "competent", "remarks": "记录规范，时效良好"}
    refused = console_post(team.client, "/console/dashboard/assessments", form, page="/console/dashboard")
    assert refused.status_code == 403 and "机构负责人" in refused.text
    with app.state.services.session() as session:
        account = session.get(Account, "wangfang")
        account.posts = [*account.posts, Post.DIRECTOR.value]
        session.add(account)
        session.commit()
    done = console_post(team.client, "/console/dashboard/assessments", form, page="/console/dashboard",
                        follow_redirects=False)
    assert done.status_code == 303, done.text
    with app.state.services.session() as session:
        row = session.exec(select(QualityAssessment)).one()
        assert (row.username, row.grade, row.assessed_by) == ("lina", "competent", "wangfang")
        assert '"签章记录":' in row.figures_json.replace(" ", "")
        logged = session.exec(select(AuditEntry).where(AuditEntry.kind == "staff.assessed")).one()
        assert logged.subject == "lina"
    page = team.client.get(f"/console/dashboard?{PERIOD}").text
    assert "记录规范，时效良好" in page and "称职" in page


def test_r3_a_report_issued_again_later_leaves_the_first_reports_date(team: FieldTeam, app: FastAPI,
                                                                     weeks: list[SeededCase]):
    """Done, on time and working days count from the first report (version 1): a version 2 issued months
    after the deadline changes none of them."""
    table = HolidayTable.builtin()
    console_login(team.client, "admin")

    def summary() -> dict:
        response = team.client.get(f"/console/dashboard/summary.xlsx?{PERIOD}")
        return dict(sheet_rows(openpyxl.load_workbook(io.BytesIO(response.content)), "总体情况"))

    before = summary()
    on_time = [c for c in weeks if c.reported_on is not None and c.reported_on <= deadline_of(c, table)]
    with app.state.services.session() as session:
        for case in on_time[:3]:
            session.add(ReportVersion(case_id=case.id, version=2, number=f"{case.id}-2",
                                      issued_at=datetime(2026, 11, 10, 2, tzinfo=UTC), issued_by="wangfang",
                                      summary="复核后重出", content=b"{}", signature="", key_id="", pdf=b"%PDF"))
        session.commit()
    assert len(on_time) >= 3 and before["按期办结"] == expected(weeks, table)["按期办结"]
    assert summary() == before
