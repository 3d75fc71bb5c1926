"""Entering a year's official holiday notice (R3: working days follow the State Council's arrangement,
swapped workdays included), by an administrator in the console or by the operator's CLI.

The CLI (`python -m sync_server holidays add`) has no signed-in person; the console does, so its entry
is refused to anyone but an administrator and logged with who entered which year."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from schemas.workdays import YearNotice
from sync_server.casework.deadlines import save_notice
from sync_server.office import staff
from sync_server.tables import Account
from sync_server.transparency import audit


def enter_notice(session: Session, actor: Account, notice: YearNotice, now: datetime) -> None:
    """Enter or replace one year's notice (validated; ValueError for dates outside its year); not committed."""
    staff.require_admin(actor)
    save_notice(session, notice, now)
    audit.log(session, "holidays.notice_entered", now, actor.username, subject=str(notice.year),
              holidays=[d.isoformat() for d in notice.holidays], workdays=[d.isoformat() for d in notice.workdays],
              source=notice.source)
