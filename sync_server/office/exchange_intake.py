"""A unit's system submits an entrustment (issue 20, R25, R38): what its clerk would have typed in.

Idempotent on the unit's own reference: the same submission again answers with the same case and creates
nothing; a different submission under a known reference is a conflict (exchange.reference_conflict), never
a second case. The case is made by office/intake.py as the unit's township account, so the same checks
apply (ID check digits, repeated 序号, the entrustment date), and it starts as a draft: the scans follow,
then the unit submits it, and the agency's two conformity checks release it as for any case (R26)."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from decimal import Decimal

import rfc8785
from sqlmodel import Session, select

from schemas.exchange import Submission
from schemas.office import DocumentKind, NewCase
from schemas.problems import Code, ProblemError
from sync_server.evidence.staff_uploads import StoredUpload
from sync_server.office import intake
from sync_server.tables import Account, Case, CaseDocument, ExchangeSubmission, ExchangeUnit, Subject
from sync_server.transparency import audit

CENT = Decimal("0.01")


def digest(submission: Submission) -> str:
    """SHA-256 of the submission's RFC 8785 bytes, amounts to the cent (so 1200 and 1200.00 are one)."""
    data = submission.model_dump(mode="json")
    for item, parsed in zip(data["declared"], submission.declared, strict=True):
        item["amount"] = str(parsed.amount.quantize(CENT))
    return hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def account_of(session: Session, unit: ExchangeUnit) -> Account:
    account = session.get(Account, unit.account)
    assert account is not None, unit.account
    return account


def submission_of(session: Session, unit: ExchangeUnit, reference: str) -> ExchangeSubmission:
    """The unit's submission under this reference (only its own: another unit's reference is not found)."""
    row = session.exec(select(ExchangeSubmission).where(ExchangeSubmission.unit_id == unit.id,
                                                        ExchangeSubmission.reference == reference)).first()
    if row is None:
        raise ProblemError(Code.NOT_FOUND, f"没有业务编号为 {reference} 的委托")
    return row


def submit(session: Session, unit: ExchangeUnit, body: Submission, now: datetime) -> tuple[Case, bool]:
    """The case for this submission, and whether it was created now (False: the reference was known)."""
    wanted = digest(body)
    known = session.exec(select(ExchangeSubmission).where(ExchangeSubmission.unit_id == unit.id,
                                                          ExchangeSubmission.reference == body.reference)).first()
    if known is not None:
        if known.digest != wanted:
            raise ProblemError(Code.EXCHANGE_REFERENCE_CONFLICT, f"业务编号 {body.reference} 已对应案件 "
                               f"{known.case_id}，本次提交的内容与当时不同", case_id=known.case_id)
        case = session.get(Case, known.case_id)
        assert case is not None
        return case, False
    positions = {s.position for s in body.subjects}
    stray = [d.subject_position for d in body.declared if d.subject_position and d.subject_position not in positions]
    if stray:
        raise ProblemError(Code.VALIDATION, f"申报情况中的序号 {stray} 不在委托名单中")
    actor = account_of(session, unit)
    new = NewCase(title=body.title, entrusting_unit=unit.name, contact=body.contact, phone=body.phone,
                  entrusted_on=body.entrusted_on, methods=body.methods, address=body.address, team_id=unit.team_id,
                  subjects=body.subjects)
    case = intake.create_case(session, actor, new, now)
    row = ExchangeSubmission(id=f"xs-{uuid.uuid4().hex[:16]}", unit_id=unit.id, reference=body.reference,
                             case_id=case.id, digest=wanted, submitted_at=now,
                             declared={"items": [d.model_dump(mode="json") for d in body.declared]})
    session.add(row)
    session.flush()
    audit.log(session, "exchange.submitted", now, actor.username, case.id, subject=row.id, unit_id=unit.id,
              reference=body.reference, digest=wanted, declared_items=len(body.declared))
    return case, True


def subject_by_position(session: Session, case: Case, position: int | None) -> str | None:
    if position is None:
        return None
    found = session.exec(select(Subject).where(Subject.case_id == case.id, Subject.position == position)).first()
    if found is None:
        raise ProblemError(Code.VALIDATION, f"委托名单中没有序号 {position}")
    return found.id


def add_document(session: Session, unit: ExchangeUnit, case: Case, stored: StoredUpload,
                 info: intake.DocumentInfo, now: datetime) -> tuple[CaseDocument, bool]:
    """Link a scan as the unit's account; the same bytes as the same kind for the same subject again
    answer with the document already linked (a retried upload adds nothing)."""
    same = session.exec(select(CaseDocument).where(
        CaseDocument.case_id == case.id, CaseDocument.kind == info.kind.value,
        CaseDocument.subject_id == info.subject_id if info.subject_id else CaseDocument.subject_id.is_(None),  # type: ignore[union-attr]
        CaseDocument.sha256 == stored.sha256)).first()
    if same is not None:
        return same, False
    if info.kind == DocumentKind.TOWNSHIP_EVIDENCE:
        raise ProblemError(Code.VALIDATION, "接口只接收委托书、授权书和身份证明")
    return intake.add_document(session, account_of(session, unit), case, stored, info, now), True
