"""Review, re-verification rounds and the reviewer's case list (schemas/review.py). Thin: see review.py,
rounds.py, reviewer_list.py."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from schemas.review import CasePage, Objection, ReviewAction, ReviewEntry, ReviewState, Round, RoundResult
from schemas.text import NO_CONTROL
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.casework import review, reviewer_list, rounds
from sync_server.tables import queries

router = APIRouter(tags=["review"])


Filter = Annotated[str, Query(json_schema_extra={"pattern": NO_CONTROL})]  # a NUL is refused (db.py): said so


@router.get("/review/cases", response_model=CasePage)
def list_for_review(session: DbSession, account: CurrentAccount, services: ServicesDep,
                    township: Filter = "", team: Filter = "", status: Filter = "", due: Filter = "",
                    q: Annotated[str, Query(max_length=40, json_schema_extra={"pattern": NO_CONTROL})] = "",
                    page: Annotated[int, Query(ge=1)] = 1) -> CasePage:
    """The cases the caller may see, filtered (township, team, status, due: overdue|soon), searched by name
    or ID number, one page at a time; ID numbers masked unless the role may see them."""
    filters = reviewer_list.Filters(township=township, team=team, status=status, due=due, q=q, page=page)
    return reviewer_list.case_page(session, account, filters, services.clock())


@router.get("/cases/{case_id}/review", response_model=ReviewState)
def read_review(case_id: str, session: DbSession, account: CurrentAccount) -> ReviewState:
    """The checklist, the open returns and every decision of the case."""
    return review.review_state(session, queries.visible_case(session, account, case_id))


@router.post("/cases/{case_id}/review", response_model=ReviewEntry)
def post_review(case_id: str, body: ReviewAction, session: Transaction, account: CurrentAccount,
                services: ServicesDep) -> ReviewEntry:
    """Accept the field evidence, return a record or checklist line with a reason, or comment (reviewers)."""
    case = queries.visible_case(session, account, case_id)
    entry = review.decide(session, case, account, body, services.clock())
    return next(e for e in review.review_state(session, case).history if e.id == entry.id)


@router.get("/cases/{case_id}/rounds", response_model=list[Round])
def list_rounds(case_id: str, session: DbSession, account: CurrentAccount, services: ServicesDep) -> list[Round]:
    """The case's re-verification rounds."""
    case = queries.visible_case(session, account, case_id)
    table = services.holidays(session)
    return [rounds.round_view(r, table) for r in rounds.rounds_of(session, case.id)]


@router.post("/cases/{case_id}/rounds", response_model=Round)
def open_round(case_id: str, body: Objection, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> Round:
    """Record the objection (R28) and open a re-verification round with 10 more working days (R3, R19)."""
    case = queries.visible_case(session, account, case_id)
    row = rounds.open_round(session, case, account, body, services.clock())
    return rounds.round_view(row, services.holidays(session))


@router.post("/cases/{case_id}/rounds/{number}/result", response_model=Round)
def close_round(case_id: str, number: int, body: RoundResult, session: Transaction, account: CurrentAccount,
                services: ServicesDep) -> Round:
    """The round's result, fed back to the unit (R19, R28)."""
    case = queries.visible_case(session, account, case_id)
    row = rounds.close_round(session, case, number, account, body, services.clock())
    return rounds.round_view(row, services.holidays(session))
