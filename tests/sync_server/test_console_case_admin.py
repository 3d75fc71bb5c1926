"""The case-level actions the console lacked (issue 18): a case given to another survey team (agency staff
and administrators, logged), the archive's retention set by the 机要岗 (R35), data-matching results
imported by the 信息交换岗 as CSV and stated in the report (R42); the posts gate holds in the console as in
the API, and a refused import imports nothing and keeps the pasted text."""
from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import select

from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Case, CaseRetention, MatchingResult, Team
from tests.sync_server.admin_console_helpers import as_, logged
from tests.sync_server.console_client import console_post
from tests.sync_server.helpers import FieldTeam

CASE = f"/console/cases/{DEMO_CASE_ID}"


def test_a_case_is_given_to_another_team_and_logged(team: FieldTeam, app: FastAPI):
    with app.state.services.session() as session:
        session.add(Team(id="team-yb-05", name="渝北区第五调查小组"))
        session.commit()
    as_(team, "wangfang")
    assert f'href="{CASE}/team"' in team.client.get(CASE).text  # reached from the case
    page = team.client.get(f"{CASE}/team").text
    assert "渝北区第五调查小组（无成员）" in page and "张伟、李娜" in page
    done = console_post(team.client, f"{CASE}/team", {"team_id": "team-yb-05"}, page=f"{CASE}/team")
    assert done.status_code == 200 and "案件已交由调查小组 team-yb-05 办理" in done.text
    with app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        assert case is not None and case.team_id == "team-yb-05"
    assert [(e.actor, e.subject) for e in logged(app, "case.team_assigned")][-1] == ("wangfang", "team-yb-05")
    missing = console_post(team.client, f"{CASE}/team", {"team_id": "team-none"}, page=f"{CASE}/team")
    assert missing.status_code == 404 and "调查小组 team-none 不存在" in missing.text
    as_(team, "chenjing")  # the township clerk reads the case but gives it to nobody
    assert team.client.get(f"{CASE}/team").status_code == 403


def test_the_retention_is_set_by_the_confidential_post_only_r35(team: FieldTeam, app: FastAPI):
    as_(team, "zhoumin")  # no 机要岗
    refused = console_post(team.client, f"{CASE}/retention", {"retention_years": "30"}, page=CASE)
    assert refused.status_code == 403 and "未担任机要岗" in refused.text
    as_(team, "wangfang")
    assert 'name="retention_years"' in team.client.get(f"{CASE}/disposal").text
    bad = console_post(team.client, f"{CASE}/retention", {"retention_years": "0"}, page=CASE)
    assert bad.status_code == 422 and "1 至 100 年" in bad.text
    done = console_post(team.client, f"{CASE}/retention", {"retention_years": "30"}, page=CASE,
                        follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{CASE}/disposal"
    assert "30 年" in team.client.get(f"{CASE}/disposal").text
    with app.state.services.session() as session:
        row = session.get(CaseRetention, DEMO_CASE_ID)
        assert row is not None and row.retention_years == 30 and row.set_by == "wangfang"
    assert [e.actor for e in logged(app, "retention.set")] == ["wangfang"]


def _lines(app: FastAPI) -> list[MatchingResult]:
    with app.state.services.session() as session:
        return list(session.exec(select(MatchingResult).where(MatchingResult.case_id == DEMO_CASE_ID)))


def test_matching_results_are_imported_as_csv_by_the_information_exchange_post_r42(team: FieldTeam, app: FastAPI):
    as_(team, "wangfang")  # no 信息交换岗
    text = "2,人社,领取待遇,无领取记录,2025-11,2026-10\n3,公安,车辆信息,名下无机动车\n"
    refused = console_post(team.client, f"{CASE}/matching", {"lines": text}, page=f"{CASE}/matching")
    assert refused.status_code == 403 and "未担任信息交换岗" in refused.text and _lines(app) == []
    as_(team, "zhoumin")
    bad = console_post(team.client, f"{CASE}/matching", {"lines": text + "9,民政,救助信息,无\n"},
                       page=f"{CASE}/matching")
    assert bad.status_code == 422 and "第 3 行" in bad.text and "名下无机动车" in bad.text  # the text is kept
    assert _lines(app) == []
    done = console_post(team.client, f"{CASE}/matching", {"lines": text}, page=f"{CASE}/matching")
    assert done.status_code == 200 and "已导入信息核查结果 2 条" in done.text
    assert "二、家庭收入情况" in done.text and "名下无机动车" in done.text
    assert sorted((r.section, r.item, r.period_from) for r in _lines(app)) == [(2, "领取待遇", "2025-11"),
                                                                                (3, "车辆信息", "")]
    assert [e.actor for e in logged(app, "matching.imported")] == ["zhoumin"]
    token = team.client.get(f"{CASE}/matching").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    upload = team.client.post(f"{CASE}/matching", data={"csrf": token},
                              files={"file": ("m.csv", "5,民政,救助信息,无\n".encode(), "text/csv")})
    assert upload.status_code == 200 and "已导入信息核查结果 1 条" in upload.text and len(_lines(app)) == 3
