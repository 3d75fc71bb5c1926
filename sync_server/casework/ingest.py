"""Ingesting a sealed record: load the facts, `merge.decide`, apply in one transaction (the seals' verdict
is kept on the row, and the case's summary is rewritten before that commit: casework/summaries.py)."""
from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import RecordResult, RecordStatus
from schemas.records import SealedRecord
from schemas.signed import BodyError, reading, signed_body
from sync_server.accounts.auth import team_members
from sync_server.casework import findings, seal_checks, sealers, summaries
from sync_server.casework.case_wire import completeness_of
from sync_server.casework.deadlines import holiday_table
from sync_server.casework.merge import CaseFacts, Decision, KnownKey, MergeFacts, decide
from sync_server.evidence.access import claimed_sizes
from sync_server.evidence.disk_store import BlobStore
from sync_server.evidence.sniffing import sniffed_types
from sync_server.forms.published import registry_for
from sync_server.office.conformity import is_released, released_at
from sync_server.office.staff import require_cleared
from sync_server.tables import Account, Case, Record, RecordEvidence, SignedRecordBytes, queries
from sync_server.tables.held import hold_rows
from sync_server.transparency import audit

ATTEMPTS = 3  # a concurrent twin of the record makes the insert fail: decide again (it is already merged)


def load_facts(session: Session, sealed: SealedRecord, uploader: Account, blobs: BlobStore,
               now: datetime) -> MergeFacts:
    """What the server holds about this record, its case, its keys and its files (those the uploader's
    team uploaded itself, each sniffed from its bytes), as of `now`."""
    record = sealed.record
    case = session.get(Case, record.case_id)
    case_facts = None
    if case is not None:
        case_facts = CaseFacts(
            case_id=case.id, team=frozenset(a.username for a in team_members(session, case.team_id)),
            authorized=case.authorization_recorded, entrusted=case.entrustment_recorded,
            subject_ids=frozenset(s.id for s in queries.case_subjects(session, case.id)),
            methods=frozenset(case.required_checks), released=is_released(session, case.id),
            released_at=released_at(session, case.id))
    keys = {k.key_id: KnownKey(k.username, base64.b64decode(k.public_key), k.revoked_at)
            for k in queries.keys_by_id(session, {s.key_id for s in sealed.seals}).values()}
    existing = session.get(Record, record.id)
    stored = claimed_sizes(session, uploader, {e.sha256 for e in record.evidence})
    sniffed = {} if existing else sniffed_types(session, blobs, set(stored))
    return MergeFacts(uploader=uploader.username, case=case_facts, keys=keys, stored=stored, sniffed=sniffed,
                      existing_digest=existing.digest if existing else None, received_at=now,
                      forms=registry_for(session, (record.form_id, record.form_version)))


def _apply(session: Session, sealed: SealedRecord, body: bytes, decision: Decision, uploader: Account,
           now: datetime, blobs: BlobStore) -> None:
    record = sealed.record
    session.add(Record(id=record.id, case_id=record.case_id, kind=record.kind.value,
                       outcome=record.outcome.value, form_id=record.form_id, form_version=record.form_version,
                       sealed_json=sealed.model_dump_json(), digest=decision.digest, received_at=now,
                       received_from=uploader.username, respondent_name=record.respondent.name,
                       seal_verdicts=seal_checks.dump(seal_checks.at_ingest(sealed)), seals_checked_at=now))
    session.flush()  # the record row first: links point at it
    sealers.credit(session, record.id, record.case_id, [s.surveyor for s in sealed.seals])
    seals_json = "[" + ",".join(s.model_dump_json() for s in sealed.seals) + "]"
    session.add(SignedRecordBytes(record_id=record.id, seal_version=sealed.seal_version, body=body,
                                  seals_json=seals_json))
    for ref in {e.sha256: e for e in reversed(record.evidence)}.values():
        session.add(RecordEvidence(record_id=record.id, sha256=ref.sha256, kind=ref.kind.value,
                                   role=ref.role.value, media_type=ref.media_type))
    case = session.get(Case, record.case_id)
    assert case is not None  # decide() refused unknown cases
    found = findings.judge(session, blobs, record, case, holiday_table(session, summaries.builtin_holidays()), now)
    audit.append(session, audit.AuditEvent(
        kind="record.ingested", at=now, actor=uploader.username, case_id=record.case_id, subject=record.id,
        data={"digest": decision.digest, "seal_version": sealed.seal_version,
              "seals": [{"surveyor": s.surveyor, "key_id": s.key_id} for s in sealed.seals],
              "findings": [[f.code, f.target] for f in found]}))


def ingest(session: Session, sealed: SealedRecord, uploader: Account, now: datetime,
           raw_record: Mapping[str, Any] | None = None, *, blobs: BlobStore) -> RecordResult:
    """Merge the record (or recognise it as already merged) and report the case's completeness.

    `raw_record` is the record JSON object as received: a v1 seal is checked over it, not over the
    re-serialised model, so old tablets' records verify after the schema grows. Commits once."""
    try:
        body = signed_body(sealed, raw_record)
        sealed = reading(sealed)  # v2: the record is read from the bytes that were signed
    except (BodyError, ValueError) as error:
        raise ProblemError(Code.RECORD_INVALID, str(error)) from None
    summaries.checklist_kept(session, sealed.record.case_id)  # none from before this ingest
    hold_rows(session)  # a few dozen rows, each read once (the case, its entrustment, the team)
    for _ in range(ATTEMPTS):
        decision = decide(sealed, load_facts(session, sealed, uploader, blobs, now), body)
        if decision.status != RecordStatus.MERGED:
            break
        for username in dict.fromkeys(sealed.record.surveyors):  # R5, R34 on the day of the visit
            member = session.get(Account, username)
            if member is not None:
                require_cleared(session, member, sealed.record.started_at.date())
        try:
            _apply(session, sealed, body, decision, uploader, now, blobs)
            session.commit()
            break
        except IntegrityError:
            session.rollback()
    else:
        raise ProblemError(Code.SERVER_ERROR, "并发写入冲突，请重试")
    case_id = sealed.record.case_id
    completeness = summaries.checklist_kept(session, case_id)  # computed before the commit: no query again
    if completeness is None:
        case = session.get(Case, case_id)
        assert case is not None  # decide() refused unknown cases
        completeness = completeness_of(session, case)
    if decision.status == RecordStatus.MERGED:  # merged just now, at `now` (issue 19: no read-back)
        received_at: datetime | None = now.astimezone(UTC)
    else:
        stored = session.get(Record, sealed.record.id)
        received_at = stored.received_at if stored is not None else None
    return RecordResult(record_id=sealed.record.id, case_id=case_id, status=decision.status,
                        completeness=completeness, received_at=received_at)
