"""Closing an account (R4, R40): its open cases go to a named colleague, with a list both confirm; the list
also names the tablets the leaver used (signed in on last, or enrolled a key on: accounts/fleet.py).

An administrator starts the hand-over; the leaving person and the successor each confirm the list;
when both have, the account is closed (no sign-in, tokens revoked), the successor takes the
leaver's team place and the entrustments the leaver entered. Nothing here commits."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, delete, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import HandoverView
from sync_server.accounts import fleet
from sync_server.office.staff import open_cases_of, require_admin
from sync_server.tables import Account, Entrustment, Handover, SessionToken
from sync_server.transparency.audit_rows import log_row


def start_handover(session: Session, actor: Account, username: str, successor: str, now: datetime) -> Handover:
    """The hand-over list of a leaving colleague's open cases, to be confirmed by both."""
    require_admin(actor)
    leaving, taking = session.get(Account, username), session.get(Account, successor)
    if leaving is None or not leaving.active:
        raise ProblemError(Code.NOT_FOUND, username)
    if taking is None or not taking.active or taking.username == leaving.username:
        raise ProblemError(Code.VALIDATION, "请指定一位在岗的同事接手")
    if taking.role != leaving.role:
        raise ProblemError(Code.VALIDATION, "接手人须与离岗人员承担相同角色")
    pending = session.exec(select(Handover).where(Handover.from_user == username,
                                                  col(Handover.confirmed_by_to).is_(None))).first()
    if pending is not None:
        raise ProblemError(Code.INTAKE_STATE, "该账号已有待确认的交接清单", handover_id=pending.id)
    row = Handover(id=f"ho-{uuid.uuid4().hex[:12]}", from_user=username, to_user=successor,
                   case_ids=open_cases_of(session, leaving), device_ids=fleet.devices_of(session, username),
                   created_by=actor.username, created_at=now)
    session.add(row)
    log_row(session, "handover.started", row, actor=actor.username, at=now, subject=row.id)
    return row


def confirm_handover(session: Session, actor: Account, handover_id: str, now: datetime) -> Handover:
    """One side confirms the list; when both have, the cases move and the account closes (R4)."""
    row = session.get(Handover, handover_id)
    if row is None or actor.username not in (row.from_user, row.to_user):
        raise ProblemError(Code.NOT_FOUND, handover_id)
    if actor.username == row.from_user:
        row.confirmed_by_from = row.confirmed_by_from or now
    else:
        row.confirmed_by_to = row.confirmed_by_to or now
    session.add(row)
    if row.confirmed_by_from and row.confirmed_by_to:
        _close(session, row, now)
    log_row(session, "handover.confirmed", row, actor=actor.username, at=now, subject=row.id)
    return row


def _close(session: Session, row: Handover, now: datetime) -> None:
    leaving, taking = session.get(Account, row.from_user), session.get(Account, row.to_user)
    assert leaving is not None and taking is not None
    if leaving.role == AccountRole.SURVEYOR.value and leaving.team_id and taking.team_id is None:
        taking.team_id = leaving.team_id
    for entrustment in session.exec(select(Entrustment).where(col(Entrustment.case_id).in_(row.case_ids),
                                                              Entrustment.created_by == leaving.username)):
        entrustment.created_by = taking.username
        session.add(entrustment)
    leaving.active, leaving.closed_at, leaving.team_id = False, now, None
    session.add_all([leaving, taking])
    session.execute(delete(SessionToken).where(col(SessionToken.username) == leaving.username))


def handover_view(row: Handover) -> HandoverView:
    """A hand-over as the API shows it."""
    return HandoverView(id=row.id, from_user=row.from_user, to_user=row.to_user, case_ids=list(row.case_ids),
                        device_ids=list(row.device_ids or []),
                        created_by=row.created_by, created_at=row.created_at,
                        confirmed_by_from=row.confirmed_by_from, confirmed_by_to=row.confirmed_by_to)
