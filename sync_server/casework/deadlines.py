"""The holiday table the server counts with: chinese-calendar's, extended by stored notices (R3)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from schemas.workdays import Deadline, HolidayTable, YearNotice, verification_deadline
from sync_server.tables import Case, HolidayNotice


def extended_table(builtin: HolidayTable, notices: list[YearNotice]) -> HolidayTable:
    """The built-in table with each notice applied in year order."""
    table = builtin
    for notice in sorted(notices, key=lambda n: n.year):
        table = table.with_notice(notice)
    return table


def stored_notices(session: Session) -> list[YearNotice]:
    """Every notice an administrator entered."""
    rows = session.exec(select(HolidayNotice).order_by(col(HolidayNotice.year)))
    return [YearNotice.model_validate_json(r.notice_json) for r in rows]


def holiday_table(session: Session, builtin: HolidayTable) -> HolidayTable:
    """The table in force now."""
    return extended_table(builtin, stored_notices(session))


def save_notice(session: Session, notice: YearNotice, now: datetime) -> None:
    """Enter or replace one year's notice (validated first; not committed)."""
    HolidayTable().with_notice(notice)  # raises ValueError for dates outside the year
    row = session.get(HolidayNotice, notice.year)
    if row is None:
        row = HolidayNotice(year=notice.year, notice_json=notice.model_dump_json(), added_at=now)
    else:
        row.notice_json, row.added_at = notice.model_dump_json(), now
    session.add(row)


def case_deadline(case: Case, table: HolidayTable) -> Deadline:
    """The case's due date; never raises, unknown years come back as a warning."""
    return verification_deadline(case.accepted_on, table, re_verification=case.re_verification)
