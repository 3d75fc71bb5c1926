"""The acceptance date belongs to the agency (R3, §4.2.1): it starts the ten working days.

It is the agency's receipt of the unit's materials: the server's date (Beijing time) when the materials
are submitted, never a date a clerk types. Only a holder of the 受理岗 may correct it afterwards, with a
reason, and the correction is logged; it is never before the entrustment date nor after today. The
deadline is derived from it wherever it is shown (deadlines.case_deadline). Nothing here commits.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlmodel import Session

from schemas.office import AcceptanceCorrection, IntakeStatus
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.tables import Account, Case, CaseRetention, Entrustment, queries
from sync_server.transparency import audit

CHINA = timezone(timedelta(hours=8))


def china_today(now: datetime) -> date:
    """The agency's calendar day at `now`."""
    return now.astimezone(CHINA).date()


def check_entrusted_on(entrusted_on: date, now: datetime) -> None:
    """A 委托书 is dated on or before the day it is entered."""
    if entrusted_on > china_today(now):
        raise ProblemError(Code.VALIDATION, f"委托日期 {entrusted_on.isoformat()} 晚于今天，请核对委托书落款日期",
                           entrusted_on=entrusted_on.isoformat())


def receive(session: Session, case: Case, entrustment: Entrustment, actor: Account, now: datetime) -> date:
    """The materials reach the agency: today (never before the entrustment date) becomes the acceptance date."""
    day = max(china_today(now), entrustment.entrusted_on)
    case.accepted_on = day
    session.add(case)
    _follow(session, case)
    audit.log(session, "case.accepted", now, actor.username, case.id, subject=case.id, accepted_on=day.isoformat(),
              round=entrustment.round)
    return day


def correct(session: Session, actor: Account, case: Case, body: AcceptanceCorrection, now: datetime) -> Case:
    """A 受理岗 reviewer corrects the acceptance date, with a reason (logged with the old and new date)."""
    if actor.role != AccountRole.REVIEWER.value or not queries.may_see(actor, case):
        raise ProblemError(Code.FORBIDDEN, "只有核查机构受理岗的工作人员可以更正受理日期")
    require_post(actor, Post.ACCEPTANCE)
    entrustment = session.get(Entrustment, case.id)
    if entrustment is None or entrustment.status in (IntakeStatus.DRAFT.value,):
        raise ProblemError(Code.INTAKE_STATE, "委托材料尚未提交，还没有受理日期")
    reason = body.reason.strip()
    if not reason:
        raise ProblemError(Code.ACCEPTANCE_DATE_INVALID, "请写明更正理由")
    if body.accepted_on < entrustment.entrusted_on:
        raise ProblemError(Code.ACCEPTANCE_DATE_INVALID,
                           f"受理日期 {body.accepted_on.isoformat()} "
                           f"早于委托日期 {entrustment.entrusted_on.isoformat()}",
                           entrusted_on=entrustment.entrusted_on.isoformat())
    if body.accepted_on > china_today(now):
        raise ProblemError(Code.ACCEPTANCE_DATE_INVALID, f"受理日期 {body.accepted_on.isoformat()} 晚于今天")
    old = case.accepted_on
    case.accepted_on = body.accepted_on
    session.add(case)
    _follow(session, case)
    audit.log(session, "case.accepted_on_corrected", now, actor.username, case.id, subject=case.id,
              old=old.isoformat(), new=body.accepted_on.isoformat(), reason=reason)
    return case


def _follow(session: Session, case: Case) -> None:
    """What is derived from the acceptance date and stored: a retention row's disposal date."""
    from sync_server.documents.retention import disposal_date

    row = session.get(CaseRetention, case.id)
    if row is not None and row.disposed_at is None:
        row.disposal_date = disposal_date(case, row.retention_years)
        session.add(row)
