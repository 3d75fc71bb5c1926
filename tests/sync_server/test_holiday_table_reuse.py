"""The holiday table is made once per distinct set of stored notices (issue 19: an ingest asked for it twice,
each time applying every notice to two decades of dates), and a notice entered or changed is in force at once."""
from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from schemas.workdays import YearNotice
from sync_server.casework.deadlines import holiday_table, save_notice
from sync_server.casework.summaries import builtin_holidays

SPRING = date(2031, 2, 3)  # a Monday


def test_same_notices_give_the_same_table_and_a_new_notice_is_in_force_at_once(app: FastAPI) -> None:
    services = app.state.services
    with services.session() as session:
        first = holiday_table(session, builtin_holidays())
        assert holiday_table(session, builtin_holidays()) is first  # nothing changed: not made again
        assert first.is_workday(SPRING) and not first.knows(SPRING)

        save_notice(session, YearNotice(year=2031, holidays=[SPRING]), services.clock())
        session.flush()
        noticed = holiday_table(session, builtin_holidays())
        assert noticed is not first
        assert noticed.knows(SPRING) and not noticed.is_workday(SPRING)

        save_notice(session, YearNotice(year=2031, holidays=[date(2031, 2, 4)]), services.clock())  # replaced
        session.flush()
        replaced = holiday_table(session, builtin_holidays())
        assert replaced.is_workday(SPRING) and not replaced.is_workday(date(2031, 2, 4))
        session.rollback()
        assert holiday_table(session, builtin_holidays()) is first  # back to the notices as stored
