"""POST /records: a sealed record merges only when its case, team, seals, content and files all hold."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from schemas.seal import sign_record
from sync_server.ops.seed import UNAUTHORIZED_CASE_ID
from tests.sync_server.finding_helpers import acknowledge_all
from tests.sync_server.helpers import FieldTeam, at_once, home_visit, problem_of, refused_visit, statements

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]


def assert_refused(team: FieldTeam, response, code: str) -> dict:
    problem = problem_of(response)
    assert problem["code"] == code, problem
    assert team.merged_ids() == []
    return problem


def test_a_complete_sealed_home_visit_merges_and_completes_the_case(team: FieldTeam):
    """R7, R10, R11: two surveyors and the respondent sign, every file arrives; the case is complete once a
    reviewer has acknowledged what the server found in the photos (issue 16: 2008 camera samples)."""
    visit = home_visit()
    response = team.submit(visit)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "merged"
    assert result["completeness"]["complete"] is False
    assert [i["code"] for i in result["completeness"]["items"] if not i["ok"]] == [f"findings.{visit.record.id}"]
    assert team.merged_ids() == [visit.record.id]
    assert acknowledge_all(team) > 0
    state = team.client.get("/api/v1/cases/case-yb-2026-0001/review", headers=team.headers["wangfang"]).json()
    assert state["checklist"]["complete"] is True


def test_the_merged_record_shows_who_sealed_it_and_that_each_seal_verifies(team: FieldTeam):
    team.submit(home_visit())
    detail = team.client.get("/api/v1/cases/case-yb-2026-0001", headers=team.headers["zhangwei"]).json()
    seals = detail["records"][0]["seals"]
    assert {(s["surveyor"], s["surveyor_name"], s["valid"]) for s in seals} == {
        ("zhangwei", "张伟", True), ("lina", "李娜", True)}
    assert detail["records"][0]["sealed"]["record"]["answers"]["housing_condition"].startswith("砖混结构")


def test_repeating_the_upload_is_a_no_op(team: FieldTeam):
    """Idempotent: the same record again is already_merged, and nothing is stored twice."""
    visit = home_visit()
    first = team.submit(visit)
    second = team.submit(visit)
    assert first.json()["status"] == "merged"
    assert second.status_code == 200
    assert second.json()["status"] == "already_merged"
    assert team.merged_ids() == [visit.record.id]


def test_the_same_record_posted_by_several_requests_at_once_merges_once(app: FastAPI, team: FieldTeam):
    """An outbox retrying while the first upload is still in flight: one merge, the others already_merged."""
    visit = home_visit()
    team.upload(visit.files)
    body = team.seal(visit.record).model_dump_json()
    headers = {**team.headers["zhangwei"], "content-type": "application/json"}
    responses = at_once(4, lambda client: client.post("/api/v1/records", content=body, headers=headers), app)
    assert sorted(r.json()["status"] for r in responses) == ["already_merged"] * 3 + ["merged"]
    assert team.merged_ids() == [visit.record.id]


def test_a_record_id_holding_a_nul_character_is_refused_and_nothing_is_merged(team: FieldTeam):
    """PostgreSQL cannot store U+0000 in text: refused as a request problem, on every database alike."""
    visit = home_visit("rec-hv-X-000001")  # the shared model refuses NUL already: the attacker sends raw JSON
    team.upload(visit.files)
    text = team.seal(visit.record).model_dump_json().replace("rec-hv-X-000001", "rec-hv-\\u0000-000001")
    response = team.client.post("/api/v1/records", content=text,
                                headers={**team.headers["zhangwei"], "content-type": "application/json"})
    problem = assert_refused(team, response, "request.invalid")
    assert problem["status"] == 422


def test_the_same_id_with_different_content_is_a_conflict(team: FieldTeam):
    visit = home_visit()
    team.submit(visit)
    changed = visit.record.model_copy(deep=True)
    changed.answers["monthly_income_yuan"] = 3500
    problem = problem_of(team.post(team.seal(changed)))
    assert problem["code"] == "record.conflict"
    detail = team.client.get("/api/v1/cases/case-yb-2026-0001", headers=team.headers["wangfang"]).json()
    assert detail["records"][0]["sealed"]["record"]["answers"]["monthly_income_yuan"] == 2100


def test_a_seal_forged_with_another_key_is_refused(team: FieldTeam):
    """R11: a signature made with a key that is not lina's, under her key id, does not verify."""
    visit = home_visit()
    team.upload(visit.files)
    sealed = team.seal(visit.record)
    forged = sign_record(visit.record, "lina", Ed25519PrivateKey.generate())
    sealed.seals[1] = forged.model_copy(update={"key_id": sealed.seals[1].key_id})
    problem = assert_refused(team, team.post(sealed), "signature.invalid")
    assert problem["data"]["surveyor"] == "lina"


