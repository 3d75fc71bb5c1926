"""Issue 5 §1: a revoked key seals nothing new, and what arrived before the revocation stays valid (R11, R16).

A tablet's clock can be set back, so only the server's clock counts: a record sealed with a key that was
revoked before the record reached the server is refused (`key.revoked`), whatever its `sealed_at` says."""
from __future__ import annotations

from datetime import timedelta

import pytest

from schemas.records import SealedRecord
from schemas.seal import key_id, public_key_bytes
from sync_server.casework.merge import CaseFacts, KnownKey, MergeFacts, decide
from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.conftest import START
from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import (
    HEAD_OF_HOUSEHOLD,
    Clock,
    FieldTeam,
    home_visit,
    password_login,
    problem_of,
)

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]


def revoke(team: FieldTeam, username: str, reason: str = "平板遗失，密钥可能外泄") -> dict:
    admin = password_login(team.client, "admin")
    kid = key_id(public_key_bytes(team.keys[username].public_key()))
    response = team.client.post(f"/api/v1/admin/keys/{kid}/revoke", json={"reason": reason}, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def test_r16_a_record_sealed_with_a_revoked_key_is_refused_even_if_dated_before(team: FieldTeam, clock: Clock):
    visit = home_visit("rec-revoked-01")
    visit.record.sealed_at = clock.now - timedelta(hours=20)  # the tablet claims it was sealed long ago
    team.upload(visit.files)
    sealed = team.seal(visit.record)
    clock.advance(minutes=5)
    revoke(team, "lina")
    clock.advance(minutes=5)
    problem = problem_of(team.post(sealed))
    assert (problem["code"], problem["status"], problem["data"]["surveyor"]) == ("key.revoked", 422, "lina")
    assert "rec-revoked-01" not in team.merged_ids()


def test_r16_records_received_before_the_revocation_stay_valid_and_say_so(team: FieldTeam, clock: Clock):
    visit = home_visit("rec-before-revoke")
    assert team.submit(visit).status_code == 200
    clock.advance(hours=1)
    revoke(team, "lina")
    detail = team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=team.headers["wangfang"]).json()
    seals = {s["surveyor"]: s for s in detail["records"][0]["seals"]}
    assert seals["lina"]["valid"] and seals["lina"]["key_revoked_at"]
    assert seals["zhangwei"]["key_revoked_at"] is None
    assert team.post(team.seal(visit.record)).json()["status"] == "already_merged"  # a retry stays a no-op
    page = console_page(team)
    assert "密钥已于 2026-11-17 11:00（北京时间）吊销；本记录在吊销前收到" in page


def console_page(team: FieldTeam) -> str:
    assert console_login(team.client, "wangfang").status_code == 303
    response = team.client.get(f"/console/cases/{DEMO_CASE_ID}")
    assert response.status_code == 200
    return response.text


def test_decide_refuses_a_key_revoked_before_arrival_and_only_then(team: FieldTeam):
    """merge.decide stays pure: the revocation time and the arrival time are facts passed in."""
    record = home_visit("rec-pure-revoke").record
    sealed = SealedRecord.model_validate(team.seal(record).model_dump())
    keys = {s.key_id: KnownKey(s.surveyor, public_key_bytes(team.keys[s.surveyor].public_key())) for s in sealed.seals}
    case = CaseFacts(DEMO_CASE_ID, frozenset({"zhangwei", "lina"}), True, True, frozenset({HEAD_OF_HOUSEHOLD}),
                     methods=frozenset({"home_visit"}), released=True)
    stored = {e.sha256: e.size for e in record.evidence}
    lina = next(s.key_id for s in sealed.seals if s.surveyor == "lina")
    for revoked_at, refused in ((START - timedelta(seconds=1), True), (START, True),
                                (START + timedelta(seconds=1), False)):
        facts = MergeFacts("zhangwei", case, {**keys, lina: KnownKey("lina", keys[lina].public_raw, revoked_at)},
                           stored, sniffed={e.sha256: e.media_type for e in record.evidence}, received_at=START)
        if refused:
            with pytest.raises(Exception, match="key.revoked"):
                decide(sealed, facts)
        else:
            assert decide(sealed, facts).status.value == "merged"
