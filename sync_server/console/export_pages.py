"""Exports for analysis in the console (issue 20): the case list's filters, then cases, records (with
answers and table cells as long sheets), evidence lists and review decisions as XLSX or CSV, streamed.

Only agency staff export (reviewers: their agency's cases; administrators: all), and every export is
written to the audit log with its filters before the first byte leaves (R21: nothing copied out
unrecorded)."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from schemas.beijing import beijing_date
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.casework import reviewer_list
from sync_server.console.deps import RequireStaff
from sync_server.console.templating import page
from sync_server.documents.export_files import csv_stream, xlsx_stream
from sync_server.documents.exports import DATASETS, SHEETS
from sync_server.tables import Account
from sync_server.transparency import audit

router = APIRouter(prefix="/console", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_NAMES = ("township", "team", "status", "due", "q")


def filters_of(request: Request) -> reviewer_list.Filters:
    args = request.query_params
    return reviewer_list.Filters(township=args.get("township", ""), team=args.get("team", ""),
                                 status=args.get("status", ""), due=args.get("due", ""), q=args.get("q", "")[:40])


def may_export(staff: Account) -> None:
    if staff.role not in (AccountRole.REVIEWER.value, AccountRole.ADMIN.value):
        raise ProblemError(Code.FORBIDDEN, "数据导出仅供核查机构的人员使用")


def logged(session: DbSession, services: ServicesDep, staff: Account, name: str,
           filters: reviewer_list.Filters) -> None:
    """The export in the audit log, committed before anything is sent."""
    audit.log(session, "export.downloaded", services.clock(), staff.username, None, name,
              filters={k: getattr(filters, k) for k in FILTER_NAMES})
    session.commit()


@router.get("/exports")
def exports_page(request: Request, staff: RequireStaff, session: DbSession) -> Response:
    try:
        may_export(staff)
    except ProblemError as problem:
        return page("error.html", status=problem.problem().status, staff=public(staff),
                    message=chinese_message(problem.code.value, problem.detail))
    filters = filters_of(request)
    query = urlencode({k: getattr(filters, k) for k in FILTER_NAMES})
    return page("exports.html", staff=public(staff), filters=filters, query=query, datasets=DATASETS,
                sheets=SHEETS, choices=reviewer_list.choices(session, staff))


@router.get("/exports/{name}.{fmt}")
def export_file(name: str, fmt: str, request: Request, staff: RequireStaff, session: DbSession,
                services: ServicesDep) -> Response:
    """`name`.xlsx (cases, records, evidence, reviews) or `name`.csv (any dataset), streamed."""
    try:
        may_export(staff)
        if not ((fmt == "xlsx" and name in SHEETS) or (fmt == "csv" and name in DATASETS)):
            raise ProblemError(Code.NOT_FOUND, f"没有“{name}.{fmt}”这一导出")
    except ProblemError as problem:
        return page("error.html", status=problem.problem().status, staff=public(staff),
                    message=chinese_message(problem.code.value, problem.detail))
    filters, now = filters_of(request), services.clock()
    logged(session, services, staff, f"{name}.{fmt}", filters)
    stamp = beijing_date(now).isoformat()
    headers = {"Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        return StreamingResponse(csv_stream(services.session, staff.username, name, filters, now),
                                 media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(xlsx_stream(services.session, staff.username, name, filters, now), media_type=XLSX,
                             headers=headers)
