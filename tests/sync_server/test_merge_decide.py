"""merge.decide as a pure function: the facts in, a decision or the problem out (no database, no HTTP)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schemas.problems import Code, ProblemError
from schemas.protocol import RecordStatus
from schemas.records import SealedRecord
from schemas.seal import key_id, public_key_bytes, record_digest, sign_record
from sync_server.casework.merge import CaseFacts, Decision, KnownKey, MergeFacts, decide
from tests.sync_server.helpers import HEAD_OF_HOUSEHOLD, SURVEYORS, home_visit

KEYS = {s: Ed25519PrivateKey.generate() for s in SURVEYORS}
VISIT = home_visit()
SEALED = SealedRecord(record=VISIT.record, seals=[sign_record(VISIT.record, s, KEYS[s]) for s in SURVEYORS])
CASE = CaseFacts(case_id=VISIT.record.case_id, team=frozenset(SURVEYORS), authorized=True, entrusted=True,
                 subject_ids=frozenset({HEAD_OF_HOUSEHOLD}), methods=frozenset({"home_visit"}), released=True)


def facts(**changes) -> MergeFacts:
    raw = {s: public_key_bytes(k.public_key()) for s, k in KEYS.items()}
    base = {"uploader": "zhangwei", "case": CASE, "keys": {key_id(r): KnownKey(s, r) for s, r in raw.items()},
            "stored": {e.sha256: e.size for e in VISIT.record.evidence}, "existing_digest": None,
            "sniffed": {e.sha256: e.media_type for e in VISIT.record.evidence}}
    return MergeFacts(**{**base, **changes})


def refusal(f: MergeFacts) -> Code:
    with pytest.raises(ProblemError) as raised:
        decide(SEALED, f)
    return raised.value.code


def test_a_complete_record_with_every_fact_in_place_merges():
    assert decide(SEALED, facts()) == Decision(RecordStatus.MERGED, record_digest(VISIT.record).hex())


def test_a_known_digest_is_already_merged_even_if_the_case_lost_its_consent_since():
    digest = record_digest(VISIT.record).hex()
    unauthorized = CaseFacts(**{**CASE.__dict__, "authorized": False})
    decision = decide(SEALED, facts(existing_digest=digest, case=unauthorized))
    assert decision.status == RecordStatus.ALREADY_MERGED


@pytest.mark.parametrize("changes, code", [
    ({"case": None}, Code.CASE_UNKNOWN),
    ({"uploader": "zhaolei"}, Code.CASE_NOT_ASSIGNED),
    ({"existing_digest": "0" * 64}, Code.RECORD_CONFLICT),
    ({"case": CaseFacts(**{**CASE.__dict__, "entrusted": False})}, Code.CASE_NOT_AUTHORIZED),
    ({"case": CaseFacts(**{**CASE.__dict__, "subject_ids": frozenset()})}, Code.RECORD_INVALID),
    ({"case": CaseFacts(**{**CASE.__dict__, "released": False})}, Code.CASE_NOT_RELEASED),  # R1, R26
    ({"case": CaseFacts(**{**CASE.__dict__, "team": frozenset({"zhangwei"})})}, Code.CASE_NOT_ASSIGNED),
    ({"case": CaseFacts(**{**CASE.__dict__, "methods": frozenset({"neighbour_interview"})})},
     Code.METHOD_NOT_ENTRUSTED),  # R23: a home visit on a case entrusted for neighbour interviews only
    ({"keys": {}}, Code.KEY_UNKNOWN),
    ({"stored": {}}, Code.EVIDENCE_MISSING),
])
def test_each_missing_fact_has_its_problem(changes, code):
    assert refusal(facts(**changes)) == code


def test_a_file_stored_with_another_size_counts_as_missing():
    ref = VISIT.record.evidence[0]
    stored = {**facts().stored, ref.sha256: ref.size + 1}
    with pytest.raises(ProblemError) as raised:
        decide(SEALED, facts(stored=stored))
    assert raised.value.data["missing"] == [ref.sha256]