def test_one_surveyor_cannot_seal_with_a_colleagues_name(team: FieldTeam):
    """R4: keys are personal; zhangwei's key signing as lina is not lina's key."""
    visit = home_visit()
    team.upload(visit.files)
    sealed = team.seal(visit.record, signers=("zhangwei",))
    sealed.seals.append(sign_record(visit.record, "lina", team.keys["zhangwei"]))
    assert_refused(team, team.post(sealed), "key.unknown")


def test_a_seal_from_an_unregistered_key_is_refused(team: FieldTeam):
    visit = home_visit()
    team.upload(visit.files)
    sealed = team.seal(visit.record, signers=("zhangwei",))
    sealed.seals.append(sign_record(visit.record, "lina", Ed25519PrivateKey.generate()))
    assert_refused(team, team.post(sealed), "key.unknown")


def test_altering_an_answer_after_sealing_breaks_the_seal(team: FieldTeam):
    """R10: the seal covers every answer; an edited record is a forged record."""
    visit = home_visit()
    team.upload(visit.files)
    sealed = team.seal(visit.record)
    sealed.record.answers["monthly_income_yuan"] = 800
    assert_refused(team, team.post(sealed), "signature.invalid")


def test_a_missing_surveyor_seal_is_refused(team: FieldTeam):
    """R11: every surveyor on the record must seal it."""
    visit = home_visit()
    team.upload(visit.files)
    response = team.post(team.seal(visit.record, signers=("zhangwei",)))
    problem = assert_refused(team, response, "signature.missing")
    assert problem["data"]["missing"] == ["lina"]


def test_a_visit_by_one_surveyor_is_refused(team: FieldTeam):
    """R7: a survey team has at least two surveyors."""
    visit = home_visit(surveyors=("zhangwei",))
    assert_refused(team, team.submit(visit), "team.too_small")


def test_a_record_for_an_unknown_case_is_refused(team: FieldTeam):
    assert_refused(team, team.submit(home_visit(case_id="case-does-not-exist")), "case.unknown")


def test_field_work_on_a_case_without_authorization_is_refused(team: FieldTeam):
    """R1: 先授权、后核对 — no family consent recorded, no record accepted."""
    visit = home_visit(case_id=UNAUTHORIZED_CASE_ID, subject_id=f"{UNAUTHORIZED_CASE_ID}-s1")
    problem = problem_of(team.submit(visit))
    assert problem["code"] == "case.not_authorized"
    assert problem["data"] == {"authorization": False, "entrustment": True}
    assert team.merged_ids(UNAUTHORIZED_CASE_ID) == []


def test_a_surveyor_outside_the_case_team_is_refused(team: FieldTeam, outsider):
    """R7: the record's surveyors must all belong to the case's team."""
    visit = home_visit(surveyors=("zhangwei", "zhaolei"))
    team.headers["zhaolei"], team.keys["zhaolei"] = outsider
    problem = assert_refused(team, team.submit(visit), "case.not_assigned")
    assert problem["data"]["surveyors"] == ["zhaolei"]


