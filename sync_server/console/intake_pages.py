"""Console pages of intake (R22–R26) and of township uploads: the same service functions as the API.

A township clerk enters the 委托书 and its 委托名单, uploads each scan and submits; two agency
reviewers check the materials; everyone who may see the case sees its scans. Forms with files are
multipart; every POST form carries `csrf_field()`."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData, UploadFile

from schemas.beijing import beijing_today
from schemas.methods import METHOD_NAMES
from schemas.office import (
    AUTHORIZATION_FORM_NAMES,
    DOCUMENT_NAMES,
    INTAKE_STATUS_NAMES,
    AcceptanceCorrection,
    AuthorizationForm,
    ConformityDecision,
    DocumentKind,
    IntakeStatus,
    NewCase,
    NewSubject,
)
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import RequireStaff, Staff
from sync_server.console.roster_review import RosterReview, rejected_rows_download
from sync_server.console.templating import page
from sync_server.evidence.staff_uploads import MAX_UPLOAD_BYTES, store_upload
from sync_server.office import acceptance, conformity, intake, roster
from sync_server.office.intake_wire import intake_view
from sync_server.services import Services
from sync_server.tables import Account, Case, CaseDocument, CaseRetention, Team, queries
from sync_server.transparency import audit

router = APIRouter(prefix="/console", include_in_schema=False)
NAMES = {"methods": METHOD_NAMES, "statuses": INTAKE_STATUS_NAMES, "documents": DOCUMENT_NAMES,
         "forms": AUTHORIZATION_FORM_NAMES}


def _problem_text(problem: ProblemError) -> str:
    return chinese_message(problem.code.value, problem.detail)


async def _file_bytes(value: object) -> bytes:
    if not isinstance(value, UploadFile):
        raise ProblemError(Code.VALIDATION, "请选择要上传的文件")
    return await value.read(MAX_UPLOAD_BYTES + 1)  # one byte more: too large is refused, not cut


def _intake_page(staff: Account, session: Session, services: Services, case_id: str,
                 error: str = "", notice: str = "", status: int = 200,
                 review: RosterReview | None = None) -> Response:
    try:
        case = queries.visible_case(session, staff, case_id)
    except ProblemError as problem:
        return page("error.html", status=404, staff=public(staff), message=_problem_text(problem))
    view = intake_view(session, case, services.holidays(session))
    reviewer = staff.role == AccountRole.REVIEWER.value
    return page("intake.html", status=status, staff=public(staff), view=view, names=NAMES, error=error,
                notice=notice, may_enter=intake.may_enter(staff, case), reviewer=reviewer, review=review)


@router.get("/intake/new")
def new_case_form(staff: RequireStaff, session: DbSession) -> Response:
    teams = list(session.exec(select(Team).order_by(col(Team.id))))
    return page("intake_new.html", staff=public(staff), teams=teams, names=NAMES, unit=staff.unit,
                today=beijing_today().isoformat(), form={})


@router.post("/intake/new")
async def create_case(request: Request, staff: RequireStaff, session: DbSession,
                      services: ServicesDep) -> Response:
    async with request.form() as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)
                  and not (k in ("lat", "lon") and not v.strip())}  # the household's place is optional
        body = {**fields, "methods": form.getlist("methods"), "subjects": []}
    try:
        case = intake.create_case(session, staff, NewCase.model_validate(body), services.clock())
        session.commit()
    except (ProblemError, ValidationError) as error:
        session.rollback()
        message = _problem_text(error) if isinstance(error, ProblemError) else _validation_text(error)
        teams = list(session.exec(select(Team).order_by(col(Team.id))))
        return page("intake_new.html", status=422, staff=public(staff), teams=teams, names=NAMES,
                    unit=staff.unit, today=beijing_today().isoformat(), form=fields, error=message)
    return RedirectResponse(f"/console/intake/{case.id}", status_code=303)


@router.get("/intake/{case_id}")
def intake_page(case_id: str, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    return _intake_page(staff, session, services, case_id)


@router.post("/intake/{case_id}/{action}")
async def intake_action(case_id: str, action: str, request: Request, staff: RequireStaff, session: DbSession,
                        services: ServicesDep) -> Response:
    if action == "roster-rejected":
        try:
            return await rejected_rows_download(request, staff, session, case_id)
        except ProblemError as problem:
            return _intake_page(staff, session, services, case_id, error=_problem_text(problem),
                                status=problem.problem().status)
    try:
        async with request.form() as form:  # closes the uploaded files' temporary copies
            case = queries.visible_case(session, staff, case_id)
            notice = await _act(action, form, staff, case, session, services)
        if isinstance(notice, RosterReview):
            return _intake_page(staff, session, services, case_id, review=notice, status=422,
                                error=f"名单中有 {len(notice.rejected)} 行有问题，尚未导入任何人")
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _intake_page(staff, session, services, case_id, error=_problem_text(problem),
                            status=problem.problem().status)
    except ValidationError as error:
        session.rollback()
        return _intake_page(staff, session, services, case_id, error=_validation_text(error), status=422)
    return _intake_page(staff, session, services, case_id, notice=notice)


@router.get("/documents/{document_id}")
def document_file(document_id: str, staff: Staff, session: DbSession, services: ServicesDep) -> Response:
    if staff is None:
        return Response(status_code=401)
    document = session.get(CaseDocument, document_id)
    case = queries.visible_case(session, staff, document.case_id) if document else None
    if document is None or case is None:
        return Response(status_code=404)
    kept = session.get(CaseRetention, case.id)
    if kept is not None and kept.disposed_at is not None:  # R35: the scans were destroyed
        return Response("该案件档案已销毁 / destroyed", status_code=410)
    audit.log_now(session, "intake.document_downloaded", services.clock(), staff.username, document.case_id,
                  subject=document.id, via="console", document_kind=document.kind)
    return FileResponse(services.blobs.path_for(document.sha256), media_type=document.media_type,
                        headers={"Cache-Control": "private, no-store"})


async def _act(action: str, form: FormData, staff: Account, case: Case, session: DbSession,
               services: ServicesDep) -> str | RosterReview:
    """Run one form's action through the service functions; the notice to show."""
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    now = services.clock()
    if action == "subject":
        intake.add_subjects(session, staff, case, [NewSubject.model_validate(text)])
        return f"已添加核查对象 {text.get('name', '')}"
    if action == "roster":
        data = await _file_bytes(form.get("file"))
        existing = [s.id_number for s in queries.case_subjects(session, case.id)]
        reading = roster.read_roster(data, existing)
        if reading.rejected:
            intake.check_editable(session, staff, case)
            return RosterReview.of(reading)
        intake.add_subjects(session, staff, case, reading.subjects)
        return f"已导入委托名单 {len(reading.subjects)} 人"
    if action == "roster-good":
        existing = [s.id_number for s in queries.case_subjects(session, case.id)]
        subjects = roster.subjects_from_form(text.get("rows", ""), existing)
        intake.add_subjects(session, staff, case, subjects)
        return f"已导入委托名单中有效的 {len(subjects)} 人；问题行未导入"
    if action == "document":
        try:
            kind = DocumentKind(text.get("kind", ""))
            how = AuthorizationForm(text["form"]) if text.get("form") else None
        except ValueError:
            raise ProblemError(Code.VALIDATION, "请选择材料类型和授权方式") from None
        stored = await store_upload(services.blobs, await _file_bytes(form.get("file")))
        info = intake.DocumentInfo(kind=kind, subject_id=text.get("subject_id") or None, form=how,
                                   guardian_name=text.get("guardian_name", ""),
                                   guardian_relation=text.get("guardian_relation", ""), note=text.get("note", ""))
        intake.add_document(session, staff, case, stored, info, now)
        return f"已上传{DOCUMENT_NAMES[info.kind]}"
    if action == "submit":
        conformity.submit(session, staff, case, now)
        return "材料已提交核查机构进行符合性审核"
    if action == "accepted-on":
        correction = AcceptanceCorrection.model_validate(text)
        acceptance.correct(session, staff, case, correction, now)
        return f"受理日期已更正为 {correction.accepted_on.isoformat()}（已记录理由）"
    if action == "check":
        decision = ConformityDecision(passed=text.get("passed") == "yes", reasons=text.get("reasons", ""))
        entrustment = conformity.check(session, staff, case, decision, now)
        return f"审核已记录：{INTAKE_STATUS_NAMES[IntakeStatus(entrustment.status)]}"
    raise ProblemError(Code.NOT_FOUND, action)


def _validation_text(error: ValidationError) -> str:
    return "；".join(f"{'.'.join(str(p) for p in e['loc'])}：{e['msg']}" for e in error.errors())
