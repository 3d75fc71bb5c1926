"""The wire views of a case: `CaseSummary` for the tablet list, `CaseDetail` with merged records."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from schemas.completeness import CaseCompleteness
from schemas.methods import Method, field_kinds
from schemas.protocol import CaseDetail, CaseSummary, MergedRecord, SealInfo, Subject
from schemas.records import EvidenceKind, Role, SealedRecord
from schemas.workdays import HolidayTable
from sync_server.accounts.auth import public
from sync_server.casework import review, seal_checks
from sync_server.casework.deadlines import case_deadline
from sync_server.office.conformity import released_cases, released_times
from sync_server.tables import Account, Case, Record, SurveyorKey, queries


def case_summary(session: Session, case: Case, table: HolidayTable) -> CaseSummary:
    """What the survey team needs of a case in the field, with its deadline (R3)."""
    return case_summaries(session, [case], table)[0]


def case_summaries(session: Session, cases: list[Case], table: HolidayTable) -> list[CaseSummary]:
    """`case_summary` of several cases in a fixed number of queries (the tablet's case list)."""
    ids = [c.id for c in cases]
    facts = review.facts_of_cases(session, cases)
    names = {u: a.name for u, a in queries.accounts_by_username(
        session, {e.by for f in facts.values() for e in f.entries}).items()}
    subjects = queries.subjects_of(session, ids)
    released = released_cases(session, ids)
    released_at = released_times(session, ids)
    teams = queries.team_members_of(session, {c.team_id for c in cases})
    out = []
    for case in cases:
        deadline = case_deadline(case, table)
        returns = review.open_returns(facts[case.id], names)
        out.append(CaseSummary(
            id=case.id, title=case.title, entrusting_unit=case.entrusting_unit, address=case.address,
            lat=case.lat, lon=case.lon, authorization_recorded=case.authorization_recorded,
            subjects=[Subject(id=s.id, name=s.name, id_number=s.id_number, relation=s.relation)
                      for s in subjects.get(case.id, [])],
            entrustment_recorded=case.entrustment_recorded, released=case.id in released,
            released_at=released_at.get(case.id),
            accepted_on=case.accepted_on, deadline=deadline.due,
            deadline_warning=deadline.warning, required_checks=field_kinds(case.required_checks),
            team_id=case.team_id, team=[public(a) for a in teams.get(case.team_id, [])],
            methods=[Method(m) for m in case.required_checks], returns=returns,
            checklist=review.checklist(facts[case.id], returns)))
    return out


def signed_bytes_of(session: Session, row: Record) -> tuple[int, bytes]:
    """The seal version and exact bytes a merged record's seals cover. Rows merged before these bytes were
    kept are v1: their stored JSON is what the tablet sent, so B1 is rebuilt from it, not from the model."""
    return seal_checks.signed_bytes(session, [row])[row.id]


def merged_record(session: Session, row: Record) -> MergedRecord:
    """A stored record with, per seal, the signer's name and whether the seal verifies now (exports)."""
    sealed = SealedRecord.model_validate_json(row.sealed_json)
    version, body = signed_bytes_of(session, row)
    keys = queries.keys_by_id(session, {s.key_id for s in sealed.seals})
    names = queries.accounts_by_username(session, {s.surveyor for s in sealed.seals})
    verdicts = seal_checks.check(version, body, sealed, keys)
    return _merged(row, sealed, verdicts, keys, names, checked_at=None)


def merged_records(session: Session, rows: list[Record]) -> list[MergedRecord]:
    """Stored records with their stored seal verdicts (checked at ingest or on request), in a fixed number
    of queries: the keys and the signers' names once for all rows; rows never checked are verified now."""
    sealed = {r.id: SealedRecord.model_validate_json(r.sealed_json) for r in rows}
    seals = [s for x in sealed.values() for s in x.seals]
    keys = queries.keys_by_id(session, {s.key_id for s in seals})
    names = queries.accounts_by_username(session, {s.surveyor for s in seals})
    kept = {r.id: seal_checks.stored(r) for r in rows}
    unchecked = [r for r in rows if kept[r.id] is None]
    live = seal_checks.check_rows(session, unchecked, sealed, keys) if unchecked else {}
    return [_merged(r, sealed[r.id], kept[r.id] or live[r.id], keys, names, checked_at=r.seals_checked_at)
            for r in rows]


def _merged(row: Record, sealed: SealedRecord, verdicts: list[seal_checks.SealVerdict],
            keys: dict[str, SurveyorKey], names: dict[str, Account], checked_at: datetime | None) -> MergedRecord:
    seals = []
    for seal, verdict in zip(sealed.seals, verdicts, strict=True):
        key = keys.get(seal.key_id)
        account = names.get(seal.surveyor)
        name = account.name if account else seal.surveyor
        revoked = key.revoked_at if key is not None else None  # after this record arrived (else refused)
        seals.append(SealInfo(surveyor=seal.surveyor, surveyor_name=name, key_id=seal.key_id,
                              valid=verdict.valid, key_revoked_at=revoked))
    return MergedRecord(sealed=sealed, received_at=row.received_at, seals=seals, digest=row.digest,
                        seals_checked_at=checked_at)


def completeness_of(session: Session, case: Case) -> CaseCompleteness:
    """The case's checklist (current round, open returns taken off), line by line."""
    facts = review.case_facts(session, case)
    return review.checklist(facts, review.open_returns(facts, {}))


def case_detail(session: Session, case: Case, table: HolidayTable, rows: list[Record] | None = None) -> CaseDetail:
    """The case with its merged records (all, or these rows: a page of them) and completeness."""
    merged = merged_records(session, queries.case_records(session, case.id) if rows is None else rows)
    summary = case_summary(session, case, table)
    assert summary.checklist is not None
    return CaseDetail(case=summary, records=merged, completeness=summary.checklist)


@dataclass(frozen=True)
class LightRef:
    kind: EvidenceKind
    role: Role
    sha256: str
    captured_by: str


@dataclass(frozen=True)
class LightRecord:
    """A stored record's id and evidence references, read with a plain JSON parse (no validation)."""

    id: str
    evidence: list[LightRef]


def evidence_of(rows: list[Record]) -> list[LightRecord]:
    """Each row's evidence references (for checks across every record of a case, e.g. repeated signatures)."""
    out = []
    for row in rows:
        refs = json.loads(row.sealed_json)["record"].get("evidence") or []
        out.append(LightRecord(row.id, [LightRef(EvidenceKind(e["kind"]), Role(e["role"]), e["sha256"],
                                                 e.get("captured_by", "")) for e in refs]))
    return out
