"""The reviewer's case list: filters, search by name or ID number, overdue and due-soon marks, pages.

ID numbers are shown in full only to roles whose duty needs them (R21); others see them masked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from schemas.masking import masked_id_number
from schemas.protocol import AccountRole
from schemas.review import CasePage, CaseRow
from schemas.workdays import HolidayTable
from sync_server import queries, review
from sync_server.deadlines import case_deadline
from sync_server.tables import Account

PAGE_SIZE = 20
DUE_SOON_DAYS = 3
CHINA = timezone(timedelta(hours=8))
ID_NUMBER_ROLES = {AccountRole.REVIEWER.value, AccountRole.TOWNSHIP.value}


@dataclass(frozen=True)
class Filters:
    township: str = ""  # the entrusting unit
    team: str = ""
    status: str = ""  # a checklist status (complete, incomplete, refused_return) or a review status
    due: str = ""  # "overdue" or "soon"
    q: str = ""  # a subject's name, or (4+ characters) part of an ID number
    page: int = 1


def _matches(query: str, names: list[tuple[str, str]]) -> bool:
    query = query.strip().upper()
    if not query:
        return True
    return any(query in name or (len(query) >= 4 and query in number.upper()) for name, number in names)


def case_page(session: Session, account: Account, table: HolidayTable, filters: Filters,
              now: datetime) -> CasePage:
    """One page of the cases the account may see, matching the filters, soonest deadline first."""
    today = now.astimezone(CHINA).date()
    show_ids = account.role in ID_NUMBER_ROLES
    rows: list[CaseRow] = []
    for case in queries.visible_cases(session, account):
        if (filters.township and case.entrusting_unit != filters.township) or \
                (filters.team and case.team_id != filters.team):
            continue
        subjects = [(s.name, s.id_number) for s in queries.case_subjects(session, case.id)]
        if not _matches(filters.q, subjects):
            continue
        state = review.review_state(session, case)
        due = case_deadline(case, table).due
        row = CaseRow(id=case.id, title=case.title, entrusting_unit=case.entrusting_unit, team_id=case.team_id,
                      accepted_on=case.accepted_on, deadline=due, overdue=due < today and
                      state.status.value != "accepted",
                      due_soon=today <= due <= today + timedelta(days=DUE_SOON_DAYS),
                      checklist_status=state.checklist.status, checklist_label=state.checklist.status_label,
                      review_status=state.status, records=len(queries.case_records(session, case.id)),
                      subjects="；".join(f"{n}（{num if show_ids else masked_id_number(num)}）" for n, num in subjects))
        if filters.status and filters.status not in (row.checklist_status, row.review_status.value):
            continue
        if (filters.due == "overdue" and not row.overdue) or (filters.due == "soon" and not row.due_soon):
            continue
        rows.append(row)
    rows.sort(key=lambda r: (r.deadline, r.id))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(filters.page, pages)
    return CasePage(rows=rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], total=len(rows), page=page, pages=pages)
