"""Cases as the caller may see them."""
from __future__ import annotations

from fastapi import APIRouter

from schemas.device_view import for_device
from schemas.protocol import CaseDetail, CaseSummary
from sync_server import queries
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.case_views import case_detail, case_summaries

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=list[CaseSummary])
def list_cases(session: DbSession, account: CurrentAccount, services: ServicesDep) -> list[CaseSummary]:
    """Surveyors get their team's cases; township staff their unit's; reviewers and admins all.
    ID numbers are masked unless a form needs them (R21: the API serves devices; the console its own pages)."""
    table = services.holidays(session)
    return [for_device(c) for c in case_summaries(session, queries.visible_cases(session, account), table)]


@router.get("/{case_id}", response_model=CaseDetail)
def read_case(case_id: str, session: DbSession, account: CurrentAccount, services: ServicesDep) -> CaseDetail:
    """The case with its merged records, who sealed each, and its completeness."""
    case = queries.visible_case(session, account, case_id)
    detail = case_detail(session, case, services.holidays(session))
    return detail.model_copy(update={"case": for_device(detail.case)})
