"""Staff gates for everyone (§4.3.2, §4.3.3, appendix A; R5, R34, R41): every serving staff member, not
only surveyors, holds a current confidentiality pledge and training record. The dashboard lists who
lacks one and whose expires within 30 days, so an administrator renews them in time; the post-bound
actions of the office (accounts/posts.require_post) are refused to someone whose pledge or training
has lapsed, as field work is to a surveyor (office/staff.require_cleared)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from schemas.staffing import CREDENTIAL_NAMES, CredentialKind
from sync_server.tables import Account, StaffCredential

REMIND_DAYS = 30


@dataclass(frozen=True)
class Reminder:
    username: str
    name: str
    role: str
    kind: str  # CredentialKind value
    kind_name: str
    valid_until: date | None  # None: none current
    days_left: int | None

    @property
    def message(self) -> str:
        if self.valid_until is None or self.days_left is None:
            return f"{self.kind_name}缺失或已过期"
        return f"{self.kind_name}将于 {self.valid_until.isoformat()} 到期（还有 {self.days_left} 天）"


def reminders(session: Session, today: date, org_id: str | None = None) -> list[Reminder]:
    """Every active account (of the organisation, when given) whose pledge or training is missing, has
    lapsed, or ends within REMIND_DAYS: the lapsed first, then by date."""
    query = select(Account).where(col(Account.active).is_(True))
    if org_id is not None:
        query = query.where(col(Account.org_id) == org_id)
    accounts = list(session.exec(query.order_by(col(Account.username))))
    current: dict[tuple[str, str], date] = {}  # the last day covered, when today is covered
    names = [a.username for a in accounts]
    if names:
        rows = list(session.exec(select(StaffCredential).where(col(StaffCredential.username).in_(names),
                                                               col(StaffCredential.valid_until) >= today)))
        covered = {(r.username, r.kind) for r in rows if r.valid_from <= today}
        for row in rows:  # a renewal already recorded (starting later) pushes the end out
            key = (row.username, row.kind)
            if key in covered:
                current[key] = max(current.get(key, row.valid_until), row.valid_until)
    found = []
    for account in accounts:
        for kind in CredentialKind:
            until = current.get((account.username, kind.value))
            if until is not None and until > today + timedelta(days=REMIND_DAYS):
                continue
            found.append(Reminder(account.username, account.name, account.role, kind.value,
                                  CREDENTIAL_NAMES[kind], until, None if until is None else (until - today).days))
    return sorted(found, key=lambda r: (r.valid_until is not None, r.valid_until or today, r.username, r.kind))
