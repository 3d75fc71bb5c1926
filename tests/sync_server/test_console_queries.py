"""The console at scale (issue 9): the case page costs the same number of SQL statements with 10 records as
with 100 (and reads only the page of records it shows in full), the case list the same with 10 cases as with 200 (statements counted on the real engine with
SQLAlchemy's before_cursor_execute); the tablet's case list too. Seals are verified once at ingest, shown
from the stored verdict, and again when a reviewer asks (重新验证, CSRF-protected)."""
from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditEntry, Record, SignedRecordBytes
from tests.sync_server.bulk import add_cases, templates
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.helpers import FieldTeam, home_visit, statements

PAGE = f"/console/cases/{DEMO_CASE_ID}"


def cost(app: FastAPI, team: FieldTeam, path: str, headers: dict[str, str] | None = None) -> int:
    with statements(app) as seen:
        response = team.client.get(path, headers=headers or {})
    assert response.status_code == 200, response.text
    return len(seen)


def test_the_case_page_costs_the_same_statements_with_10_and_100_records(team: FieldTeam, app: FastAPI):
    kinds = templates()
    with app.state.services.session() as session:
        add_cases(session, 0, 1, 10, kinds)
        add_cases(session, 1, 1, 100, kinds)
    console_login(team.client, "wangfang")
    small, large = "/console/cases/case-bulk-000000", "/console/cases/case-bulk-000001"
    page = team.client.get(large).text
    assert page.count('class="card record"') == 20 and "调查记录（100 份）" in page and "验证时间" in page
    assert "调查记录第 1 / 5 页" in page and 'href="?records=2#records"' in page
    last = team.client.get(f"{large}?records=5").text
    assert 'id="record-rec-case-bulk-000001-0099"' in last and 'id="record-rec-case-bulk-000001-0000"' not in last
    opened = team.client.get(f"{large}?record=rec-case-bulk-000001-0045").text  # the page holding it
    assert "调查记录第 3 / 5 页" in opened and 'id="record-rec-case-bulk-000001-0045" open' in opened
    assert cost(app, team, small) == cost(app, team, large) == cost(app, team, f"{large}?records=5") <= 40
    api = team.headers["wangfang"]
    assert cost(app, team, "/api/v1/cases/case-bulk-000000", api) == \
        cost(app, team, "/api/v1/cases/case-bulk-000001", api) <= 30


def test_the_case_lists_cost_the_same_statements_with_10_and_200_cases(team: FieldTeam, app: FastAPI):
    kinds = templates()
    with app.state.services.session() as session:
        add_cases(session, 0, 10, 3, kinds)
    console_login(team.client, "wangfang")
    paths = ["/console/cases", "/console/cases?status=complete&due=overdue", "/console/cases?q=王建国&page=2"]
    api = {"/api/v1/review/cases?q=5001": team.headers["wangfang"], "/api/v1/cases": team.headers["zhangwei"]}
    before = [cost(app, team, p) for p in paths] + [cost(app, team, p, h) for p, h in api.items()]
    with app.state.services.session() as session:
        add_cases(session, 10, 190, 3, kinds)
    listed = team.client.get("/api/v1/review/cases", headers=team.headers["wangfang"]).json()
    assert listed["total"] >= 200 and len(listed["rows"]) == 20
    after = [cost(app, team, p) for p in paths] + [cost(app, team, p, h) for p, h in api.items()]
    assert before == after and max(after) <= 15


def test_seals_show_the_verdict_of_ingest_and_a_reviewer_verifies_again(team: FieldTeam, app: FastAPI):
    assert team.submit(home_visit()).status_code == 200
    with app.state.services.session() as session:
        row = session.get(Record, "rec-hv-000001")
        assert row is not None and row.seals_checked_at is not None and '"valid": true' in (row.seal_verdicts or "")
        signed = session.get(SignedRecordBytes, "rec-hv-000001")
        assert signed is not None
        signed.body = signed.body.replace("王建国".encode(), "王建民".encode())  # the stored bytes altered
        session.add(signed)
        session.commit()
    console_login(team.client, "wangfang")
    page = team.client.get(PAGE).text
    assert "✗ 未通过验证" not in page and "重新验证" in page  # the stored verdict: nothing verified on view
    path = f"{PAGE}/records/rec-hv-000001/verify"
    assert team.client.post(path, data={}).status_code == 403  # no CSRF token
    done = console_post(team.client, path, {}, page=PAGE, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"{PAGE}#record-rec-hv-000001")
    assert "✗ 未通过验证" in team.client.get(PAGE).text
    with app.state.services.session() as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.kind == "record.seals_verified")).scalars().all()
        assert [(e.actor, e.subject) for e in logged] == [("wangfang", "rec-hv-000001")]
    console_login(team.client, "chenjing")
    refused = console_post(team.client, path, {}, page=PAGE)
    assert refused.status_code == 403 and "仅审核人员可以重新验证签章" in refused.text
