"""Cases as the caller may see them."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response

from schemas.device_view import for_device
from schemas.protocol import API_PREFIX, CASES_PAGE, CaseDetail, CaseSummary
from schemas.text import NO_CONTROL
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.casework.case_wire import case_detail, case_summaries
from sync_server.tables import queries

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=list[CaseSummary])
def list_cases(session: DbSession, account: CurrentAccount, services: ServicesDep, response: Response,
               after_seq: Annotated[int | None, Query(ge=0)] = None,
               after_id: Annotated[str, Query(max_length=200, pattern=NO_CONTROL)] = "",
               limit: Annotated[int, Query(ge=1, le=CASES_PAGE)] = CASES_PAGE) -> list[CaseSummary]:
    """Surveyors get their team's cases; township staff their unit's; reviewers their agency's; admins all.
    At most `limit` per answer; when there are more, a `Link` header names the next page (RFC 8288,
    rel="next": the cases after `after_seq` and `after_id`), so a request costs the same for a team as for a
    county. The order is the server's listing order (device_order.py): a case created or given to the team
    while the device pages comes on a later page, never before the cursor. `after_id` counts only with
    `after_seq`. ID numbers are masked unless a form needs them (R21: the API serves devices; the console
    its own pages)."""
    after = (after_seq, after_id) if after_seq is not None else None
    page = queries.visible_cases(session, account, after=after, limit=limit + 1)
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        query = urlencode({"after_seq": last.listed_seq, "after_id": last.id, "limit": limit})
        response.headers["Link"] = f'<{API_PREFIX}/cases?{query}>; rel="next"'
    table = services.holidays(session)
    return [for_device(c) for c in case_summaries(session, page, table)]


@router.get("/{case_id}", response_model=CaseDetail)
def read_case(case_id: str, session: DbSession, account: CurrentAccount, services: ServicesDep) -> CaseDetail:
    """The case with its merged records, who sealed each, and its completeness."""
    case = queries.visible_case(session, account, case_id)
    detail = case_detail(session, case, services.holidays(session))
    return detail.model_copy(update={"case": for_device(detail.case)})
