"""Intake of a case from the entrustment (R22–R26): the case, its subjects, the scans of the 委托书,
授权书 and ID proofs. Who may enter materials: the entrusting unit's township clerks and agency staff,
only while the materials are with the unit (draft or returned). Nothing here commits."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from schemas.office import AuthorizationForm, DocumentKind, IntakeStatus, NewCase, NewSubject
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.evidence.staff_uploads import StoredUpload, remember_file
from sync_server.office.acceptance import check_entrusted_on, china_today
from sync_server.office.id_numbers import id_number_is_valid
from sync_server.tables import Account, Case, CaseDocument, Entrustment, Organisation, Subject, Team, queries
from sync_server.transparency.audit_rows import log_row

EDITABLE = (IntakeStatus.DRAFT.value, IntakeStatus.RETURNED.value)
SUBJECT_DOCUMENTS = (DocumentKind.AUTHORIZATION.value, DocumentKind.ID_PROOF.value)


def sex_of(id_number: str) -> str:
    """男 or 女 from the 17th character of the ID number (odd: male)."""
    return "男" if int(id_number[16]) % 2 else "女"


def born_on(id_number: str) -> date:
    """The birth date written in the ID number."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def is_adult(id_number: str, on: date) -> bool:
    """18 or older on the given day: adults sign their own 授权书, minors' guardians sign (R22)."""
    born = born_on(id_number)
    return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) >= 18


def subject_problems(subjects: list[NewSubject], existing: Iterable[Subject] = ()) -> list[str]:
    """Why these subjects cannot be added: bad check digit, repeated ID number or 序号 (Chinese)."""
    out: list[str] = []
    seen = {e.id_number.upper() for e in existing}
    positions = {e.position for e in existing}
    for s in subjects:
        if s.position in positions:
            out.append(f"{s.name}：序号 {s.position} 重复")
        positions.add(s.position)
        number = s.id_number.upper()
        if not id_number_is_valid(number):
            out.append(f"{s.name}：身份证号码 {number} 无效（位数、出生日期或校验码不符）")
        elif number in seen:
            out.append(f"{s.name}：身份证号码 {number} 重复")
        seen.add(number)
    return out


def may_enter(actor: Account, case: Case) -> bool:
    """The unit's own clerks, the agency's staff and administrators enter materials (R25)."""
    role = AccountRole(actor.role)
    if role == AccountRole.ADMIN:
        return True
    if role == AccountRole.TOWNSHIP:
        return bool(actor.unit) and actor.unit == case.entrusting_unit
    return role == AccountRole.REVIEWER and queries.may_see(actor, case)


def entrustment_of(session: Session, case: Case) -> Entrustment:
    """The case's entrustment; a case created outside intake has none and cannot be worked on."""
    row = session.get(Entrustment, case.id)
    if row is None:
        raise ProblemError(Code.CASE_NOT_RELEASED, "案件没有委托书记录", case_id=case.id)
    return row


def check_editable(session: Session, actor: Account, case: Case) -> Entrustment:
    """The case's entrustment, when `actor` may still change its materials; else a problem saying why."""
    return _editable(session, actor, case)


def _editable(session: Session, actor: Account, case: Case) -> Entrustment:
    if not may_enter(actor, case):
        raise ProblemError(Code.FORBIDDEN, "只有委托单位或核查机构的工作人员可以录入委托材料")
    entrustment = entrustment_of(session, case)
    if entrustment.status not in EDITABLE:
        raise ProblemError(Code.INTAKE_STATE, "材料已提交审核或已下达，不能再修改", status=entrustment.status)
    return entrustment


