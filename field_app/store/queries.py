"""Small named reads and writes on the tablet's tables. None of them commits: the caller's
`Store.transaction()` block does, once."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from field_app.store.tables import CachedCase, Draft, LocalAccount, OutboxItem, OutboxStatus, Receipt
from schemas.protocol import CaseSummary
from schemas.records import SealedRecord, SurveyRecord
from schemas.seal import record_digest

# --- accounts ---------------------------------------------------------------------------------


def get_account(session: Session, username: str) -> LocalAccount | None:
    """The local account of a surveyor, if they ever signed in here."""
    return session.get(LocalAccount, username)


# --- cases ------------------------------------------------------------------------------------


def save_cases(session: Session, team_id: str, cases: Iterable[CaseSummary], now: datetime) -> None:
    """Upsert the team's downloaded cases; drop the team's other cases unless a draft or a
    sealed record still refers to them."""
    fresh = {c.id: c for c in cases}
    for case in fresh.values():
        row = session.get(CachedCase, case.id) or CachedCase(id=case.id, team_id=team_id, summary_json="",
                                                            downloaded_at=now)
        row.team_id, row.summary_json, row.downloaded_at = team_id, case.model_dump_json(), now
        session.add(row)
    stale = session.exec(select(CachedCase).where(CachedCase.team_id == team_id,
                                                  col(CachedCase.id).not_in(list(fresh)))).all()
    for row in stale:
        if not _case_in_use(session, row.id):
            session.delete(row)


def _case_in_use(session: Session, case_id: str) -> bool:
    return (session.exec(select(Draft.record_id).where(Draft.case_id == case_id)).first() is not None
            or session.exec(select(OutboxItem.record_id).where(OutboxItem.case_id == case_id)).first()
            is not None)  # receipts carry no personal data and need no case


def cached_cases(session: Session, team_id: str) -> list[CaseSummary]:
    """The team's cached cases (unsorted)."""
    rows = session.exec(select(CachedCase).where(CachedCase.team_id == team_id)).all()
    return [CaseSummary.model_validate_json(r.summary_json) for r in rows]


def cached_case(session: Session, case_id: str) -> CaseSummary | None:
    """One cached case."""
    row = session.get(CachedCase, case_id)
    return None if row is None else CaseSummary.model_validate_json(row.summary_json)


def last_download(session: Session, team_id: str) -> datetime | None:
    """When the team's cases were last downloaded."""
    rows = session.exec(select(CachedCase.downloaded_at).where(CachedCase.team_id == team_id)).all()
    return max(rows) if rows else None


# --- drafts -----------------------------------------------------------------------------------


def save_draft(session: Session, record: SurveyRecord, now: datetime) -> None:
    """Insert or overwrite the draft of a record."""
    row = session.get(Draft, record.id) or Draft(record_id=record.id, case_id=record.case_id,
                                                 kind=record.kind.value, record_json="", updated_at=now)
    row.record_json, row.updated_at = record.model_dump_json(), now
    session.add(row)


def load_draft(session: Session, record_id: str) -> SurveyRecord | None:
    """A draft record, if it exists."""
    row = session.get(Draft, record_id)
    return None if row is None else SurveyRecord.model_validate_json(row.record_json)


def drafts(session: Session, case_id: str | None = None) -> list[SurveyRecord]:
    """Drafts, optionally of one case, oldest change first."""
    query = select(Draft).order_by(col(Draft.updated_at))
    if case_id is not None:
        query = query.where(Draft.case_id == case_id)
    return [SurveyRecord.model_validate_json(r.record_json) for r in session.exec(query)]


def delete_draft(session: Session, record_id: str) -> None:
    """Remove a draft (after sealing it, or when the team discards it)."""
    row = session.get(Draft, record_id)
    if row is not None:
        session.delete(row)


# --- outbox -----------------------------------------------------------------------------------


def add_to_outbox(session: Session, sealed: SealedRecord) -> OutboxItem:
    """Queue a sealed record. Its JSON is written here once and never updated."""
    record = sealed.record
    if record.sealed_at is None:
        raise ValueError("only sealed records go to the outbox")
    row = OutboxItem(record_id=record.id, case_id=record.case_id, kind=record.kind.value,
                     sealed_json=sealed.model_dump_json(), sealed_at=record.sealed_at)
    session.add(row)
    return row


def outbox_items(session: Session, statuses: Iterable[OutboxStatus] | None = None,
                 case_id: str | None = None) -> list[OutboxItem]:
    """Outbox rows, oldest seal first, optionally filtered by status and case."""
    query = select(OutboxItem).order_by(col(OutboxItem.sealed_at), col(OutboxItem.record_id))
    if statuses is not None:
        query = query.where(col(OutboxItem.status).in_([s.value for s in statuses]))
    if case_id is not None:
        query = query.where(OutboxItem.case_id == case_id)
    return list(session.exec(query))


def sealed_record(item: OutboxItem) -> SealedRecord:
    """The sealed record held by an outbox row."""
    return SealedRecord.model_validate_json(item.sealed_json)


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    """How many records are in each status (SYNCED: receipts of confirmed records)."""
    counts = {s: 0 for s in OutboxStatus}
    for status in session.exec(select(OutboxItem.status)):
        counts[OutboxStatus(status)] += 1
    counts[OutboxStatus.SYNCED] += len(session.exec(select(Receipt.record_id)).all())
    return counts


def mark_attempt(session: Session, record_id: str, now: datetime) -> None:
    """Count one upload attempt."""
    row = session.get_one(OutboxItem, record_id)
    row.attempts += 1
    row.last_attempt_at = now
    session.add(row)


def mark_synced(session: Session, record_id: str, now: datetime) -> None:
    """The server holds the record."""
    row = session.get_one(OutboxItem, record_id)
    row.status, row.problem_code, row.problem_detail, row.synced_at = OutboxStatus.SYNCED.value, "", "", now
    session.add(row)


def confirm(session: Session, record_id: str, received_at: datetime | None, now: datetime) -> SealedRecord:
    """The server holds the record: keep a receipt (id, digest, server time) and drop the sealed
    record from the tablet (R21). Returns the record, whose files the caller may now delete."""
    row = session.get_one(OutboxItem, record_id)
    sealed = sealed_record(row)
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)  # the server speaks UTC
    session.merge(Receipt(record_id=record_id, case_id=row.case_id, kind=row.kind,
                          digest=record_digest(sealed.record).hex(), received_at=received_at, confirmed_at=now))
    row.status, row.problem_code, row.problem_detail, row.synced_at = OutboxStatus.SYNCED.value, "", "", now
    session.add(row)
    session.flush()  # the trigger lets only a synced row be deleted
    session.delete(row)
    return sealed


def receipt(session: Session, record_id: str) -> Receipt | None:
    """The receipt of a record the server confirmed."""
    return session.get(Receipt, record_id)


def mark_problem(session: Session, record_id: str, code: str, detail: str) -> None:
    """The server refused the record; a person has to look at it."""
    row = session.get_one(OutboxItem, record_id)
    row.status, row.problem_code, row.problem_detail = OutboxStatus.PROBLEM.value, code, detail
    session.add(row)


# --- evidence in use --------------------------------------------------------------------------


def evidence_in_use(session: Session) -> set[str]:
    """Hashes referenced by any draft or any sealed record not yet synced: never delete these."""
    used: set[str] = set()
    for record in drafts(session):
        used.update(e.sha256 for e in record.evidence)
    for item in outbox_items(session, [OutboxStatus.QUEUED, OutboxStatus.PROBLEM]):
        used.update(e.sha256 for e in sealed_record(item).record.evidence)
    return used
