"""Console forms for evidence findings (issue 16): a reviewer acknowledges a finding with a reason, and
records or confirms where the household is. Each posts here and calls the service functions."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.casework import findings, household_place
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.review_pages import _act
from sync_server.console.templating import page
from sync_server.tables import Case, queries


def _coordinate(text: str, name: str) -> float:
    try:
        return float(text.strip().replace("，", "."))
    except ValueError:
        raise ProblemError(Code.VALIDATION, f"{name}须为数字（十进制度数，如 29.5893）") from None


router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/cases/{case_id}/findings/ack")
def post_ack(case_id: str, staff: RequireStaff, form: Form, session: DbSession, services: ServicesDep) -> Response:
    record_id = form.get("record_id", "")

    def act(case: Case) -> None:
        findings.acknowledge(session, case, staff, record_id, form.get("code", ""), form.get("target", ""),
                             form.get("reason", ""), services.clock())
    response = _act(staff, session, case_id, f"record-{record_id}", act)
    if response.status_code == 303:  # back to the record, opened, at its findings
        response.headers["location"] = f"/console/cases/{case_id}?record={quote(record_id)}#findings-{quote(record_id)}"
    return response

@router.post("/cases/{case_id}/place")
def post_place(case_id: str, staff: RequireStaff, form: Form, session: DbSession, services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        table = services.holidays(session)
        if form.get("source") == "first_fix":
            household_place.place_from_first_fix(session, case, staff, table, services.clock())
        else:
            lat, lon = _coordinate(form.get("lat", ""), "纬度"), _coordinate(form.get("lon", ""), "经度")
            household_place.set_place(session, case, staff, lat, lon, "typed", table, services.clock())
    return _act(staff, session, case_id, "facts", act)

@router.get("/cases/{case_id}/records/{record_id}/pdf")
def record_pdf(case_id: str, record_id: str, staff: RequireStaff, session: DbSession,
               services: ServicesDep) -> Response:
    """One record's 调查记录表 as the dossier carries it, findings and acknowledgements included."""
    from sync_server.documents.bundle import record_pdfs  # fpdf2 loads only when a PDF is made

    try:
        if staff.role != AccountRole.REVIEWER.value:
            raise ProblemError(Code.FORBIDDEN, "仅审核人员可以查看调查记录表")
        made = record_pdfs(session, queries.visible_case(session, staff, case_id), services, only=record_id)
        if not made:
            raise ProblemError(Code.REVIEW_INVALID, f"本案没有“{record_id}”", target=record_id)
    except ProblemError as problem:
        return page("error.html", status=problem.problem().status, staff=public(staff),
                    message=chinese_message(problem.code.value, problem.detail))
    return Response(made[0][1], media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="record-{record_id}.pdf"'})

