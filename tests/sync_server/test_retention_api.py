"""Retention (R35): a case carries its retention period and disposal date; disposal is itself logged."""
from __future__ import annotations

from sqlmodel import select

from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditEntry
from tests.sync_server.dossier_helpers import submit_both_versions
from tests.sync_server.helpers import ACCEPTED_ON, password_login, problem_of
from tests.sync_server.staff_gate_helpers import renew_credentials

API = f"/api/v1/cases/{DEMO_CASE_ID}"


def test_a_case_keeps_its_archive_until_the_disposal_date_then_disposal_is_logged(team, app, clock):
    submit_both_versions(team)
    headers = team.headers["wangfang"]
    default = team.client.get(f"{API}/retention", headers=headers).json()
    assert default["retention_years"] == 10
    assert default["disposal_date"] == ACCEPTED_ON.replace(year=ACCEPTED_ON.year + 10).isoformat()
    set_ = team.client.put(f"{API}/retention", json={"retention_years": 1}, headers=headers)
    assert set_.status_code == 200 and set_.json()["disposal_date"] == "2027-11-16"
    early = team.client.post(f"{API}/disposal", json={"note": "到期销毁"}, headers=headers)
    assert problem_of(early)["code"] == "retention.not_due"
    appraisal = team.client.post(f"{API}/disposal/appraisals", json={"reason": "保管期满"}, headers=headers).json()
    approved = team.client.post(f"{API}/disposal/appraisals/{appraisal['id']}/decision",  # issue 17: a second
                                json={"approve": True, "note": "同意销毁"},  # person appraises first
                                headers=password_login(team.client, "admin"))
    assert approved.status_code == 200, approved.text
    blobs = app.state.services.blobs
    cited = [f["sha256"] for r in team.client.get(API, headers=headers).json()["records"]
             for f in r["sealed"]["record"]["evidence"]]
    assert all(blobs.has(sha) for sha in cited)
    clock.advance(days=366)
    renew_credentials(team.client, "wangfang", "admin")  # and their pledges, as their passwords (R41)
    renewed = team.client.post("/api/v1/auth/password", json={  # a year later the password is too old (R33)
        "username": "wangfang", "old_password": "Review!Case2026", "new_password": "Archive#Kept2027"})
    assert renewed.status_code == 204, renewed.text
    headers = password_login(team.client, "wangfang", "Archive#Kept2027")  # and a new session
    done = team.client.post(f"{API}/disposal", json={"note": "保管期满，经鉴定销毁"}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["files_removed"] > len(set(cited)) and done.json()["disposed_by"] == "wangfang"  # and
    # the intake scans (issue 17; test_disposal_whole.py counts every file)
    assert not any(blobs.has(sha) for sha in cited)
    with app.state.services.session() as session:
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(AuditEntry.position))]
    assert kinds.index("retention.set") < kinds.index("case.disposed")
    gone = team.client.post(f"{API}/dossier", headers=headers)
    assert problem_of(gone)["code"] == "case.disposed" and gone.status_code == 410
    assert problem_of(team.client.post(f"{API}/reports", json={}, headers=headers))["code"] == "case.disposed"


def test_only_reviewers_set_retention_or_dispose(team):
    response = team.client.put(f"{API}/retention", json={"retention_years": 3}, headers=team.headers["zhangwei"])
    assert problem_of(response)["code"] == "auth.forbidden"
    bad = team.client.put(f"{API}/retention", json={"retention_years": 0}, headers=team.headers["wangfang"])
    assert problem_of(bad)["code"] == "request.invalid"
