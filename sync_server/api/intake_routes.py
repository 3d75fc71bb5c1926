"""Intake of a case (R1, R22–R26): create it from the 委托书, add subjects or import the 委托名单,
upload the scans, submit, and the two conformity checks. Thin: the work is in intake.py/conformity.py."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from schemas.office import (
    AcceptanceCorrection,
    AuthorizationForm,
    ConformityDecision,
    DocumentKind,
    DocumentView,
    ImportResult,
    IntakeView,
    NewCase,
    NewSubject,
    TeamAssignment,
)
from schemas.problems import Code, ProblemError
from schemas.text import NO_CONTROL
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.documents.retention import refuse_if_disposed
from sync_server.evidence.staff_uploads import StoredUpload, read_body, store_upload
from sync_server.office import acceptance, conformity, intake, roster
from sync_server.office.intake_wire import document_view, intake_view
from sync_server.services import Services
from sync_server.tables import Account, CaseDocument, queries
from sync_server.transparency import audit

router = APIRouter(prefix="/intake", tags=["intake"])
RAW_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("/cases", response_model=IntakeView, status_code=201)
def create_case(body: NewCase, session: Transaction, account: CurrentAccount, services: ServicesDep) -> IntakeView:
    """A case from the unit's 委托书: unit, contact, date, methods, subjects; starts as a draft."""
    case = intake.create_case(session, account, body, services.clock())
    return intake_view(session, case, services.holidays(session))


@router.get("/cases/{case_id}", response_model=IntakeView)
def read_intake(case_id: str, session: DbSession, account: CurrentAccount, services: ServicesDep) -> IntakeView:
    """The materials, the review so far and what is missing."""
    case = queries.visible_case(session, account, case_id)
    return intake_view(session, case, services.holidays(session))


@router.post("/cases/{case_id}/subjects", response_model=IntakeView)
def add_subjects(case_id: str, body: list[NewSubject], session: Transaction, account: CurrentAccount,
                 services: ServicesDep) -> IntakeView:
    """Add subjects (ID numbers checked with their GB 11643 check digit); all or none."""
    case = queries.visible_case(session, account, case_id)
    intake.add_subjects(session, account, case, body)
    return intake_view(session, case, services.holidays(session))


@router.post("/cases/{case_id}/subjects/import", response_model=ImportResult, openapi_extra=RAW_BODY)
async def import_roster(case_id: str, request: Request, account: CurrentAccount,
                        services: ServicesDep, partial: bool = False) -> ImportResult:
    """The 委托名单 as xlsx or CSV (序号, 姓名, 身份证号码, 户籍地址, 备注): every row or none; with
    `partial=true` the good rows, and each rejected row with its reason in `rejected`."""
    data = await read_body(request.stream())
    return await run_in_threadpool(_import, services, account, case_id, data, partial)


def _import(services: Services, account: Account, case_id: str, data: bytes, partial: bool) -> ImportResult:
    with services.session() as session:
        case = queries.visible_case(session, account, case_id)
        existing = [s.id_number for s in queries.case_subjects(session, case.id)]
        if partial:
            reading = roster.read_roster(data, existing)
            subjects, rejected = reading.subjects, reading.row_errors()
        else:
            subjects, rejected = roster.parse_roster(data, existing), []
        if subjects:
            intake.add_subjects(session, account, case, subjects)
        else:
            intake.check_editable(session, account, case)
        session.commit()
        return ImportResult(imported=len(subjects), rejected=rejected,
                            intake=intake_view(session, case, services.holidays(session)))


