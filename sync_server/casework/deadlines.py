"""The holiday table the server counts with: chinese-calendar's, extended by stored notices (R3).

The notices are read from the database every time (an administrator may have just entered one), but the
table made from them is kept per distinct set of notices: applying a notice walks every date the built-in
table knows (two decades: 0.06 ms per notice), and an ingest asks for the table twice (issue 19)."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

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
    rows = session.exec(select(HolidayNotice.notice_json).order_by(col(HolidayNotice.year)))
    return _table_with(builtin, tuple(rows))


@lru_cache(maxsize=8)
def _table_with(builtin: HolidayTable, notices_json: tuple[str, ...]) -> HolidayTable:
    """The built-in table with these stored notices (their JSON as stored) applied; kept per distinct
    notices (tables are immutable), so a changed or added notice makes a new table."""
    return extended_table(builtin, [YearNotice.model_validate_json(text) for text in notices_json])


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
