"""The server keeps the exact signed bytes and verifies over them (R11, R16, R20; docs/SEALS.md)."""
from __future__ import annotations

import base64
import json

from sqlmodel import select

from schemas.signed import jcs_body, seal_v2
from sync_server.tables import AuditEntry, SignedRecordBytes
from tests.sync_server.helpers import home_visit, problem_of


def test_a_v2_record_is_merged_and_its_exact_signed_bytes_are_kept(team, client, app):
    visit = home_visit("rec-v2-000001")
    team.upload(visit.files)
    sealed = seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors})
    response = team.post(sealed)
    assert response.status_code == 200, response.text
    with app.state.services.session() as session:
        kept = session.get(SignedRecordBytes, "rec-v2-000001")
        assert kept is not None and kept.seal_version == 2
        assert kept.body == base64.b64decode(sealed.record_jcs or "") == jcs_body(visit.record)
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.subject == "rec-v2-000001")).all()
        assert entry.kind == "record.ingested"
    detail = client.get(f"/api/v1/cases/{visit.record.case_id}", headers=team.headers["wangfang"]).json()
    assert [s["valid"] for s in detail["records"][0]["seals"]] == [True, True]


def test_a_v1_record_from_an_old_tablet_still_merges_and_verifies(team, client, app):
    visit = home_visit("rec-v1-000001")
    assert team.submit(visit).status_code == 200
    with app.state.services.session() as session:
        kept = session.get(SignedRecordBytes, "rec-v1-000001")
        assert kept is not None and kept.seal_version == 1
        assert json.loads(kept.body)["id"] == "rec-v1-000001"
    detail = client.get(f"/api/v1/cases/{visit.record.case_id}", headers=team.headers["wangfang"]).json()
    assert [s["valid"] for s in detail["records"][0]["seals"]] == [True, True]


def test_v2_bytes_changed_after_sealing_are_refused(team):
    visit = home_visit("rec-v2-000002")
    team.upload(visit.files)
    sealed = seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors})
    body = base64.b64decode(sealed.record_jcs or "").replace("王建国".encode(), "王建军".encode())
    forged = sealed.model_copy(update={"record_jcs": base64.b64encode(body).decode()})
    assert problem_of(team.post(forged))["code"] == "signature.invalid"


def test_v2_without_its_bytes_or_with_non_canonical_bytes_is_a_clear_problem(team):
    visit = home_visit("rec-v2-000003")
    team.upload(visit.files)
    sealed = seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors})
    missing = team.post(sealed.model_copy(update={"record_jcs": None}))
    assert problem_of(missing)["code"] == "record.invalid"
    spaced = json.dumps(json.loads(base64.b64decode(sealed.record_jcs or "")), indent=2).encode()
    loose = team.post(sealed.model_copy(update={"record_jcs": base64.b64encode(spaced).decode()}))
    body = problem_of(loose)
    assert body["code"] == "record.invalid" and "RFC 8785" in body["detail"]
