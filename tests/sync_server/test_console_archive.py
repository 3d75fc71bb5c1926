"""The archive's care in the console (R35, issue 17): a reviewer proposes disposal with the reason, may not
approve her own proposal, a second person approves, disposal leaves the certificate on the page; the
administrator sees the last `check` result (and only the administrator)."""
from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import select

from sync_server.ops import checking
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from sync_server.tables import CaseDocument
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.disposal_helpers import files_holding
from tests.sync_server.dossier_helpers import submit_both_versions
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.staff_gate_helpers import renew_credentials

PAGE = f"/console/cases/{DEMO_CASE_ID}/disposal"


def _as(team: FieldTeam, username: str, password: str | None = None) -> None:
    team.client.cookies.clear()
    assert console_login(team.client, username, password).status_code == 303


def test_disposal_is_proposed_approved_by_a_second_person_and_leaves_a_certificate_r35(
        team: FieldTeam, app: FastAPI, settings: Settings, clock):
    submit_both_versions(team)
    cited = {f["sha256"] for r in team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=team.headers["wangfang"])
             .json()["records"] for f in r["sealed"]["record"]["evidence"]}
    assert len(files_holding(settings.data_dir, cited)) >= len(cited)
    assert team.client.put(f"/api/v1/cases/{DEMO_CASE_ID}/retention", json={"retention_years": 1},
                           headers=team.headers["wangfang"]).status_code == 200
    _as(team, "wangfang")
    assert f'href="{PAGE}"' in team.client.get(f"/console/cases/{DEMO_CASE_ID}").text  # reached from the case
    assert console_post(team.client, f"{PAGE}/propose", {"reason": "保管期满，无继续保存价值"}, page=PAGE,
                        follow_redirects=False).status_code == 303
    page = team.client.get(PAGE).text
    assert "保管期满，无继续保存价值" in page and "等待另一人审批" in page and "同意销毁" not in page
    _as(team, "admin")  # a second person, also holding 机要岗
    page = team.client.get(PAGE).text
    appraisal = page.split('name="appraisal" value="', 1)[1].split('"', 1)[0]
    approved = console_post(team.client, f"{PAGE}/decide", {"appraisal": appraisal, "approve": "yes",
                                                            "note": "经鉴定同意销毁"}, page=PAGE, follow_redirects=False)
    assert approved.status_code == 303
    early = console_post(team.client, f"{PAGE}/dispose", {"note": "销毁"}, page=PAGE)
    assert early.status_code == 409 and "档案尚未到保管期限" in early.text
    clock.advance(days=366)
    renew_credentials(team.client, "wangfang", "admin")  # and their pledges, as their passwords (R41)
    team.client.post("/api/v1/auth/password", json={"username": "admin", "old_password": "Keep$Records2026",
                                                    "new_password": "Keep$Records2027"})
    _as(team, "admin", "Keep$Records2027")
    done = console_post(team.client, f"{PAGE}/dispose", {"note": "保管期满，经鉴定销毁"}, page=PAGE,
                        follow_redirects=False)
    assert done.status_code == 303, done.text
    page = team.client.get(PAGE).text
    assert "销毁证明" in page and "wangfang 提出" in page and "admin 同意" in page
    assert files_holding(settings.data_dir, cited) == []
    with app.state.services.session() as session:
        scan = session.exec(select(CaseDocument).where(CaseDocument.case_id == DEMO_CASE_ID)).first()
    assert scan is not None and team.client.get(f"/console/documents/{scan.id}").status_code == 410  # 委托书 gone


def test_the_administrator_sees_the_last_check_and_a_reviewer_does_not(team: FieldTeam, settings: Settings):
    _as(team, "admin")
    assert "尚未检查" in team.client.get("/console/archive-check").text
    visit = home_visit("rec-console-check")
    assert team.submit(visit).status_code == 200
    lost = min(visit.files)
    (settings.evidence_dir / lost[:2] / lost).unlink()
    checking.save(settings.data_dir, checking.check(settings))  # as `python -m sync_server check` does
    page = team.client.get("/console/archive-check").text
    assert "上次检查发现问题" in page and "PRAGMA integrity_check" in page
    assert lost in page and f"record {visit.record.id}" in page and DEMO_CASE_ID in page
    _as(team, "wangfang")
    assert team.client.get("/console/archive-check").status_code == 403