def create_case(session: Session, actor: Account, body: NewCase, now: datetime) -> Case:
    """A new case from the 委托书: the case, its entrustment (draft) and its subjects."""
    role = AccountRole(actor.role)
    if role == AccountRole.SURVEYOR or (role == AccountRole.TOWNSHIP and actor.unit != body.entrusting_unit):
        raise ProblemError(Code.FORBIDDEN, "只能为本单位录入委托")
    if session.get(Team, body.team_id) is None:
        raise ProblemError(Code.NOT_FOUND, f"调查小组 {body.team_id} 不存在")
    if body.case_no and session.get(Case, body.case_no) is not None:
        raise ProblemError(Code.ALREADY_EXISTS, f"案件编号 {body.case_no} 已存在")
    problems = subject_problems(body.subjects)
    if problems:
        raise ProblemError(Code.VALIDATION, "；".join(problems), problems=problems)
    check_entrusted_on(body.entrusted_on, now)
    agency = actor.org_id if role == AccountRole.REVIEWER else _agency_of_team(session, body.team_id)
    case = Case(id=body.case_no or f"case-{uuid.uuid4().hex[:12]}", title=body.title,
                entrusting_unit=body.entrusting_unit, address=body.address, lat=body.lat, lon=body.lon,
                # until submitted (R3: acceptance.receive)
                accepted_on=china_today(now),
                required_checks=[m.value for m in body.methods],
                team_id=body.team_id, agency_id=agency)
    session.add(case)
    session.flush()
    session.add(Entrustment(case_id=case.id, contact=body.contact, phone=body.phone, entrusted_on=body.entrusted_on,
                            status=IntakeStatus.DRAFT.value, created_by=actor.username, created_at=now))
    subjects = _add_subjects(session, case, body.subjects)
    log_row(session, "case.created", case, actor=actor.username, at=now, case_id=case.id, subject=case.id,
            subjects=[s.id for s in subjects])
    return case


def _agency_of_team(session: Session, team_id: str) -> str | None:
    """The agency a team works for: the organisation of its surveyors, when they are an agency's."""
    for member in session.exec(select(Account).where(Account.team_id == team_id)):
        org = session.get(Organisation, member.org_id) if member.org_id else None
        if org is not None and org.kind == "agency":
            return org.id
    return None


def _add_subjects(session: Session, case: Case, subjects: list[NewSubject]) -> list[Subject]:
    rows = [Subject(id=f"{case.id}-s{s.position}", case_id=case.id, position=s.position, name=s.name,
                    id_number=s.id_number.upper(), relation=s.relation, household_address=s.household_address,
                    note=s.note) for s in subjects]
    session.add_all(rows)
    session.flush()
    return rows


def add_subjects(session: Session, actor: Account, case: Case, subjects: list[NewSubject]) -> list[Subject]:
    """Add subjects to a case whose materials are with the unit; all or none (R2, R23)."""
    _editable(session, actor, case)
    problems = subject_problems(subjects, queries.case_subjects(session, case.id))
    if problems:
        raise ProblemError(Code.VALIDATION, "；".join(problems), problems=problems)
    rows = _add_subjects(session, case, subjects)
    for row in rows:
        log_row(session, "intake.subject_added", row, actor=actor.username, case_id=case.id, subject=row.id)
    return rows


@dataclass(frozen=True)
class DocumentInfo:
    """What the uploader says about a scan (the bytes say what type it is)."""

    kind: DocumentKind
    subject_id: str | None = None
    form: AuthorizationForm | None = None
    guardian_name: str = ""
    guardian_relation: str = ""
    note: str = ""


def add_document(session: Session, actor: Account, case: Case, stored: StoredUpload, info: DocumentInfo,
                 now: datetime) -> CaseDocument:
    """Link a stored scan to the case (and subject), credited to the uploader (R22, R24, R25)."""
    if info.kind == DocumentKind.TOWNSHIP_EVIDENCE:
        if not (AccountRole(actor.role) in (AccountRole.TOWNSHIP, AccountRole.REVIEWER)
                and queries.may_see(actor, case)):
            raise ProblemError(Code.FORBIDDEN, "只有本乡镇（街道）或核查机构的工作人员可以上传材料")
    else:
        entrustment = _editable(session, actor, case)
        _check_subject_document(session, case, entrustment, info)
    remember_file(session, stored, actor.username, now)
    document = CaseDocument(id=f"doc-{uuid.uuid4().hex[:16]}", case_id=case.id, subject_id=info.subject_id,
                            kind=info.kind.value, sha256=stored.sha256, media_type=stored.media_type,
                            size=stored.size, uploaded_by=actor.username, uploaded_at=now,
                            form=info.form.value if info.form else None, guardian_name=info.guardian_name.strip(),
                            guardian_relation=info.guardian_relation.strip(), note=info.note.strip())
    session.add(document)
    log_row(session, "intake.document_added", document, actor=actor.username, at=now, case_id=case.id,
            subject=document.id)
    refresh_flags(session, case)
    return document


