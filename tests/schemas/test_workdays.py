"""R3: the deadline is 10 Chinese working days after acceptance, holidays and swapped workdays included."""
from datetime import date

import pytest

from schemas.workdays import HolidayTable, YearNotice, add_working_days, verification_deadline

BUILTIN = HolidayTable.builtin()


def test_national_day_2026_with_its_swapped_saturday():
    """2026: 1–7 Oct off, Sat 10 Oct is a working day (调休)."""
    assert not BUILTIN.is_workday(date(2026, 10, 5))
    assert BUILTIN.is_workday(date(2026, 10, 10))
    deadline = verification_deadline(date(2026, 9, 28), BUILTIN)
    # 29, 30 Sep; 8, 9, 10(Sat), 12, 13, 14, 15, 16 Oct
    assert deadline.due == date(2026, 10, 16)
    assert deadline.warning == ""


def test_spring_festival_2026_with_swapped_weekends():
    deadline = add_working_days(date(2026, 2, 12), 3, BUILTIN)
    # 13 Feb Fri; 14 Feb Sat is a swapped workday; the festival runs 15–23 Feb; 24 Feb Tue
    assert deadline.due == date(2026, 2, 24)


def test_re_verification_adds_ten_more_working_days():
    """R3, R19."""
    first = verification_deadline(date(2026, 11, 2), BUILTIN)
    second = verification_deadline(date(2026, 11, 2), BUILTIN, re_verification=True)
    assert add_working_days(first.due, 10, BUILTIN).due == second.due


def test_an_unknown_year_falls_back_to_weekends_with_a_warning():
    deadline = verification_deadline(date(2026, 12, 24), BUILTIN)
    assert deadline.unknown_years == [2027]
    assert "2027" in deadline.warning
    assert deadline.due == date(2027, 1, 7)  # 25, 28-31 Dec; 1, 4-7 Jan counted as weekdays


@pytest.mark.parametrize("day", [date(1900, 1, 1), date(2099, 12, 31), date(9999, 12, 1)])
def test_no_date_ever_raises(day):
    deadline = add_working_days(day, 10, BUILTIN)
    assert deadline.due > day or deadline.due.year == 9999


def test_an_administrator_extends_the_table_from_the_state_council_notice():
    notice = YearNotice(year=2027, holidays=[date(2027, 1, 1)], workdays=[], source="2027 通知（测试）")
    table = BUILTIN.with_notice(notice)
    deadline = verification_deadline(date(2026, 12, 24), table)
    assert deadline.warning == ""
    assert deadline.due == date(2027, 1, 8)  # 1 Jan now a holiday
    with pytest.raises(ValueError):
        BUILTIN.with_notice(YearNotice(year=2027, holidays=[date(2028, 1, 1)]))
