"""Every event in one log (issue 17): intake, conformity, review, rounds, letters, accounts and posts, teams,
credentials, hand-overs, keys, retention and disposal, exports and downloads all land in the Merkle log
through `audit.append`, and a signed checkpoint commits to each of them (its inclusion proof holds)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from dossier_verify import merkle as check
from schemas.seal import key_id, public_key_bytes
from sync_server.ops.seed import DEMO_CASE_ID, DEMO_TEAM_ID
from sync_server.tables import AuditEntry, Case
from sync_server.transparency import audit, merkle
from sync_server.transparency.agency_key import load_or_create
from tests.sync_server.console_client import console_login
from tests.sync_server.dossier_helpers import accept_review
from tests.sync_server.helpers import (
    CREDENTIALS,
    FieldTeam,
    device_login,
    home_visit,
    password_login,
    register_key,
)
from tests.sync_server.office_helpers import clear_for_field_work
from tests.sync_server.staff_gate_helpers import renew_credentials
from tests.sync_server.test_intake_api import ADULT, complete, create
from tests.sync_server.test_intake_api import API as INTAKE

CASE = f"/api/v1/cases/{DEMO_CASE_ID}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXPECTED = {
    "case.created", "intake.subject_added", "intake.document_added", "intake.submitted", "conformity.checked",
    "case.team_assigned", "review.decided", "round.opened", "round.closed", "letter.sent", "letter.followed_up",
    "letter.answered", "organisation.added", "team.added", "account.created", "account.team_set",
    "credential.recorded", "handover.started", "handover.confirmed", "account.password_changed",
    "account.unlocked", "key.registered", "key.revoked", "record.ingested", "retention.set", "case.disposed",
    "disposal.proposed", "disposal.approved",
    "dossier.exported", "evidence.downloaded", "auth.login", "report.issued", "intake.document_downloaded"}


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


def _office(team: FieldTeam, app) -> None:
    """Intake through release, then organisations, teams, accounts with posts, credentials, a hand-over."""
    c = team.client
    clerk, admin = password_login(c, "chenjing"), password_login(c, "admin")
    case = create(team, clerk, subjects=[])
    case = _ok(c.post(f"{INTAKE}/cases/{case['case_id']}/subjects", headers=clerk, json=[
        {"position": 1, "name": "孙立", "id_number": ADULT, "relation": "户主", "household_address": "重庆市渝北区龙溪街道"}]), 200)
    complete(team, clerk, case)
    document = _ok(c.get(f"{INTAKE}/cases/{case['case_id']}", headers=clerk))["documents"][0]
    assert c.get(f"{INTAKE}/documents/{document['id']}", headers=clerk).status_code == 200
    assert console_login(c, "chenjing").status_code == 303
    assert c.get(f"/console/documents/{document['id']}").status_code == 200
    _ok(c.post(f"{INTAKE}/cases/{case['case_id']}/submit", headers=clerk))
    for reviewer in (team.headers["wangfang"], password_login(c, "zhoumin")):
        _ok(c.post(f"{INTAKE}/cases/{case['case_id']}/conformity", json={"passed": True}, headers=reviewer))
    _ok(c.put(f"{INTAKE}/cases/{case['case_id']}/team", json={"team_id": DEMO_TEAM_ID}, headers=admin))
    _ok(c.post("/api/v1/organisations", headers=admin, json={"id": "org-audit", "name": "审计测试机构",
                                                              "kind": "agency"}), 201)
    _ok(c.post("/api/v1/teams", headers=admin, json={"id": "team-audit", "name": "审计小组"}), 201)
    _ok(c.post("/api/v1/accounts", headers=admin, json={
        "username": "sunli", "name": "孙力", "work_id": "HC-2026-099", "role": "surveyor", "org_id": "org-audit",
        "posts": ["verification"], "password": "Field!Audit2026x", "pin": "482913"}), 201)
    _ok(c.put("/api/v1/accounts/sunli/team", headers=admin, json={"team_id": "team-audit"}))
    clear_for_field_work(app, "sunli")
    _ok(c.post("/api/v1/accounts", headers=admin, json={
        "username": "sunli2", "name": "孙丽", "work_id": "HC-2026-098", "role": "surveyor", "org_id": "org-audit",
        "password": "Field!Audit2026y", "pin": "482914"}), 201)
    handover = _ok(c.post("/api/v1/accounts/sunli/close", headers=admin, json={"successor": "sunli2"}), 201)
    _ok(c.post(f"/api/v1/handovers/{handover['id']}/confirm", headers=device_login(c, "sunli", pin="482913")))
    _ok(c.post("/api/v1/admin/accounts/zhoumin/unlock", headers=admin), 204)


def _field_and_review(team: FieldTeam, app) -> None:
    """Records, a key enrolled and revoked, review, a round, a letter, a report, an export, downloads."""
    c, reviewer = team.client, team.headers["wangfang"]
    with app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        case.required_checks = ["home_visit", "letter_request"]
        session.add(case)
        session.commit()
    visit = home_visit("rec-hv-000001")
    _ok(team.submit(visit))
    key = register_key(c, team.headers["lina"], CREDENTIALS["lina"].pin)
    kid = key_id(public_key_bytes(key.public_key()))
    _ok(c.post(f"/api/v1/admin/keys/{kid}/revoke", json={"reason": "平板遗失"},
               headers=password_login(c, "admin")))
    _ok(c.post(f"{CASE}/review", json={"action": "comment", "reason": "照片清晰"}, headers=reviewer))
    letter = _ok(c.post(f"{CASE}/letters", headers=reviewer, json={
        "addressee_unit": "渝北区社保局", "documents": "缴费记录", "channel": "ems",
        "sent_at": "2026-11-17T02:00:00Z", "receiver_name": "周红", "receiver_phone": "023-67801234"}))
    _ok(c.post(f"{CASE}/letters/{letter['id']}/follow-ups", headers=reviewer,
               json={"at": "2026-11-19T03:00:00Z", "note": "电话催办"}))
    _ok(c.put(f"{CASE}/letters/{letter['id']}/answer", content=PDF, headers=reviewer))
    sha = visit.record.evidence[0].sha256
    assert c.get(f"/api/v1/evidence/{sha}", headers=reviewer).status_code == 200
    accept_review(team)  # a report is issued only on accepted evidence (R42)
    _ok(c.post(f"{CASE}/reports", json={}, headers=reviewer))
    _ok(c.post(f"{CASE}/rounds", headers=reviewer, json={
        "objected_by": "family", "objector_name": "王建国", "grounds": "收入认定有误", "objected_on": "2026-11-17",
        "methods": ["home_visit"]}))
    _ok(c.post(f"{CASE}/rounds/2/result", headers=reviewer, json={
        "result": "复核维持原结论", "fed_back_to": "陈静", "fed_back_on": "2026-11-20"}))
    assert c.post(f"{CASE}/dossier", headers=reviewer).status_code == 200
    _ok(c.put(f"{CASE}/retention", json={"retention_years": 1}, headers=reviewer))


@pytest.mark.both_databases
def test_every_kind_of_event_lands_in_the_merkle_log_and_a_checkpoint_proves_each(team: FieldTeam, app, clock):
    _office(team, app)
    _field_and_review(team, app)
    before = password_login(team.client, "wangfang")  # the appraisal (R35) is made and approved beforehand
    proposed = team.client.post(f"{CASE}/disposal/appraisals", json={"reason": "保管期满"}, headers=before)
    _ok(proposed)
    _ok(team.client.post(f"{CASE}/disposal/appraisals/{proposed.json()['id']}/decision",
                         json={"approve": True, "note": "经鉴定同意销毁"}, headers=password_login(team.client, "admin")))
    clock.advance(days=366)
    renew_credentials(team.client, "wangfang")  # and the pledge and training, a year on (R41)
    _ok(team.client.post("/api/v1/auth/password", json={
        "username": "wangfang", "old_password": "Review!Case2026", "new_password": "Archive#Kept2027"}), 204)
    reviewer = password_login(team.client, "wangfang", "Archive#Kept2027")
    _ok(team.client.post(f"{CASE}/disposal", json={"note": "保管期满"}, headers=reviewer))
    services = app.state.services
    with services.session() as session:
        rows = list(session.exec(select(AuditEntry).order_by(AuditEntry.position)))
        head = audit.checkpoint(session, load_or_create(services.settings.data_dir), clock())
        session.commit()
    kinds = {r.kind for r in rows}
    assert kinds >= EXPECTED, sorted(EXPECTED - kinds)
    leaves = [merkle.leaf_hash(r.entry) for r in rows]
    root = bytes.fromhex(head.root_hash)
    assert head.tree_size == len(rows)
    for row in rows:
        assert check.inclusion_holds(row.position, len(rows), merkle.leaf_hash(row.entry),
                                     merkle.inclusion_proof(row.position, leaves), root)
    account = next(json.loads(r.entry) for r in rows if r.kind == "account.created" and r.subject == "sunli")
    assert account["data"]["row"]["posts"] == ["verification"] and "password_hash" not in account["data"]["row"]
    downloads = [json.loads(r.entry)["data"] for r in rows if r.kind == "intake.document_downloaded"]
    assert [d["via"] for d in downloads] == ["api", "console"] and len({d["document_kind"] for d in downloads}) == 1
    conformity = [json.loads(r.entry) for r in rows if r.kind == "conformity.checked"]
    assert [c["data"]["status"] for c in conformity][-2:] == ["submitted", "released"]
    assert {c["actor"] for c in conformity[-2:]} == {"wangfang", "zhoumin"}
    assert date.fromisoformat(next(json.loads(r.entry) for r in rows if r.kind == "round.closed")[
        "data"]["row"]["fed_back_on"]) == date(2026, 11, 20)