@router.post("/cases/{case_id}/documents", response_model=DocumentView, status_code=201, openapi_extra=RAW_BODY)
async def upload_document(case_id: str, request: Request, account: CurrentAccount, services: ServicesDep,
                          kind: DocumentKind, subject_id: str | None = None, form: AuthorizationForm | None = None,
                          guardian_name: Annotated[str, Query(max_length=50, pattern=NO_CONTROL)] = "",
                          guardian_relation: Annotated[str, Query(max_length=20, pattern=NO_CONTROL)] = "",
                          note: Annotated[str, Query(max_length=200, pattern=NO_CONTROL)] = "") -> DocumentView:
    """A scan (PDF, JPEG or PNG by content) of the 委托书, a subject's 授权书 or ID proof, or township evidence."""
    await run_in_threadpool(_visible, services, account, case_id)  # refuse before reading the body
    stored = await store_upload(services.blobs, await read_body(request.stream()))
    info = intake.DocumentInfo(kind=kind, subject_id=subject_id, form=form, guardian_name=guardian_name,
                               guardian_relation=guardian_relation, note=note)
    return await run_in_threadpool(_link, services, account, case_id, stored, info)


def _visible(services: Services, account: Account, case_id: str) -> None:
    with services.session() as session:
        queries.visible_case(session, account, case_id)


def _link(services: Services, account: Account, case_id: str, stored: StoredUpload,
          info: intake.DocumentInfo) -> DocumentView:
    with services.session() as session:
        case = queries.visible_case(session, account, case_id)
        document = intake.add_document(session, account, case, stored, info, services.clock())
        session.commit()
        return document_view(document)


@router.get("/documents/{document_id}", response_class=FileResponse)
def download_document(document_id: str, session: DbSession, account: CurrentAccount,
                      services: ServicesDep) -> FileResponse:
    """The bytes of a scan, for those who may see its case."""
    document = session.get(CaseDocument, document_id)
    if document is None:
        raise ProblemError(Code.NOT_FOUND, document_id)
    refuse_if_disposed(session, queries.visible_case(session, account, document.case_id))  # R35: destroyed
    audit.log_now(session, "intake.document_downloaded", services.clock(), account.username, document.case_id,
                  subject=document.id, via="api", document_kind=document.kind)
    return FileResponse(services.blobs.local_path(document.sha256), media_type=document.media_type,
                        headers={"Cache-Control": "private, no-store",
                                 "Content-Disposition": f'inline; filename="{document.id}"'})


@router.post("/cases/{case_id}/submit", response_model=IntakeView)
def submit(case_id: str, session: Transaction, account: CurrentAccount, services: ServicesDep) -> IntakeView:
    """The unit hands in complete materials for the conformity review."""
    case = queries.visible_case(session, account, case_id)
    conformity.submit(session, account, case, services.clock())
    return intake_view(session, case, services.holidays(session))


@router.put("/cases/{case_id}/accepted-on", response_model=IntakeView)
def correct_accepted_on(case_id: str, body: AcceptanceCorrection, session: Transaction, account: CurrentAccount,
                        services: ServicesDep) -> IntakeView:
    """受理岗: correct the acceptance date with a reason (logged); the deadline follows (R3)."""
    case = queries.visible_case(session, account, case_id)
    acceptance.correct(session, account, case, body, services.clock())
    return intake_view(session, case, services.holidays(session))


@router.post("/cases/{case_id}/conformity", response_model=IntakeView)
def conformity_check(case_id: str, body: ConformityDecision, session: Transaction, account: CurrentAccount,
                     services: ServicesDep) -> IntakeView:
    """One conformity check; a failure returns the materials with reasons, two passes release the case."""
    case = queries.visible_case(session, account, case_id)
    conformity.check(session, account, case, body, services.clock())
    return intake_view(session, case, services.holidays(session))


@router.put("/cases/{case_id}/team", response_model=IntakeView)
def assign_team(case_id: str, body: TeamAssignment, session: Transaction, account: CurrentAccount,
                services: ServicesDep) -> IntakeView:
    """Assign the case to a survey team (agency staff and administrators)."""
    case = queries.visible_case(session, account, case_id)
    intake.assign_team(session, account, case, body.team_id)
    return intake_view(session, case, services.holidays(session))
