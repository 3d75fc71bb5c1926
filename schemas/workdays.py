"""Working days and the 10-working-day deadline (R3), on the official Chinese holiday calendar.

The built-in table comes from the chinese-calendar package (holidays and swapped workdays, 调休).
An administrator extends it year by year from the State Council's notice (`YearNotice`). For a
year nobody has entered the count falls back to weekends and says so in `Deadline.warning`;
no date ever raises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import BaseModel

DEADLINE_WORKING_DAYS = 10  # §4.2.1
RE_VERIFICATION_EXTRA_DAYS = 10


class YearNotice(BaseModel):
    """One year's official arrangement: rest days off and swapped working weekends."""

    year: int
    holidays: list[date]
    workdays: list[date] = []
    source: str = ""  # e.g. 国务院办公厅关于2027年部分节假日安排的通知


@dataclass(frozen=True)
class HolidayTable:
    """Which dates are days off and which weekend dates are working days, for the years it knows."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    known_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def builtin(cls) -> HolidayTable:
        """The table shipped by chinese-calendar (it knows 2004 up to its last published year)."""
        import chinese_calendar

        holidays = frozenset(chinese_calendar.holidays)
        workdays = frozenset(chinese_calendar.workdays)
        years = frozenset(d.year for d in holidays)
        return cls(holidays, workdays, years)

    def with_notice(self, notice: YearNotice) -> HolidayTable:
        """This table with one year replaced by an official notice."""
        keep_h = {d for d in self.holidays if d.year != notice.year}
        keep_w = {d for d in self.workdays if d.year != notice.year}
        bad = [d for d in [*notice.holidays, *notice.workdays] if d.year != notice.year]
        if bad:
            raise ValueError(f"dates outside {notice.year}: {', '.join(map(str, bad))}")
        return HolidayTable(frozenset(keep_h | set(notice.holidays)), frozenset(keep_w | set(notice.workdays)),
                            self.known_years | {notice.year})

    def knows(self, day: date) -> bool:
        """Whether the official arrangement of this date's year is in the table."""
        return day.year in self.known_years

    def is_workday(self, day: date) -> bool:
        """A working day: a swapped workday, or a weekday that is not a holiday (weekends if unknown)."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


class Deadline(BaseModel):
    """The due date, and a warning when it rests on years the table does not know."""

    due: date
    working_days: int
    unknown_years: list[int] = []
    warning: str = ""


def add_working_days(start: date, count: int, table: HolidayTable) -> Deadline:
    """The `count`-th working day after `start` (the day of acceptance itself is not counted)."""
    day, left, unknown = start, count, set()
    while left > 0:
        day += timedelta(days=1)
        if not table.knows(day):
            unknown.add(day.year)
        if table.is_workday(day):
            left -= 1
    years = sorted(unknown)
    warning = ""
    if years:
        listed = "、".join(str(y) for y in years)
        warning = f"{listed} 年的法定节假日安排尚未录入，期限按周末推算，请管理员录入后核对"
    return Deadline(due=day, working_days=count, unknown_years=years, warning=warning)


def verification_deadline(accepted_on: date, table: HolidayTable, re_verification: bool = False) -> Deadline:
    """R3: 10 working days from accepting the entrustment, 10 more with a re-verification."""
    days = DEADLINE_WORKING_DAYS + (RE_VERIFICATION_EXTRA_DAYS if re_verification else 0)
    return add_working_days(accepted_on, days, table)
