"""The console's case page (a case with its records, photos, documents and office side) and the
evidence files it shows: the original download, and the watermarked display copy and thumbnail.

A file is answered 401 to nobody signed in (an <img> cannot follow a redirect to the login usefully)
and 404 unless this staff member may read it (evidence/access.py)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from schemas.beijing import beijing_date
from schemas.evidence_checks import duplicate_signatures
from schemas.problems import ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep, Transaction
from sync_server.casework.case_wire import case_detail, evidence_of
from sync_server.casework.presentation import record_view
from sync_server.casework.record_standing import case_standings, mark_views
from sync_server.console.deps import RequireStaff, Staff
from sync_server.console.office_views import RECORDS_PER_PAGE, office_context, page_photos, record_window
from sync_server.console.templating import page
from sync_server.display import Variant
from sync_server.display.responses import display_response
from sync_server.evidence.access import may_read_evidence
from sync_server.evidence.responses import evidence_file_response
from sync_server.forms.published import registry_for
from sync_server.office import cross_attempts
from sync_server.office.intake_wire import case_documents
from sync_server.services import Services
from sync_server.tables import Account, queries
from sync_server.transparency import audit

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/cases/{case_id}")
def case_page(case_id: str, request: Request, staff: RequireStaff, session: DbSession,
              services: ServicesDep) -> Response:
    try:
        case = queries.visible_case(session, staff, case_id)
    except ProblemError as problem:
        return page("error.html", status=404, staff=public(staff), message=chinese_message(problem.code.value))
    rows = queries.case_records(session, case.id)
    open_record = request.query_params.get("record", "")
    asked = request.query_params.get("records", "")
    shown = record_window([r.id for r in rows], open_record, int(asked) if asked.isdigit() else 0)
    detail = case_detail(session, case, services.holidays(session),
                         rows[(shown["page"] - 1) * RECORDS_PER_PAGE: shown["page"] * RECORDS_PER_PAGE])
    names = {u for m in detail.records for u in m.sealed.record.surveyors}
    names |= {e.captured_by for m in detail.records for e in m.sealed.record.evidence}
    people = {u: public(a) for u, a in queries.accounts_by_username(session, names).items()}
    people |= {a.username: a for a in detail.case.team}
    forms = registry_for(session, *((m.sealed.record.form_id, m.sealed.record.form_version) for m in detail.records))
    records = [record_view(m, people, forms) for m in detail.records]
    mark_views(records, case_standings(session, case.id, rows))  # R42: returned records say so
    photo_page = request.query_params.get("photos", "1")
    pages = page_photos(records, open_record, int(photo_page) if photo_page.isdigit() else 1)
    return page("case.html", staff=public(staff), detail=detail, records=records, photo_pages=pages,
                open_record=open_record, documents=case_documents(session, case),
                record_pages=shown, record_total=len(rows),
                repeated=duplicate_signatures(evidence_of(rows)),
                township=staff.role == AccountRole.TOWNSHIP.value,
                cross_checks=cross_attempts.case_checks(session, case.id, beijing_date(services.clock())),  # R36
                **office_context(session, case, staff, services.holidays(session)))


def _refusal(sha256: str, staff: Account | None, session: Session, services: Services) -> Response | None:
    """401 or 404 unless this staff member may read the stored file; None when they may."""
    if staff is None:
        return Response(status_code=401)
    readable = services.blobs.is_address(sha256) and services.blobs.has(sha256)
    if not readable or not may_read_evidence(session, staff, sha256):
        return Response(status_code=404)
    return None


@router.get("/evidence/{sha256}")
def evidence_download(sha256: str, staff: Staff, session: Transaction, services: ServicesDep) -> Response:
    refused = _refusal(sha256, staff, session, services)
    if refused is not None:
        return refused
    assert staff is not None  # _refusal answered 401
    audit.log(session, "evidence.downloaded", services.clock(), staff.username, subject=sha256, via="console")
    return evidence_file_response(services.blobs.local_path(sha256), sha256)


@router.get("/evidence/{sha256}/preview")
def evidence_preview(sha256: str, request: Request, staff: Staff, session: DbSession,
                     services: ServicesDep) -> Response:
    """The watermarked display copy (made once); the original stays at /evidence/{sha256}."""
    return _display(sha256, request, staff, session, services, Variant.DISPLAY)


@router.get("/evidence/{sha256}/thumb")
def evidence_thumb(sha256: str, request: Request, staff: Staff, session: DbSession,
                   services: ServicesDep) -> Response:
    return _display(sha256, request, staff, session, services, Variant.THUMB)


def _display(sha256: str, request: Request, staff: Account | None, session: Session, services: Services,
             variant: Variant) -> Response:
    refused = _refusal(sha256, staff, session, services)
    if refused is not None:
        return refused
    assert staff is not None  # _refusal answered 401
    return display_response(session, staff, services.display, sha256, request.query_params.get("record"),
                            variant)
