"""The reviewer's case list: filters, search by name or ID number, overdue and due-soon marks, pages.
It reads the cases and their summaries (casework/summaries.py) only: its cost does not grow with the
number of records.

ID numbers are shown in full only to roles whose duty needs them (R21); others see them masked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from schemas.checklist import STATUS_LABELS
from schemas.masking import masked_id_number
from schemas.protocol import AccountRole
from schemas.review import CasePage, CaseRow, ReviewStatus
from sync_server.tables import Account, Case, CaseSummary, Subject, queries

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


def _search(query: str) -> ColumnElement[bool]:
    """A subject's name holds the query, or (4+ characters) their ID number does."""
    query = query.strip().upper()
    match = col(Subject.name).contains(query, autoescape=True)
    if len(query) >= 4:
        match = or_(match, func.upper(col(Subject.id_number)).contains(query, autoescape=True))
    return select(Subject.id).where(col(Subject.case_id) == col(Case.id), match).exists()


def _where(account: Account, filters: Filters, today: date) -> list[ColumnElement[bool]]:
    where = [queries.visible(account)]
    if filters.township:
        where.append(col(Case.entrusting_unit) == filters.township)
    if filters.team:
        where.append(col(Case.team_id) == filters.team)
    if filters.status:
        where.append(or_(col(CaseSummary.checklist_status) == filters.status,
                         col(CaseSummary.review_status) == filters.status))
    if filters.due == "overdue":
        where += [col(CaseSummary.deadline) < today, col(CaseSummary.review_status) != ReviewStatus.ACCEPTED.value]
    elif filters.due == "soon":
        where += [col(CaseSummary.deadline) >= today,
                  col(CaseSummary.deadline) <= today + timedelta(days=DUE_SOON_DAYS)]
    if filters.q.strip():
        where.append(_search(filters.q))
    return where


def case_page(session: Session, account: Account, filters: Filters, now: datetime) -> CasePage:
    """One page of the cases the account may see, matching the filters, soonest deadline first: filtered,
    counted, sorted and cut in SQL over the cases and their summaries (no record is read)."""
    today = now.astimezone(CHINA).date()
    where = _where(account, filters, today)
    joined = select(Case, CaseSummary).join(CaseSummary, col(CaseSummary.case_id) == col(Case.id))
    total = session.exec(select(func.count()).select_from(joined.where(*where).subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    found = list(session.exec(joined.where(*where).order_by(col(CaseSummary.deadline), col(Case.id))
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    subjects = queries.subjects_of(session, [case.id for case, _ in found])
    show_ids = account.role in ID_NUMBER_ROLES
    rows = []
    for case, summary in found:
        review_status = ReviewStatus(summary.review_status)
        names = [(s.name, s.id_number) for s in subjects.get(case.id, [])]
        rows.append(CaseRow(
            id=case.id, title=case.title, entrusting_unit=case.entrusting_unit, team_id=case.team_id,
            accepted_on=case.accepted_on, deadline=summary.deadline,
            overdue=summary.deadline < today and review_status != ReviewStatus.ACCEPTED,
            due_soon=today <= summary.deadline <= today + timedelta(days=DUE_SOON_DAYS),
            checklist_status=summary.checklist_status, checklist_label=STATUS_LABELS[summary.checklist_status],
            review_status=review_status, records=summary.records,
            subjects="；".join(f"{n}（{num if show_ids else masked_id_number(num)}）" for n, num in names)))
    return CasePage(rows=rows, total=total, page=page, pages=pages)


def choices(session: Session, account: Account) -> dict[str, list[str]]:
    """The units and teams the account's cases come from (the filters' options)."""
    where = queries.visible(account)
    units = session.exec(select(Case.entrusting_unit).where(where).distinct().order_by(col(Case.entrusting_unit)))
    teams = session.exec(select(Case.team_id).where(where).distinct().order_by(col(Case.team_id)))
    return {"townships": list(units), "teams": list(teams)}
