"""Re-verification rounds (R3, R19, R28): the objection, a new round with its methods and 10 more working
days, and the result fed back to the unit. Nothing here commits."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from schemas.beijing import beijing_date
from schemas.methods import Method
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.review import Objection, Objector, Round, RoundResult
from schemas.staffing import Post
from schemas.workdays import HolidayTable, add_working_days
from sync_server.accounts.posts import require_post
from sync_server.tables import Account, Case, ReVerificationRound
from sync_server.transparency.audit_rows import log_row

EXTRA_WORKING_DAYS = 10  # §4.2.1


def rounds_of(session: Session, case_id: str) -> list[ReVerificationRound]:
    """The case's re-verification rounds, first first."""
    query = select(ReVerificationRound).where(ReVerificationRound.case_id == case_id)
    return list(session.exec(query.order_by(col(ReVerificationRound.number))))


def round_view(row: ReVerificationRound, table: HolidayTable) -> Round:
    """The wire view, with the round's deadline counted in working days."""
    due = add_working_days(row.opened_on, EXTRA_WORKING_DAYS, table)
    return Round(case_id=row.case_id, number=row.number, objected_by=Objector(row.objected_by),
                 objector_name=row.objector_name, grounds=row.grounds, objected_on=row.objected_on,
                 methods=[Method(m) for m in row.methods], opened_on=row.opened_on, due=due.due,
                 due_warning=due.warning,
                 opened_by=row.opened_by, result=row.result, fed_back_to=row.fed_back_to,
                 fed_back_on=row.fed_back_on, closed_by=row.closed_by)


def _reviewer(account: Account) -> None:
    if account.role != AccountRole.REVIEWER.value:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员可以登记异议和复核结果")
    require_post(account, Post.VERIFICATION)  # §4.3.1: 核证岗


def open_round(session: Session, case: Case, by: Account, objection: Objection, now: datetime) -> ReVerificationRound:
    """R28 then R19: record the objection and open the next round, with methods the unit entrusted."""
    _reviewer(by)
    rounds = rounds_of(session, case.id)
    if rounds and not rounds[-1].result:
        raise ProblemError(Code.ROUND_INVALID, f"第 {rounds[-1].number} 轮复核尚未办结")
    outside = [m.value for m in objection.methods if m.value not in case.required_checks]
    if outside:
        raise ProblemError(Code.METHOD_NOT_ENTRUSTED, "、".join(outside), methods=outside)
    today = beijing_date(now)
    if objection.objected_on > today:
        raise ProblemError(Code.ROUND_INVALID, "异议日期不能晚于今天")
    row = ReVerificationRound(
        case_id=case.id, number=(rounds[-1].number if rounds else 1) + 1, objected_by=objection.objected_by.value,
        objector_name=objection.objector_name.strip(), grounds=objection.grounds.strip(),
        objected_on=objection.objected_on, methods=[m.value for m in dict.fromkeys(objection.methods)],
        opened_on=today, opened_by=by.username, opened_at=now)
    case.re_verification = True
    session.add(case)
    session.add(row)
    log_row(session, "round.opened", row, actor=by.username, at=now, case_id=case.id,
            subject=f"{case.id}/round/{row.number}")
    return row


def close_round(session: Session, case: Case, number: int, by: Account, result: RoundResult,
                now: datetime) -> ReVerificationRound:
    """Write the round's result and to whom it was fed back (R19); written once."""
    _reviewer(by)
    row = next((r for r in rounds_of(session, case.id) if r.number == number), None)
    if row is None:
        raise ProblemError(Code.NOT_FOUND, f"第 {number} 轮复核")
    if row.result:
        raise ProblemError(Code.ROUND_INVALID, f"第 {number} 轮复核已办结，结果不可更改")
    if result.fed_back_on < row.opened_on:
        raise ProblemError(Code.ROUND_INVALID, "反馈日期早于复核开始日期")
    row.result, row.fed_back_to, row.fed_back_on = result.result.strip(), result.fed_back_to.strip(), result.fed_back_on
    row.closed_by, row.closed_at = by.username, now
    session.add(row)
    log_row(session, "round.closed", row, actor=by.username, at=now, case_id=case.id,
            subject=f"{case.id}/round/{number}")
    return row
