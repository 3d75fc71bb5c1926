"""The reviewer's case list: filters, search by name or ID number, overdue and due-soon marks, pages.
It reads the cases and their summaries (casework/summaries.py) only: its cost does not grow with the
number of records. At 100k cases (issue 19) it does not grow with the number of cases either: the page is
read in the order of an index on the summaries, the search over the summary row (casework/case_search.py),
the count stops a few pages past the page shown (`COUNT_AHEAD`: "more than N"), and the filter options
are read by skipping through two-column indexes on the cases (one probe per distinct value).

ID numbers are shown in full only to roles whose duty needs them (R21); others see them masked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, literal_column, or_
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from schemas.beijing import beijing_date
from schemas.checklist import STATUS_LABELS
from schemas.masking import masked_id_number
from schemas.protocol import AccountRole
from schemas.review import CasePage, CaseRow, ReviewStatus
from sync_server.casework import case_search
from sync_server.tables import Account, Case, CaseSummary, queries

PAGE_SIZE = 20
DUE_SOON_DAYS = 3
ID_NUMBER_ROLES = {AccountRole.REVIEWER.value, AccountRole.TOWNSHIP.value}
COUNT_AHEAD = 10 * PAGE_SIZE  # matching cases counted past the page shown; beyond: "more than"


@dataclass(frozen=True)
class Filters:
    township: str = ""  # the entrusting unit
    team: str = ""
    status: str = ""  # a checklist status (complete, incomplete, refused_return) or a review status
    due: str = ""  # "overdue" or "soon"
    q: str = ""  # a subject's name, or (4+ characters) part of an ID number
    page: int = 1


def list_conditions(session: Session, account: Account, filters: Filters, today: date) -> list[ColumnElement[bool]]:
    """The conditions of the case list over `CaseSummary` (visibility, filters, search), as the list, the
    exports and the OData feed all use them."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    on_case = [queries.visible(account)]
    if filters.township:
        on_case.append(col(Case.entrusting_unit) == filters.township)
    if filters.team:
        on_case.append(col(Case.team_id) == filters.team)
    # The case's own conditions as EXISTS, not a join: the summaries are walked in the list's order (their
    # index) and each case looked up by its key, so a page stops after its rows (SQLite, without table
    # statistics, would otherwise start from every visible case and sort them all).
    # correlated on the summary only: a query that joins the cases itself (documents/exports.py) keeps its own
    of_case = select(Case.id).where(col(Case.id) == col(CaseSummary.case_id), *on_case).correlate(CaseSummary)
    where: list[ColumnElement[bool]] = [of_case.exists()]
    if filters.status:
        checklist: ColumnElement[str] = CaseSummary.__table__.c.checklist_status  # type: ignore[attr-defined]
        review: ColumnElement[str] = CaseSummary.__table__.c.review_status  # type: ignore[attr-defined]
        if sqlite:  # no table statistics: it would take the status indexes (most cases) and sort them all;
            checklist, review = checklist.concat(""), review.concat("")  # so: walk the deadline index
        where.append(or_(checklist == filters.status, review == filters.status))
    if filters.due == "overdue":
        where += [col(CaseSummary.deadline) < today, col(CaseSummary.review_status) != ReviewStatus.ACCEPTED.value]
    elif filters.due == "soon":
        where += [col(CaseSummary.deadline) >= today,
                  col(CaseSummary.deadline) <= today + timedelta(days=DUE_SOON_DAYS)]
    if filters.q.strip():
        where.append(case_search.matches(filters.q))
    return where


def case_page(session: Session, account: Account, filters: Filters, now: datetime) -> CasePage:
    """One page of the cases the account may see, matching the filters, soonest deadline first: filtered,
    counted, sorted and cut in SQL over the cases and their summaries (no record is read)."""
    today = beijing_date(now)
    where = list_conditions(session, account, filters, today)
    # Counted up to COUNT_AHEAD past the asked page: a count of every match would scan them all.
    cap = (max(filters.page, 1) - 1) * PAGE_SIZE + COUNT_AHEAD + 1
    capped: Select[Any] = select(literal_column("1")).select_from(CaseSummary).where(*where).limit(cap)
    total = session.exec(select(func.count()).select_from(capped.subquery())).one()
    more = total == cap
    total -= more
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    shown = list(session.exec(select(CaseSummary).where(*where)
                              .order_by(col(CaseSummary.deadline), col(CaseSummary.case_id))
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_([s.case_id for s in shown])))}
    found = [(cases[s.case_id], s) for s in shown if s.case_id in cases]  # (one deleted since: left out)
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
    return CasePage(rows=rows, total=total, page=page, pages=pages, more=more)


def choices(session: Session, account: Account) -> dict[str, list[str]]:
    """The units and teams the account's cases come from (the filters' options), in order."""
    where = queries.visible(account)
    return {"townships": _distinct(session, col(Case.entrusting_unit), where),
            "teams": _distinct(session, col(Case.team_id), where)}


def _distinct(session: Session, column: Mapped[str], where: ColumnElement[bool]) -> list[str]:
    """`SELECT DISTINCT column ... ORDER BY column` as a skip through an index (each step the least value
    above the last one found): a few index probes per distinct value, where DISTINCT reads every case."""
    first = select(func.min(column).label("value")).where(where)
    found = first.cte("found", recursive=True)
    step = select(select(func.min(column)).where(where, column > found.c.value).scalar_subquery())
    found = found.union_all(step.where(found.c.value.is_not(None)))
    return [v for v in session.exec(select(found.c.value)) if v is not None]
