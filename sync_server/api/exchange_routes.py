"""/exchange/v1: the API of the entrusting units' systems (issue 20, R38; guide: docs/EXCHANGE.md).

A unit's system authenticates with its own client certificate from the agency CA (verified by nginx,
api/unit_cert_auth.py, office/unit_certs.py) or its own key (`Authorization: Bearer hcx_…`,
office/exchange_units.py); a certificate, when one is presented, decides alone. It
submits an entrustment under its own reference, uploads the scans, hands the materials in, and polls the
result (which is also pushed to its webhook: documents/result_push.py). Thin: the work is in
office/exchange_intake.py. The cross-province packages between agencies' servers are in cross_routes.py."""
from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from schemas.exchange import CaseResult, Submission, SubmissionView
from schemas.office import AuthorizationForm, DocumentKind, DocumentView, IntakeStatus
from schemas.problems import Code, Problem, ProblemError
from schemas.text import NO_CONTROL
from sync_server.api import cross_routes
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.api.intake_routes import RAW_BODY
from sync_server.api.unit_cert_auth import ClientCertificate, PresentedCert
from sync_server.casework.deadlines import case_deadline
from sync_server.documents.result_push import report_ref
from sync_server.evidence.staff_uploads import StoredUpload, read_body, store_upload
from sync_server.office import conformity, exchange_intake, exchange_units, intake, unit_certs
from sync_server.office.intake import entrustment_of, missing_materials
from sync_server.office.intake_wire import document_view
from sync_server.services import Services
from sync_server.tables import Case, ExchangeUnit, ReportVersion

PREFIX = "/exchange/v1"
_unit_key = HTTPBearer(auto_error=False, description="委托单位的接口密钥（hcx_ 开头，由核查机构管理员发放）")
_unit_cert = ClientCertificate("委托单位的客户端证书（由核查机构 CA 签发，TLS 双向认证，经机构的 nginx 验证）")
router = APIRouter(prefix="/entrustments", tags=["exchange"])


def current_unit(session: DbSession, services: ServicesDep,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_unit_key)],
                 presented: Annotated[PresentedCert, Depends(_unit_cert)]) -> ExchangeUnit:
    """The unit whose certificate (checked first, when presented) or key was sent, or 401 auth.required /
    exchange.cert_* / exchange.key_invalid, 403 for staff tokens or certificate headers from an untrusted sender."""
    now = services.clock()
    unit = unit_certs.authenticate(session, presented.verify, presented.escaped_cert, now)
    if unit is not None:
        return unit
    return exchange_units.authenticate(session, credentials.credentials if credentials else None, now)


CurrentUnit = Annotated[ExchangeUnit, Depends(current_unit)]


def _case_of(session: Session, unit: ExchangeUnit, reference: str) -> Case:
    case = session.get(Case, exchange_intake.submission_of(session, unit, reference).case_id)
    assert case is not None
    return case


def _view(session: Session, reference: str, case: Case, created: bool) -> SubmissionView:
    return SubmissionView(reference=reference, case_id=case.id, created=created,
                          status=IntakeStatus(entrustment_of(session, case).status),
                          missing=missing_materials(session, case))


@router.post("", response_model=SubmissionView, status_code=201,
             responses={200: {"model": SubmissionView,
                              "description": "该业务编号已提交过相同内容：同一案件，未重复建案"}})
def submit_entrustment(body: Submission, response: Response, unit: CurrentUnit,
                       services: ServicesDep) -> SubmissionView:
    """An entrustment with its 委托名单 and 申报情况. 201: a new case (draft, waiting for its scans). 200: the
    same submission again, the same case. 409 exchange.reference_conflict: other content under the reference."""
    for _ in range(2):  # two at once under one new reference: the loser finds the winner's case
        with services.session() as session:
            try:
                case, created = exchange_intake.submit(session, unit, body, services.clock())
                view = _view(session, body.reference, case, created)
                session.commit()
            except IntegrityError:
                session.rollback()
                continue
        response.status_code = 201 if created else 200
        return view
    raise ProblemError(Code.SERVER_BUSY, "同一业务编号正被同时提交，请稍后重试")


