"""Administrator actions that the API and the console share (R4, R6, R33): revoking a surveyor's key,
clearing an account's sign-in delays, the periodic password recheck and giving a person their posts.

They lived inside the API routes; a console path for each (issue 18) needs the same rule and the same log
entry, so both call these. Only `unlock` commits (the throttle counters live in their own short
transactions, and the unlock's log entry is written at once as the API always did); the others do not."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server.accounts import throttle
from sync_server.office import staff
from sync_server.tables import Account, LoginThrottle, SurveyorKey
from sync_server.transparency import audit
from sync_server.transparency.audit_rows import log_row


def revoke_key(session: Session, actor: Account, key_id: str, reason: str, now: datetime) -> SurveyorKey:
    """Revoke a key: records sealed with it that reach the server from now on are refused (`key.revoked`);
    those received before stay valid and say so. Revoking twice keeps the first revocation."""
    staff.require_admin(actor)
    key = session.get(SurveyorKey, key_id)
    if key is None:
        raise ProblemError(Code.NOT_FOUND, f"密钥 {key_id}")
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by, key.revoke_reason = now, actor.username, reason
        session.add(key)
        log_row(session, "key.revoked", key, actor=actor.username, at=now, subject=key.key_id)
    return key


def unlock(session: Session, open_session: Callable[[], Session], actor: Account, username: str,
           now: datetime) -> int:
    """Clear every sign-in delay of this account (from any client), logged; how many counters went."""
    staff.require_admin(actor)
    if session.get(Account, username) is None:
        raise ProblemError(Code.NOT_FOUND, f"账号 {username}")
    cleared = throttle.clear_account(open_session, username)
    audit.log_now(session, "account.unlocked", now, actor.username, subject=username)
    return cleared


def recheck_passwords(session: Session, actor: Account, now: datetime) -> list[str]:
    """The periodic recheck (§4.4.4, R33), by an administrator: flag every password too old; logged."""
    staff.require_admin(actor)
    flagged = staff.recheck_passwords(session, now)
    audit.log(session, "accounts.password_recheck", now, actor.username, flagged=flagged)
    return flagged


def set_posts(session: Session, actor: Account, username: str, posts: Sequence[Post], now: datetime) -> Account:
    """Give a person exactly these posts (§4.3.1, R33); logged with the row as it is now."""
    staff.require_admin(actor)
    account = session.get(Account, username)
    if account is None:
        raise ProblemError(Code.NOT_FOUND, f"账号 {username}")
    account.posts = sorted({p.value for p in posts})
    session.add(account)
    log_row(session, "account.posts_set", account, actor=actor.username, at=now, subject=username)
    return account


@dataclass(frozen=True)
class Delay:
    """One sign-in counter that holds an account back, as the unlock page lists it."""

    username: str
    rule: str
    failures: int
    blocked_until: datetime | None


def delays(session: Session) -> list[Delay]:
    """Every counter naming an account (per client, or its PIN), newest failure first."""
    rows = session.exec(select(LoginThrottle).where(
        col(LoginThrottle.key).startswith(f"{throttle.ACCOUNT_CLIENT.prefix}:")
        | col(LoginThrottle.key).startswith(f"{throttle.PIN.prefix}:")).order_by(
        col(LoginThrottle.last_failure_at).desc()))
    found = []
    for row in rows:
        prefix, _, rest = row.key.partition(":")
        found.append(Delay(rest.split("|", 1)[0], "PIN 码" if prefix == throttle.PIN.prefix else "密码",
                           row.failures, row.blocked_until))
    return found
