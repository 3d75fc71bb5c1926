"""Evidence belongs to the team that uploaded it and the cases its records cite it in (issue 5 §3, R21).

The attack from the issue: a surveyor of another team learns a photo's size from HEAD, cites it in a
record of his own case, then downloads it. Each step now fails, and nothing tells him the file exists.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI

from schemas.protocol import AccountRole
from schemas.seal import record_digest
from sync_server.accounts.auth import create_account
from sync_server.tables import Record, RecordEvidence
from tests.sync_server.helpers import FieldTeam, home_visit, password_login, problem_of
from tests.sync_server.rival import RIVAL_CASE, RIVAL_UNIT, rival_team, rival_visit
from tests.sync_server.testclient import TestClient

pytestmark = pytest.mark.both_databases
EVIDENCE = "/api/v1/evidence/"


@pytest.fixture
def rivals(app: FastAPI, client: TestClient, team: FieldTeam) -> FieldTeam:
    return rival_team(app, client)


def merged_home_visit(team: FieldTeam):
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    return visit, visit.record.evidence[0]


def test_the_attack_from_the_issue_fails_at_every_step(team: FieldTeam, rivals: FieldTeam):
    """HEAD tells nothing, citing the hash is refused as if the file did not exist, GET is 404."""
    visit, photo = merged_home_visit(team)
    attacker = rivals.headers["zhaolei"]
    never_stored = hashlib.sha256(b"no such photo").hexdigest()
    probe, control = (team.client.head(EVIDENCE + sha, headers=attacker) for sha in (photo.sha256, never_stored))
    assert probe.status_code == control.status_code == 404
    assert probe.headers.get("content-length") == control.headers.get("content-length")
    assert str(photo.size) != probe.headers.get("content-length")

    theft = rival_visit()
    theft.record.evidence[0] = photo.model_copy(update={"captured_by": "zhaolei"})  # cite the hash only
    theft.files = {e.sha256: theft.files[e.sha256] for e in theft.record.evidence[1:]}
    refused = problem_of(rivals.submit(theft, as_user="zhaolei"))
    assert refused["code"] == "evidence.missing" and refused["data"]["missing"] == [photo.sha256]
    reviewer = team.headers["wangfang"]
    cases = team.client.get(f"/api/v1/cases/{RIVAL_CASE}", headers=reviewer).json()
    assert cases["records"] == []

    stolen = team.client.get(EVIDENCE + photo.sha256, headers=attacker)
    assert stolen.status_code == 404 and visit.files[photo.sha256] not in stolen.content
    assert team.client.get(EVIDENCE + photo.sha256, headers=reviewer).content == visit.files[photo.sha256]


def test_a_put_of_a_file_held_by_another_team_reads_and_hashes_the_whole_body(team: FieldTeam,
                                                                           rivals: FieldTeam):
    """No short cut for non-holders: an empty or partial body is a hash mismatch, never "already stored"."""
    _visit, photo = merged_home_visit(team)
    attacker = rivals.headers["zhaolei"]
    for body in (b"", b"\xff\xd8\xff"):
        answer = problem_of(team.client.put(EVIDENCE + photo.sha256, content=body, headers=attacker))
        assert answer["code"] == "evidence.hash_mismatch" and "size" not in answer["data"]
    held = team.client.put(EVIDENCE + photo.sha256, content=b"", headers=team.headers["lina"])
    assert held.json() == {"sha256": photo.sha256, "size": photo.size, "created": False}  # own team only


def test_a_second_team_with_the_same_bytes_gets_its_own_claim_and_learns_nothing(team: FieldTeam,
                                                                              rivals: FieldTeam, settings):
    """Identical bytes from another team: the answer of a first upload; then that team may cite them."""
    visit = rival_visit()
    shared = home_visit().files  # the same real photos and signatures team 1 uploads
    sha = next(iter(shared))
    first = team.client.put(EVIDENCE + sha, content=shared[sha], headers=team.headers["zhangwei"])
    second = team.client.put(EVIDENCE + sha, content=shared[sha], headers=rivals.headers["sunli"])
    assert first.json() == second.json() == {"sha256": sha, "size": len(shared[sha]), "created": True}
    assert len(list((settings.evidence_dir / sha[:2]).iterdir())) == 1  # one copy on disk
    assert team.client.head(EVIDENCE + sha, headers=rivals.headers["zhaolei"]).status_code == 200
    visit.add(shared[sha], visit.record.evidence[0].kind, visit.record.evidence[0].role, "sunli", "image/jpeg")
    assert rivals.submit(visit, as_user="sunli").json()["status"] == "merged"


def test_staff_read_only_files_of_cases_they_may_see_and_a_citation_grants_nothing(
        app: FastAPI, team: FieldTeam, rivals: FieldTeam):
    """A reviewer reads the files of the cases they may see; a record (say, merged before this check) citing a
    file its team never uploaded opens that file to nobody, not even to staff who see that record's case."""
    visit, photo = merged_home_visit(team)
    with app.state.services.session() as session:
        create_account(session, username="tangli", name="唐丽", role=AccountRole.TOWNSHIP, work_id="HX-2026-009",
                       password="Other#Unit2026", unit=RIVAL_UNIT)
        legacy = rival_visit("rec-legacy-01").record
        legacy.evidence[0] = photo.model_copy(update={"captured_by": "zhaolei"})
        session.add(Record(id=legacy.id, case_id=RIVAL_CASE, kind="home_visit", outcome="completed",
                           form_id="home_visit", form_version=1, sealed_json=rivals.seal(legacy).model_dump_json(),
                           digest=record_digest(legacy).hex(),
                           received_at=datetime(2026, 11, 17, tzinfo=UTC), received_from="zhaolei"))
        session.flush()
        session.add(RecordEvidence(record_id=legacy.id, sha256=photo.sha256, kind="photo", role="scene",
                                   media_type="image/jpeg"))
        session.commit()
    own_agency = password_login(team.client, "wangfang")
    response = team.client.post("/api/v1/auth/login", json={"username": "tangli", "password": "Other#Unit2026"})
    other_unit = {"Authorization": f"Bearer {response.json()['token']}"}
    assert team.client.get(EVIDENCE + photo.sha256, headers=own_agency).content == visit.files[photo.sha256]
    sees_rival_case = team.client.get(f"/api/v1/cases/{RIVAL_CASE}", headers=other_unit)
    assert sees_rival_case.status_code == 200  # tangli sees the case whose legacy record cites the photo ...
    for method in ("HEAD", "GET"):  # ... and still cannot read the photo
        assert team.client.request(method, EVIDENCE + photo.sha256, headers=other_unit).status_code == 404
    assert team.client.get(EVIDENCE + photo.sha256, headers=rivals.headers["zhaolei"]).status_code == 404