@router.get("/{reference}", response_model=CaseResult)
def read_result(reference: str, session: DbSession, unit: CurrentUnit, services: ServicesDep) -> CaseResult:
    """Where the case stands: review of the materials, deadline, the reports issued, declared against verified."""
    case = _case_of(session, unit, reference)
    entrustment = entrustment_of(session, case)
    reports = list(session.exec(select(ReportVersion).where(ReportVersion.case_id == case.id)
                                .order_by(col(ReportVersion.version))))
    latest: dict[str, Any] = json.loads(reports[-1].content) if reports else {}
    return CaseResult(reference=reference, case_id=case.id, status=IntakeStatus(entrustment.status),
                      returned_reasons=entrustment.returned_reasons,
                      deadline=case_deadline(case, services.holidays(session)).due,
                      reports=[report_ref(reference, r) for r in reports],
                      declared_vs_verified=latest.get("declared", []))


@router.post("/{reference}/documents", response_model=DocumentView, status_code=201, openapi_extra=RAW_BODY)
async def upload_document(reference: str, request: Request, unit: CurrentUnit, services: ServicesDep,
                          kind: DocumentKind, subject_position: Annotated[int | None, Query(ge=1)] = None,
                          form: AuthorizationForm | None = None,
                          guardian_name: Annotated[str, Query(max_length=50, pattern=NO_CONTROL)] = "",
                          guardian_relation: Annotated[str, Query(max_length=20, pattern=NO_CONTROL)] = "",
                          ) -> DocumentView:
    """A scan (PDF, JPEG or PNG by content): the 委托书 (no subject), a subject's 授权书 or ID proof (its 序号).
    The same bytes again for the same item answer with the document already kept."""
    await run_in_threadpool(_known, services, unit, reference)  # refuse before reading the body
    stored = await store_upload(services.blobs, await read_body(request.stream()))
    return await run_in_threadpool(_link, services, unit, reference, stored, kind, subject_position, form,
                                   guardian_name, guardian_relation)


def _known(services: Services, unit: ExchangeUnit, reference: str) -> None:
    with services.session() as session:
        _case_of(session, unit, reference)


def _link(services: Services, unit: ExchangeUnit, reference: str, stored: StoredUpload, kind: DocumentKind,
          position: int | None, form: AuthorizationForm | None, guardian_name: str,
          guardian_relation: str) -> DocumentView:
    with services.session() as session:
        case = _case_of(session, unit, reference)
        info = intake.DocumentInfo(kind=kind, subject_id=exchange_intake.subject_by_position(session, case, position),
                                   form=form, guardian_name=guardian_name, guardian_relation=guardian_relation)
        document, _ = exchange_intake.add_document(session, unit, case, stored, info, services.clock())
        session.commit()
        return document_view(document)


@router.post("/{reference}/submit", response_model=SubmissionView)
def hand_in(reference: str, unit: CurrentUnit, services: ServicesDep) -> SubmissionView:
    """Hand the complete materials in for the agency's conformity review (the agency dates the receipt, R3);
    the review, by two people, releases the case (R26). Handing in again while under review changes nothing."""
    with services.session() as session:
        case = _case_of(session, unit, reference)
        if entrustment_of(session, case).status not in (IntakeStatus.SUBMITTED.value, IntakeStatus.RELEASED.value):
            conformity.submit(session, exchange_intake.account_of(session, unit), case, services.clock())
        view = _view(session, reference, case, False)
        session.commit()
        return view


@router.get("/{reference}/reports/{version}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def report_pdf(reference: str, version: int, session: DbSession, unit: CurrentUnit) -> Response:
    """An issued report's PDF (with the agency's electronic seal)."""
    case = _case_of(session, unit, reference)
    row = session.get(ReportVersion, (case.id, version))
    if row is None:
        raise ProblemError(Code.NOT_FOUND, f"报告第 {version} 版不存在")
    return Response(row.pdf, media_type="application/pdf")


@cache
def exchange_router() -> APIRouter:
    """Every /exchange/v1 route (built once per process, like api_router)."""
    problem_schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
    problems: dict[int | str, dict[str, Any]] = {"4XX": {
        "model": Problem, "description": "问题（application/problem+json，见 schemas/problems.py）",
        "content": {"application/problem+json": problem_schema}}}
    outer = APIRouter(responses=problems)  # included under PREFIX (app.py), as api_router is
    outer.include_router(router)
    outer.include_router(cross_routes.package_router)
    return outer
