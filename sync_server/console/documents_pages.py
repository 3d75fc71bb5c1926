"""Console pages for a case's documents: export the dossier, preview and issue the report (R20, R32)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from schemas.problems import ProblemError, chinese_message
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep, Transaction
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import page
from sync_server.documents import reports, retention
from sync_server.documents.issuing import refuse_unless_issuable
from sync_server.dossier.service import EXPORT_ROLES, make_dossier
from sync_server.tables import Account, Case, ReportVersion, queries
from sync_server.transparency import audit

PDF = "application/pdf"
router = APIRouter(prefix="/console/cases/{case_id}", include_in_schema=False)


def reviewer_case(case_id: str, staff: Account, session: Session) -> Case | Response:
    """The case if this reviewer or administrator may see it, else the error page to answer."""
    if staff.role not in EXPORT_ROLES:
        return page("error.html", status=403, staff=public(staff), message="仅审核人员或管理员可以进行此操作")
    try:
        return queries.visible_case(session, staff, case_id)
    except ProblemError as problem:
        return page("error.html", status=404, staff=public(staff), message=chinese_message(problem.code.value))


@router.post("/dossier")
def export(case_id: str, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    try:
        exported = make_dossier(session, case, services, staff)
    except ProblemError as problem:
        return page("error.html", status=problem.problem().status, staff=public(staff),
                    message=chinese_message(problem.code.value, problem.detail))
    return FileResponse(exported.path, media_type="application/zip", filename=exported.path.name)


@router.get("/report")
def report_page(case_id: str, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    content = reports.draft(session, case, services.clock())
    try:  # say before the click why the report may not be issued yet (R42)
        refuse_unless_issuable(session, case, staff)
        blocked = ""
    except ProblemError as problem:
        blocked = chinese_message(problem.code.value, problem.detail)
    return page("report.html", staff=public(staff), case=case, content=content, blocked=blocked,
                issued=queries.issued_reports(session, case.id), retention=retention.retention_of(session, case))


@router.post("/report/preview")
def preview(case_id: str, form: Form, staff: RequireStaff, session: DbSession,
            services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    return Response(reports.preview(session, case, services.clock(), form.get("summary")), media_type=PDF)


@router.post("/report/issue")
def issue(case_id: str, form: Form, staff: RequireStaff, session: Transaction,
          services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    try:
        retention.refuse_if_disposed(session, case)
        reports.issue(session, case, services, staff, form.get("summary"))
    except ProblemError as problem:  # refused: disposed, the post, R33, no field work, no result, not accepted
        session.rollback()
        return page("error.html", status=problem.problem().status, staff=public(staff),
                    message=chinese_message(problem.code.value, problem.detail),
                    back=f"/console/cases/{case.id}/report")
    return RedirectResponse(f"/console/cases/{case.id}/report", status_code=303)


@router.get("/reports/{report_version}.pdf")
def issued_pdf(case_id: str, report_version: int, staff: RequireStaff, session: Transaction,
               services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    row = session.get(ReportVersion, (case.id, report_version))
    if row is None:
        return Response(status_code=404)
    audit.log(session, "report.downloaded", services.clock(), staff.username, case.id,
              subject=f"{case.id}/report/{report_version}", via="console")
    return Response(row.pdf, media_type=PDF)
