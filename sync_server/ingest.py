"""Ingesting a sealed record: load the facts, `merge.decide`, apply in one transaction."""
from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from schemas.protocol import RecordResult, RecordStatus
from schemas.records import SealedRecord
from sync_server import queries
from sync_server.auth import team_members
from sync_server.case_views import completeness_of
from sync_server.conformity import is_released
from sync_server.merge import CaseFacts, Decision, KnownKey, MergeFacts, decide
from sync_server.staff import require_cleared
from sync_server.tables import Account, Case, Record, RecordEvidence


def load_facts(session: Session, sealed: SealedRecord, uploader: Account, now: datetime) -> MergeFacts:
    """What the server holds about this record, its case, its keys and its files."""
    record = sealed.record
    case = session.get(Case, record.case_id)
    case_facts = None
    if case is not None:
        case_facts = CaseFacts(
            case_id=case.id, team=frozenset(a.username for a in team_members(session, case.team_id)),
            authorized=case.authorization_recorded, entrusted=case.entrustment_recorded,
            subject_ids=frozenset(s.id for s in queries.case_subjects(session, case.id)),
            released=is_released(session, case.id))
    keys = {k.key_id: KnownKey(k.username, base64.b64decode(k.public_key), k.revoked_at)
            for k in queries.keys_by_id(session, {s.key_id for s in sealed.seals}).values()}
    existing = session.get(Record, record.id)
    return MergeFacts(uploader=uploader.username, case=case_facts, keys=keys,
                      stored=queries.stored_sizes(session, {e.sha256 for e in record.evidence}),
                      existing_digest=existing.digest if existing else None, received_at=now)


def _apply(session: Session, sealed: SealedRecord, decision: Decision, uploader: Account,
           now: datetime) -> None:
    record = sealed.record
    session.add(Record(id=record.id, case_id=record.case_id, kind=record.kind.value,
                       outcome=record.outcome.value, form_id=record.form_id, form_version=record.form_version,
                       sealed_json=sealed.model_dump_json(), digest=decision.digest, received_at=now,
                       received_from=uploader.username))
    session.flush()  # the record row first: links point at it
    for ref in {e.sha256: e for e in reversed(record.evidence)}.values():
        session.add(RecordEvidence(record_id=record.id, sha256=ref.sha256, kind=ref.kind.value,
                                   role=ref.role.value, media_type=ref.media_type))


def ingest(session: Session, sealed: SealedRecord, uploader: Account, now: datetime) -> RecordResult:
    """Merge the record (or recognise it as already merged) and report the case's completeness.

    Commits once. A concurrent twin that wins the race turns this call into `already_merged`."""
    decision = decide(sealed, load_facts(session, sealed, uploader, now))
    if decision.status == RecordStatus.MERGED:
        for username in dict.fromkeys(sealed.record.surveyors):  # R5, R34 on the day of the visit
            member = session.get(Account, username)
            if member is not None:
                require_cleared(session, member, sealed.record.started_at.date())
        try:
            _apply(session, sealed, decision, uploader, now)
            session.commit()
        except IntegrityError:
            session.rollback()
            decision = decide(sealed, load_facts(session, sealed, uploader, now))
    case = session.get(Case, sealed.record.case_id)
    assert case is not None  # decide() refused unknown cases
    merged = [SealedRecord.model_validate_json(r.sealed_json) for r in queries.case_records(session, case.id)]
    stored = session.get(Record, sealed.record.id)
    return RecordResult(record_id=sealed.record.id, case_id=case.id, status=decision.status,
                        completeness=completeness_of(case, merged),
                        received_at=stored.received_at if stored is not None else None)
