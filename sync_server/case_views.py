"""The wire views of a case: `CaseSummary` for the tablet list, `CaseDetail` with merged records."""
from __future__ import annotations

import base64

from sqlmodel import Session

from schemas.completeness import CaseCompleteness, case_completeness
from schemas.protocol import CaseDetail, CaseSummary, MergedRecord, SealInfo, Subject
from schemas.records import SealedRecord, VisitKind
from schemas.seal import seal_is_valid
from schemas.workdays import HolidayTable
from sync_server import queries
from sync_server.auth import public, team_members
from sync_server.conformity import is_released
from sync_server.deadlines import case_deadline
from sync_server.tables import Case, Record


def case_summary(session: Session, case: Case, table: HolidayTable) -> CaseSummary:
    """What the survey team needs of a case in the field, with its deadline (R3)."""
    deadline = case_deadline(case, table)
    subjects = [Subject(id=s.id, name=s.name, id_number=s.id_number, relation=s.relation)
                for s in queries.case_subjects(session, case.id)]
    return CaseSummary(
        id=case.id, title=case.title, entrusting_unit=case.entrusting_unit, address=case.address,
        lat=case.lat, lon=case.lon, subjects=subjects, authorization_recorded=case.authorization_recorded,
        entrustment_recorded=case.entrustment_recorded, released=is_released(session, case.id),
        accepted_on=case.accepted_on, deadline=deadline.due,
        deadline_warning=deadline.warning, required_checks=[VisitKind(k) for k in case.required_checks],
        team_id=case.team_id, team=[public(a) for a in team_members(session, case.team_id)])


def merged_record(session: Session, row: Record) -> MergedRecord:
    """A stored record with, per seal, the signer's name and whether the seal verifies now."""
    sealed = SealedRecord.model_validate_json(row.sealed_json)
    keys = queries.keys_by_id(session, {s.key_id for s in sealed.seals})
    names = queries.accounts_by_username(session, {s.surveyor for s in sealed.seals})
    seals = []
    for seal in sealed.seals:
        key = keys.get(seal.key_id)
        valid = (key is not None and key.username == seal.surveyor
                 and seal_is_valid(sealed.record, seal, base64.b64decode(key.public_key)))
        account = names.get(seal.surveyor)
        name = account.name if account else seal.surveyor
        revoked = key.revoked_at if key is not None else None  # after this record arrived (else refused)
        seals.append(SealInfo(surveyor=seal.surveyor, surveyor_name=name, key_id=seal.key_id, valid=valid,
                              key_revoked_at=revoked))
    return MergedRecord(sealed=sealed, received_at=row.received_at, seals=seals)


def completeness_of(case: Case, records: list[SealedRecord]) -> CaseCompleteness:
    """The case's completeness, line by line."""
    return case_completeness(authorization=case.authorization_recorded, entrustment=case.entrustment_recorded,
                             required_checks=[VisitKind(k) for k in case.required_checks],
                             records=[r.record for r in records])


def case_detail(session: Session, case: Case, table: HolidayTable) -> CaseDetail:
    """The case with its merged records and completeness."""
    merged = [merged_record(session, r) for r in queries.case_records(session, case.id)]
    return CaseDetail(case=case_summary(session, case, table), records=merged,
                      completeness=completeness_of(case, [m.sealed for m in merged]))
