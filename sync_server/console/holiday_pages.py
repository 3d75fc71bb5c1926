"""The administrator's console for the holiday calendar (issue 18, R3): each year's official notice
(days off, swapped working weekends) as the deadlines count them, and a form to enter or correct a year.
Until now only `python -m sync_server holidays add FILE` could; the console's entry is logged by name.

Dates are typed one per line or separated by commas or spaces; a run of days as `2027-10-01~2027-10-07`."""
from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from schemas.workdays import HolidayTable, YearNotice
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.casework.deadlines import stored_notices
from sync_server.console.admin_forms import Outcome, refuse_unless_admin, run
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import page
from sync_server.office.holiday_notices import enter_notice
from sync_server.services import Services
from sync_server.tables import Account

router = APIRouter(prefix="/console/admin", include_in_schema=False)
_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_DAYS = 366


def parse_dates(text: str) -> list[date]:
    """`2027-01-01, 2027-02-10~2027-02-16` → the dates, sorted; ValueError names the bad piece."""
    found: set[date] = set()
    for piece in (p for p in _SEPARATORS.split(text.strip()) if p):
        first, _, last = piece.replace("～", "~").partition("~")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            raise ValueError(f"“{piece}”不是 YYYY-MM-DD 格式的日期") from None
        if end < start or (end - start).days > 60:
            raise ValueError(f"“{piece}”的起止日期有误")
        found |= {start + timedelta(days=n) for n in range((end - start).days + 1)}
        if len(found) > MAX_DAYS:
            raise ValueError("日期过多")
    return sorted(found)


def _page(actor: Account, session: Session, services: Services, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    builtin = HolidayTable.builtin()
    return page("admin_holidays.html", status=outcome.status, staff=public(actor), notices=stored_notices(session),
                builtin_years=sorted(builtin.known_years), outcome=outcome,
                this_year=services.clock().year + 1)


@router.get("/holidays")
def holidays(staff_account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    return refuse_unless_admin(staff_account) or _page(staff_account, session, services)


@router.post("/holidays")
def enter(form: Form, staff_account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused

    def act() -> str:
        year = form.get("year", "").strip()
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            raise ValueError("请填写四位数的年份")
        notice = YearNotice(year=int(year), holidays=parse_dates(form.get("holidays", "")),
                            workdays=parse_dates(form.get("workdays", "")), source=form.get("source", "").strip())
        if not notice.holidays:
            raise ValueError("请填写放假日期")
        enter_notice(session, staff_account, notice, services.clock())
        return (f"已录入 {notice.year} 年节假日安排：{len(notice.holidays)} 天休息，"
                f"{len(notice.workdays)} 天调休上班")
    return _page(staff_account, session, services, run(session, act, form))