def _check_subject_document(session: Session, case: Case, entrustment: Entrustment, info: DocumentInfo) -> None:
    if info.kind.value not in SUBJECT_DOCUMENTS:
        if info.subject_id is not None:
            raise ProblemError(Code.VALIDATION, "委托书属于整个案件，不关联某一核查对象")
        return
    subject = session.get(Subject, info.subject_id) if info.subject_id else None
    if subject is None or subject.case_id != case.id:
        raise ProblemError(Code.VALIDATION, "请选择本案的核查对象")
    if info.kind != DocumentKind.AUTHORIZATION:
        return
    if info.form is None:
        raise ProblemError(Code.VALIDATION, "请注明授权方式（纸质授权书、电子授权或同等方式）")
    if (not is_adult(subject.id_number, entrustment.entrusted_on)
            and not (info.guardian_name and info.guardian_relation)):
        raise ProblemError(Code.VALIDATION, f"{subject.name} 未成年，须由法定监护人签字授权：请填写监护人姓名及关系")


def documents_of(session: Session, case_id: str) -> list[CaseDocument]:
    """The case's scans, oldest first."""
    query = select(CaseDocument).where(CaseDocument.case_id == case_id)
    return list(session.exec(query.order_by(col(CaseDocument.uploaded_at), col(CaseDocument.id))))


def missing_materials(session: Session, case: Case) -> list[str]:
    """What keeps the materials from being complete (§5.2.3), in Chinese; empty when complete."""
    documents = documents_of(session, case.id)
    kinds = {(d.kind, d.subject_id) for d in documents}
    out = [] if (DocumentKind.ENTRUSTMENT.value, None) in kinds else ["缺少加盖公章的委托书扫描件"]
    subjects = queries.case_subjects(session, case.id)
    if not subjects:
        out.append("委托名单中没有核查对象")
    for s in subjects:
        if (DocumentKind.AUTHORIZATION.value, s.id) not in kinds:
            out.append(f"{s.name}：缺少授权书")
        if (DocumentKind.ID_PROOF.value, s.id) not in kinds:
            out.append(f"{s.name}：缺少公安部门出具的身份证明")
    return out


def refresh_flags(session: Session, case: Case) -> None:
    """Keep the case's two R1 flags equal to what the documents show (they are derived, never set by hand)."""
    missing = missing_materials(session, case)
    case.entrustment_recorded = "缺少加盖公章的委托书扫描件" not in missing
    case.authorization_recorded = bool(queries.case_subjects(session, case.id)) and not any(
        "授权书" in m or "身份证明" in m or "没有核查对象" in m for m in missing)
    session.add(case)


def assign_team(session: Session, actor: Account, case: Case, team_id: str) -> None:
    """Give the case to a survey team (agency staff and administrators only)."""
    if actor.role not in (AccountRole.REVIEWER.value, AccountRole.ADMIN.value):
        raise ProblemError(Code.FORBIDDEN, "只有核查机构工作人员可以分配调查小组")
    if session.get(Team, team_id) is None:
        raise ProblemError(Code.NOT_FOUND, f"调查小组 {team_id} 不存在")
    case.team_id = team_id
    session.add(case)
    log_row(session, "case.team_assigned", case, actor=actor.username, case_id=case.id, subject=team_id)
