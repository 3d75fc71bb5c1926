"""Disposal that is whole and accountable (R35, issue 17): an appraisal a second person approves, then every
original, display copy, intake scan, township upload, letter answer and export of the case is destroyed;
what remains is the log entry and a certificate naming what was destroyed. SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import json

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from sync_server.ops import checking
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from sync_server.tables import AuditEntry, CaseDocument
from tests.sync_server.disposal_helpers import API, appraise, build_case, dispose_a_year_later, files_holding
from tests.sync_server.helpers import FieldTeam, password_login, problem_of
from tests.sync_server.staff_gate_helpers import renew_credentials

pytestmark = pytest.mark.both_databases


def test_nothing_of_a_disposed_case_is_left_on_disk_but_the_log_and_the_certificate_r35(
        team: FieldTeam, app: FastAPI, clock, settings: Settings):
    files = build_case(team, app)
    data = settings.data_dir
    assert [p for p in (data / "exports").iterdir() if p.name.startswith(DEMO_CASE_ID)]
    assert list((data / "evidence" / "derived").rglob("*.jpg"))  # the dossier's PDFs made display copies
    assert len(files_holding(data, set(files))) >= len(files)  # every original is there before
    with app.state.services.session() as session:
        document = session.exec(select(CaseDocument).where(CaseDocument.case_id == DEMO_CASE_ID)).first()
        assert document is not None
    appraisal = appraise(team)
    done = dispose_a_year_later(team, clock)
    assert done["disposed_by"] == "wangfang" and done["files_removed"] == len(files)

    assert files_holding(data, set(files)) == []  # no original, copy, cache or zip holding one
    assert not [p for p in (data / "exports").iterdir() if DEMO_CASE_ID in p.name]
    assert not list((data / "evidence" / "derived").rglob("*.jpg"))
    reviewer = team.headers["wangfang"]
    scan = team.client.get(f"/api/v1/intake/documents/{document.id}", headers=reviewer)
    assert problem_of(scan)["code"] == "case.disposed"
    for sha in files:  # no original, letter answer or scan downloads any more
        assert team.client.get(f"/api/v1/evidence/{sha}", headers=reviewer).status_code == 404

    certificate = team.client.get(f"{API}/disposal/certificate", headers=reviewer).json()
    body = certificate["certificate"]
    assert {f["sha256"] for f in body["destroyed_files"]} == set(files)
    assert body["appraisal"]["id"] == appraisal and body["appraisal"]["approved_by"] == "admin"
    assert body["appraisal"]["proposed_by"] == "wangfang" and body["exports_removed"]
    with app.state.services.session() as session:
        entries = list(session.exec(select(AuditEntry).where(AuditEntry.case_id == DEMO_CASE_ID)
                                    .order_by(col(AuditEntry.position))))  # no order without it on PostgreSQL
    kinds = [e.kind for e in entries]
    assert kinds.index("disposal.proposed") < kinds.index("disposal.approved") < kinds.index("case.disposed")
    logged = json.loads(next(e for e in entries if e.kind == "case.disposed").entry)["data"]
    from sync_server.tables.disposal import DisposalCertificate
    with app.state.services.session() as session:
        stored = session.get(DisposalCertificate, DEMO_CASE_ID)
    assert stored is not None and logged["certificate_sha256"] == hashlib.sha256(stored.body.encode()).hexdigest()
    assert certificate["sha256"] == logged["certificate_sha256"]
    assert set(logged["evidence"]) == set(files)

    again = team.client.post(f"{API}/disposal/appraisals", json={"reason": "再次"}, headers=reviewer)
    assert problem_of(again)["code"] == "case.disposed"
    result = checking.check(settings)  # the destroyed files are gone on purpose: nothing reported missing
    assert result["files"]["ok"] and result["log"]["ok"], result


def test_disposal_without_an_approved_appraisal_is_refused_and_a_rejection_does_not_count(
        team: FieldTeam, app: FastAPI, clock):
    reviewer, other = team.headers["wangfang"], password_login(team.client, "admin")  # both hold 机要岗
    proposed = team.client.post(f"{API}/disposal/appraisals", json={"reason": "到期"}, headers=reviewer).json()
    rejected = team.client.post(f"{API}/disposal/appraisals/{proposed['id']}/decision",
                                json={"approve": False, "note": "仍有复核争议，暂缓销毁"}, headers=other)
    assert rejected.json()["decision"] == "rejected"
    twice = team.client.post(f"{API}/disposal/appraisals/{proposed['id']}/decision",
                             json={"approve": True, "note": "改为同意"}, headers=other)
    assert problem_of(twice)["code"] == "request.invalid"
    assert team.client.put(f"{API}/retention", json={"retention_years": 1}, headers=reviewer).status_code == 200
    clock.advance(days=366)
    renew_credentials(team.client, "wangfang", "admin")  # and their pledges, as their passwords (R41)
    team.client.post("/api/v1/auth/password", json={"username": "wangfang", "old_password": "Review!Case2026",
                                                     "new_password": "Archive#Kept2027"})
    reviewer = password_login(team.client, "wangfang", "Archive#Kept2027")
    refused = team.client.post(f"{API}/disposal", json={"note": "销毁"}, headers=reviewer)
    assert problem_of(refused)["code"] == "disposal.not_approved"
    assert problem_of(team.client.get(f"{API}/disposal/certificate", headers=reviewer))["code"] == "case.not_disposed"
