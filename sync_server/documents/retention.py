"""Retention (R35): each case's archive is kept for a set number of years, then may be disposed of.

Disposal itself (appraisal by a second person, every file of the case destroyed, the certificate) is in
disposal.py; the records' signed bytes, the report versions and the log stay, so the log still proves
what existed and when it was destroyed, by whom and why.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from schemas.archive import RetentionInfo
from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.tables import Account, Case, CaseRetention
from sync_server.transparency import audit

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
