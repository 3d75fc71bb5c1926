"""Retention (R35): each case's archive is kept for a set number of years; disposal is a logged action.

Disposal removes the evidence originals only this case cites and marks the case disposed; the records'
signed bytes, the report versions and the log stay, so the log still proves what existed and when it
was destroyed, by whom and why.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from schemas.archive import RetentionInfo
from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server import audit, queries
from sync_server.blobs import BlobStore
from sync_server.display import DisplayCopies
from sync_server.posts import require_post
from sync_server.tables import Account, Case, CaseRetention, RecordEvidence

DEFAULT_YEARS = 10


def disposal_date(case: Case, years: int) -> date:
    """The day after which the archive may be destroyed: acceptance date plus the retention years."""
    start = case.accepted_on
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def info(row: CaseRetention, removed: int = 0) -> RetentionInfo:
    """The wire view of a retention row."""
    return RetentionInfo(case_id=row.case_id, retention_years=row.retention_years, disposal_date=row.disposal_date,
                         disposed_at=row.disposed_at, disposed_by=row.disposed_by, files_removed=removed)


def retention_of(session: Session, case: Case) -> CaseRetention:
    """The case's retention row (the default period until one is set)."""
    row = session.get(CaseRetention, case.id)
    return row or CaseRetention(case_id=case.id, retention_years=DEFAULT_YEARS,
                                disposal_date=disposal_date(case, DEFAULT_YEARS))


def refuse_if_disposed(session: Session, case: Case) -> None:
    """Nothing is exported or issued from a destroyed archive."""
    row = session.get(CaseRetention, case.id)
    if row is not None and row.disposed_at is not None:
        raise ProblemError(Code.CASE_DISPOSED, case.id, disposed_at=row.disposed_at.isoformat())


def set_retention(session: Session, case: Case, years: int, by: Account, now: datetime) -> CaseRetention:
    """Set the retention period (机要岗; logged); refused once disposed."""
    require_post(by, Post.CONFIDENTIAL)
    actor = by.username
    refuse_if_disposed(session, case)
    row = session.get(CaseRetention, case.id) or CaseRetention(case_id=case.id, retention_years=years,
                                                               disposal_date=disposal_date(case, years))
    row.retention_years, row.disposal_date, row.set_by = years, disposal_date(case, years), actor
    session.add(row)
    audit.log(session, "retention.set", now, actor, case.id, subject=case.id, retention_years=years,
              disposal_date=row.disposal_date.isoformat())
    return row


def dispose(session: Session, case: Case, blobs: BlobStore, by: Account, note: str, now: datetime,
            today: date, display: DisplayCopies | None = None) -> tuple[CaseRetention, int]:
    """Destroy the case's evidence originals once the disposal date has passed, and every display copy made
    for its records (they show the photos too, shared ones included); 机要岗 only; logged (caller commits)."""
    require_post(by, Post.CONFIDENTIAL)
    actor = by.username
    refuse_if_disposed(session, case)
    row = retention_of(session, case)
    if today < row.disposal_date:
        raise ProblemError(Code.RETENTION_NOT_DUE, f"保管至 {row.disposal_date.isoformat()}",
                           disposal_date=row.disposal_date.isoformat())
    record_ids = [r.id for r in queries.case_records(session, case.id)]
    mine = set(session.exec(select(RecordEvidence.sha256).where(col(RecordEvidence.record_id).in_(record_ids))))
    shared = set(session.exec(select(RecordEvidence.sha256).where(col(RecordEvidence.sha256).in_(mine),
                                                                  col(RecordEvidence.record_id).not_in(record_ids))))
    if display is not None:
        for link in session.exec(select(RecordEvidence).where(col(RecordEvidence.record_id).in_(record_ids))):
            display.forget(link.sha256, link.record_id)
    removed = 0
    for sha in sorted(mine - shared):
        removed += blobs.delete(sha)
    row.disposed_at, row.disposed_by, row.disposal_note = now, actor, note
    session.add(row)
    audit.log(session, "case.disposed", now, actor, case.id, subject=case.id, note=note, files_removed=removed,
              evidence=sorted(mine - shared))
    return row, removed
