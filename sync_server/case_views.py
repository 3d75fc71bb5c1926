"""The wire views of a case: `CaseSummary` for the tablet list, `CaseDetail` with merged records."""
from __future__ import annotations

import base64
import json

from sqlmodel import Session

from schemas.completeness import CaseCompleteness
from schemas.methods import Method, field_kinds
from schemas.protocol import CaseDetail, CaseSummary, MergedRecord, SealInfo, Subject
from schemas.records import SealedRecord
from schemas.signed import seal_valid_over, v1_body
from schemas.workdays import HolidayTable
from sync_server import queries, review
from sync_server.auth import public, team_members
from sync_server.conformity import is_released
from sync_server.deadlines import case_deadline
from sync_server.tables import Case, Record, SignedRecordBytes


def case_summary(session: Session, case: Case, table: HolidayTable) -> CaseSummary:
    """What the survey team needs of a case in the field, with its deadline (R3)."""
    deadline = case_deadline(case, table)
    facts = review.case_facts(session, case)
    names = {u: a.name for u, a in queries.accounts_by_username(session, {e.by for e in facts.entries}).items()}
    returns = review.open_returns(facts, names)
    checklist = review.checklist(facts, returns)
    subjects = [Subject(id=s.id, name=s.name, id_number=s.id_number, relation=s.relation)
                for s in queries.case_subjects(session, case.id)]
    return CaseSummary(
        id=case.id, title=case.title, entrusting_unit=case.entrusting_unit, address=case.address,
        lat=case.lat, lon=case.lon, subjects=subjects, authorization_recorded=case.authorization_recorded,
        entrustment_recorded=case.entrustment_recorded, released=is_released(session, case.id),
        accepted_on=case.accepted_on, deadline=deadline.due,
        deadline_warning=deadline.warning, required_checks=field_kinds(case.required_checks),
        team_id=case.team_id, team=[public(a) for a in team_members(session, case.team_id)],
        methods=[Method(m) for m in case.required_checks], returns=returns, checklist=checklist)


def signed_bytes_of(session: Session, row: Record) -> tuple[int, bytes]:
    """The seal version and exact bytes a merged record's seals cover. Rows merged before these bytes were
    kept are v1: their stored JSON is what the tablet sent, so B1 is rebuilt from it, not from the model."""
    kept = session.get(SignedRecordBytes, row.id)
    if kept is not None:
        return kept.seal_version, kept.body
    return 1, v1_body(json.loads(row.sealed_json)["record"])


def merged_record(session: Session, row: Record) -> MergedRecord:
    """A stored record with, per seal, the signer's name and whether the seal verifies now."""
    sealed = SealedRecord.model_validate_json(row.sealed_json)
    version, body = signed_bytes_of(session, row)
    keys = queries.keys_by_id(session, {s.key_id for s in sealed.seals})
    names = queries.accounts_by_username(session, {s.surveyor for s in sealed.seals})
    seals = []
    for seal in sealed.seals:
        key = keys.get(seal.key_id)
        valid = (key is not None and key.username == seal.surveyor
                 and seal_valid_over(version, body, seal, base64.b64decode(key.public_key)))
        account = names.get(seal.surveyor)
        name = account.name if account else seal.surveyor
        revoked = key.revoked_at if key is not None else None  # after this record arrived (else refused)
        seals.append(SealInfo(surveyor=seal.surveyor, surveyor_name=name, key_id=seal.key_id, valid=valid,
                              key_revoked_at=revoked))
    return MergedRecord(sealed=sealed, received_at=row.received_at, seals=seals, digest=row.digest)


def completeness_of(session: Session, case: Case) -> CaseCompleteness:
    """The case's checklist (current round, open returns taken off), line by line."""
    facts = review.case_facts(session, case)
    return review.checklist(facts, review.open_returns(facts, {}))


def case_detail(session: Session, case: Case, table: HolidayTable) -> CaseDetail:
    """The case with its merged records and completeness."""
    merged = [merged_record(session, r) for r in queries.case_records(session, case.id)]
    summary = case_summary(session, case, table)
    assert summary.checklist is not None
    return CaseDetail(case=summary, records=merged, completeness=summary.checklist)
