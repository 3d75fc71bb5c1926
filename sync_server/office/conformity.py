"""The conformity review of the entrustment materials (§5.2.5, §5.2.6; R1, R26).

The unit submits complete materials; two agency staff check them, and the two must be different
people. A failed check returns the materials to the unit with its reasons; the unit corrects and
submits again (a new round: earlier checks no longer count). Two passes in one round release the
case for field work: only then may the tablet start and the server merge (R1). Nothing commits."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.office import ConformityDecision, IntakeStatus
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.office import acceptance
from sync_server.office.intake import entrustment_of, may_enter, missing_materials
from sync_server.tables import Account, Case, ConformityCheck, Entrustment, queries
from sync_server.transparency.audit_rows import log_row

CHECKS_NEEDED = 2


def submit(session: Session, actor: Account, case: Case, now: datetime) -> Entrustment:
    """The unit hands in complete materials for review (§5.2.4); the server dates the receipt (R3)."""
    if not may_enter(actor, case):
        raise ProblemError(Code.FORBIDDEN, "只有委托单位或核查机构的工作人员可以提交委托材料")
    entrustment = entrustment_of(session, case)
    if entrustment.status not in (IntakeStatus.DRAFT.value, IntakeStatus.RETURNED.value):
        raise ProblemError(Code.INTAKE_STATE, "材料已提交或已下达", status=entrustment.status)
    missing = missing_materials(session, case)
    if missing:
        raise ProblemError(Code.VALIDATION, "材料不全：" + "；".join(missing), missing=missing)
    if entrustment.status == IntakeStatus.RETURNED.value:
        entrustment.round += 1
    entrustment.status = IntakeStatus.SUBMITTED.value
    session.add(entrustment)
    acceptance.receive(session, case, entrustment, actor, now)
    log_row(session, "intake.submitted", entrustment, actor=actor.username, case_id=case.id, subject=case.id)
    return entrustment


def checks_of(session: Session, case_id: str) -> list[ConformityCheck]:
    """Every check of the case, all rounds, oldest first (the record of who decided what)."""
    query = select(ConformityCheck).where(ConformityCheck.case_id == case_id)
    return list(session.exec(query.order_by(col(ConformityCheck.round), col(ConformityCheck.checked_at),
                                                col(ConformityCheck.id))))


def check(session: Session, actor: Account, case: Case, decision: ConformityDecision,
          now: datetime) -> Entrustment:
    """Record one check by an agency reviewer; return or release as the checks add up (R26, R1)."""
    if actor.role != AccountRole.REVIEWER.value or not queries.may_see(actor, case):
        raise ProblemError(Code.FORBIDDEN, "只有核查机构的审核人员可以进行符合性审核")
    require_post(actor, Post.ACCEPTANCE)  # §4.3.1: 受理岗
    entrustment = entrustment_of(session, case)
    if entrustment.status != IntakeStatus.SUBMITTED.value:
        raise ProblemError(Code.INTAKE_STATE, "材料不在待审核状态", status=entrustment.status)
    reasons = decision.reasons.strip()
    if not decision.passed and not reasons:
        raise ProblemError(Code.VALIDATION, "退回委托单位须说明理由（§5.2.6）")
    this_round = [c for c in checks_of(session, case.id) if c.round == entrustment.round]
    if any(c.checker == actor.username for c in this_round):
        raise ProblemError(Code.CONFORMITY_SAME_CHECKER, f"{actor.name} 已审核过本轮材料")
    checked = ConformityCheck(id=f"chk-{uuid.uuid4().hex[:16]}", case_id=case.id, round=entrustment.round,
                              checker=actor.username, checked_at=now, passed=decision.passed, reasons=reasons)
    session.add(checked)
    if not decision.passed:
        entrustment.status = IntakeStatus.RETURNED.value
        entrustment.returned_reasons = reasons
    elif sum(c.passed for c in this_round) + 1 >= CHECKS_NEEDED:
        entrustment.status = IntakeStatus.RELEASED.value
        entrustment.released_at = now
        entrustment.returned_reasons = ""
    session.add(entrustment)
    log_row(session, "conformity.checked", checked, actor=actor.username, at=now, case_id=case.id,
            subject=checked.id, status=entrustment.status)
    return entrustment


def released_cases(session: Session, case_ids: list[str]) -> set[str]:
    """Which of these cases are released, in one query."""
    if not case_ids:
        return set()
    query = select(Entrustment.case_id).where(col(Entrustment.case_id).in_(case_ids),
                                              Entrustment.status == IntakeStatus.RELEASED.value)
    return set(session.exec(query))


def is_released(session: Session, case_id: str) -> bool:
    """Whether the case passed its conformity review and may be worked on in the field (R1)."""
    row = session.get(Entrustment, case_id)
    return row is not None and row.status == IntakeStatus.RELEASED.value


def released_at(session: Session, case_id: str) -> datetime | None:
    """When the case was released for field work (None: not released)."""
    row = session.get(Entrustment, case_id)
    return row.released_at if row is not None and row.status == IntakeStatus.RELEASED.value else None


def released_times(session: Session, case_ids: list[str]) -> dict[str, datetime]:
    """When each of these released cases was released, in one query."""
    if not case_ids:
        return {}
    query = select(Entrustment).where(col(Entrustment.case_id).in_(case_ids),
                                      Entrustment.status == IntakeStatus.RELEASED.value)
    return {e.case_id: e.released_at for e in session.exec(query) if e.released_at is not None}