def test_an_upload_by_a_surveyor_of_another_team_is_refused(team: FieldTeam, outsider):
    team.headers["zhaolei"], team.keys["zhaolei"] = outsider
    visit = home_visit()
    team.upload(visit.files)
    assert_refused(team, team.post(team.seal(visit.record), as_user="zhaolei"), "case.not_assigned")


def test_a_record_citing_evidence_never_uploaded_waits_for_the_file(team: FieldTeam):
    """R10: the record merges only once every file it names is stored; the retry then merges."""
    visit = home_visit()
    photo_sha = visit.record.evidence[0].sha256
    team.upload({sha: data for sha, data in visit.files.items() if sha != photo_sha})
    sealed = team.seal(visit.record)
    problem = assert_refused(team, team.post(sealed), "evidence.missing")
    assert problem["data"]["missing"] == [photo_sha]
    team.upload({photo_sha: visit.files[photo_sha]})
    assert team.post(sealed).json()["status"] == "merged"


def test_an_incomplete_record_is_refused_with_what_is_missing(team: FieldTeam):
    """R9, R12: an unanswered question and a missing respondent signature are named."""
    visit = home_visit()
    del visit.record.answers["major_spending"]
    visit.record.evidence = [e for e in visit.record.evidence if e.role.value != "respondent_signature"]
    problem = assert_refused(team, team.submit(visit), "record.incomplete")
    assert "未填写：主要支出（医疗、教育等）" in problem["data"]["missing"]
    assert any("签名" in label for label in problem["data"]["missing"])


def test_a_respondent_outside_the_case_subjects_is_refused(team: FieldTeam):
    """R2: only the case's subjects are surveyed."""
    problem = assert_refused(team, team.submit(home_visit(subject_id="someone-else")), "record.invalid")
    assert "someone-else" in problem["detail"]


def test_a_record_on_an_unknown_form_version_is_refused(team: FieldTeam):
    visit = home_visit()
    visit.record.form_version = 99
    assert_refused(team, team.submit(visit), "record.form_unknown")


def test_a_refused_visit_merges_with_the_teams_signatures(team: FieldTeam):
    """R13: a refusal is recorded and signed by the team; on a case entrusted for a home visit only it is
    not 齐全: the case goes back to the unit (issue 6; §4.1 b: no neighbour interviews added)."""
    response = team.submit(refused_visit())
    assert response.status_code == 200, response.text
    assert response.json()["completeness"]["complete"] is False
    assert response.json()["completeness"]["status"] == "refused_return"


def test_only_surveyors_upload_records(team: FieldTeam):
    visit = home_visit()
    team.upload(visit.files)
    assert_refused(team, team.post(team.seal(visit.record), as_user="wangfang"), "auth.forbidden")


def test_a_record_is_merged_reading_its_case_entrustment_and_surveyors_once(team: FieldTeam, app: FastAPI):
    """Issue 19: rows an ingest reads in one step are held for the next (tables/held.py). Before, the identity
    map let them go and POST /records read the case 3×, the entrustment 3× and a surveyor 2× (42 statements).
    The case is read once more on purpose: the summary's refresh locks its row (FOR UPDATE on PostgreSQL)."""
    visit = home_visit()
    team.upload(visit.files)
    sealed = team.seal(visit.record)
    with statements(app) as seen:
        response = team.post(sealed)
    assert response.status_code == 200 and response.json()["status"] == "merged", response.text
    reads = [" ".join(s.split()) for s in seen if s.lstrip().upper().startswith("SELECT")]

    def reading(table: str) -> int:
        return sum(f" FROM {table} " in f"{s} " for s in reads)

    # accounts: the token's query loads the caller's account with it, and the request keeps that row
    # (api/deps.current_credentials); the other surveyor is read once
    assert (reading("cases"), reading("entrustments"), reading("accounts")) == (2, 1, 1)  # before: 3, 3, 3
