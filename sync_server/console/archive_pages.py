"""Console pages of the archive's care (R35, issue 17): a case's disposal appraisal (propose with the reason,
a second person approves or rejects, then disposal and its certificate), and, for administrators, the
result of the last `python -m sync_server check`. The same service functions as the API."""
from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from schemas.beijing import beijing_date
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.documents_pages import reviewer_case
from sync_server.console.templating import page
from sync_server.documents import disposal, retention
from sync_server.ops.checking import last_check
from sync_server.services import Services
from sync_server.tables import Account, Case


def _disposal_page(session: Session, services: Services, staff: Account, case: Case, error: str = "",
                   status: int = 200) -> Response:
    row = disposal.certificate_of(session, case.id)
    return page("disposal.html", status=status, staff=public(staff), me=staff.username, case=case, error=error,
                retention=retention.retention_of(session, case), appraisals=disposal.appraisals(session, case.id),
                certificate=json.loads(row.body) if row else None, certificate_sha256=row.sha256 if row else "")


router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/cases/{case_id}/disposal")
def disposal_page(case_id: str, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    return _disposal_page(session, services, staff, case)


@router.post("/cases/{case_id}/disposal/{action}")
def act(case_id: str, action: str, form: Form, staff: RequireStaff, session: DbSession,
        services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    now = services.clock()
    try:
        text = (form.get("reason") or form.get("note") or "").strip()
        if not text:
            raise ProblemError(Code.VALIDATION, "请填写理由")
        if action == "propose":
            disposal.propose(session, case, staff, text, now)
        elif action == "decide":
            disposal.decide(session, case, form.get("appraisal", ""), staff,
                            form.get("approve") == "yes", text, now)
        elif action == "dispose":
            disposal.dispose(session, case, blobs=services.blobs, exports=services.settings.data_dir / "exports",
                             by=staff, note=text, now=now,
                             today=beijing_date(now), display=services.display)
        else:
            return page("error.html", status=404, staff=public(staff), message="没有该操作")
    except ProblemError as problem:
        session.rollback()
        return _disposal_page(session, services, staff, case, status=problem.problem().status,
                              error=chinese_message(problem.code.value, problem.detail))
    session.commit()
    return RedirectResponse(f"/console/cases/{case.id}/disposal", status_code=303)

@router.get("/archive-check")
def archive_check(staff: RequireStaff, services: ServicesDep) -> Response:
    if staff.role != AccountRole.ADMIN.value:
        return page("error.html", status=403, staff=public(staff), message=chinese_message(Code.FORBIDDEN))
    return page("archive_check.html", staff=public(staff), result=last_check(services.settings.data_dir),
                data_dir=str(services.settings.data_dir))

