"""Accounts, logins and bearer tokens. Helpers here never commit; the route does, once."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountPublic, AccountRole
from sync_server.passwords import (
    MAX_FAILED_ATTEMPTS,
    LoginState,
    decide_login,
    hash_secret,
    password_problems,
    pin_problems,
    secret_matches,
)
from sync_server.tables import Account, SessionToken

DEVICE, CONSOLE = "device", "console"
_SAVE_TRIES = 50  # each failed compare-and-set means another attempt on the account was counted
_DUMMY_HASH = hash_secret("not-a-real-secret")  # spent on unknown usernames, so timing tells nothing


def create_account(session: Session, *, username: str, name: str, role: AccountRole, password: str,
                   work_id: str = "", team_id: str | None = None, unit: str = "", pin: str = "",
                   org_id: str | None = None, posts: list[str] | None = None,
                   now: datetime | None = None) -> Account:
    """A new real-name account (R4) with a strong password (R6) and, for surveyors, a PIN."""
    problems = password_problems(password, username)
    if role == AccountRole.SURVEYOR or pin:
        problems += pin_problems(pin)
    if session.get(Account, username) is not None:
        problems.append(f"用户名 {username} 已存在")
    if problems:
        raise ProblemError(Code.VALIDATION, "；".join(problems), problems=problems)
    account = Account(username=username, name=name, role=role.value, work_id=work_id, team_id=team_id,
                      unit=unit, password_hash=hash_secret(password),
                      pin_hash=hash_secret(pin) if pin else "", org_id=org_id, posts=list(posts or []),
                      password_changed_at=now or datetime.now(UTC))
    session.add(account)
    return account


def public(account: Account) -> AccountPublic:
    """What others may see of an account."""
    return AccountPublic(username=account.username, name=account.name, role=AccountRole(account.role),
                         work_id=account.work_id, team_id=account.team_id)


@dataclass(frozen=True)
class LoginOutcome:
    """The result of checking a secret: the account if let in, otherwise the problem to raise
    after the caller has committed the new failure count."""

    account: Account | None
    problem: ProblemError | None


def check_login(session: Session, username: str, secret: str, *, use_pin: bool,
                now: datetime) -> LoginOutcome:
    """Check a password or PIN and update the lockout fields (not committed)."""
    account = session.get(Account, username)
    stored = (account.pin_hash if use_pin else account.password_hash) if account else ""
    if account is None or not account.active or not stored:
        secret_matches(secret, _DUMMY_HASH)
        return LoginOutcome(None, ProblemError(Code.AUTH_INVALID))
    matched = secret_matches(secret, stored)
    for _ in range(_SAVE_TRIES):
        state = LoginState(account.failed_attempts, account.locked_until)
        decision = decide_login(state, matched, now)
        if _save_login_state(session, username, state, decision.state):
            break
        session.refresh(account)  # a concurrent attempt on this account won: decide again on its result
    else:
        raise RuntimeError(f"login state of {username} kept changing under {_SAVE_TRIES} attempts")
    if decision.allowed:
        return LoginOutcome(account, None)
    if decision.locked:
        until = decision.state.locked_until
        detail = f"锁定至 {until:%H:%M} (UTC)" if until else ""
        return LoginOutcome(None, ProblemError(Code.AUTH_LOCKED, detail,
                                               locked_until=until.isoformat() if until else None))
    left = MAX_FAILED_ATTEMPTS - decision.state.failed_attempts
    return LoginOutcome(None, ProblemError(Code.AUTH_INVALID, f"还可尝试 {left} 次", attempts_left=left))


def _save_login_state(session: Session, username: str, old: LoginState, new: LoginState) -> bool:
    """Write the lockout fields only if they still hold what was read (compare-and-set), so concurrent
    wrong secrets are all counted (READ COMMITTED on PostgreSQL, deferred transactions on SQLite
    would otherwise lose updates). False if another attempt changed them first."""
    since = col(Account.locked_until)
    unchanged = since.is_(None) if old.locked_until is None else since == old.locked_until
    result = session.execute(update(Account)
                             .where(col(Account.username) == username,
                                    col(Account.failed_attempts) == old.failed_attempts, unchanged)
                             .values(failed_attempts=new.failed_attempts, locked_until=new.locked_until))
    return getattr(result, "rowcount", 0) == 1  # a CursorResult for UPDATE


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, account: Account, *, kind: str, now: datetime, ttl: timedelta,
                device_id: str = "") -> tuple[str, datetime]:
    """A fresh random bearer token and its expiry; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(SessionToken(token_sha256=_token_hash(token), username=account.username, kind=kind,
                             device_id=device_id, issued_at=now, expires_at=expires_at))
    return token, expires_at


def account_for_token(session: Session, token: str, now: datetime, kind: str | None = None) -> Account | None:
    """The active account a live token belongs to, or None."""
    row = session.get(SessionToken, _token_hash(token))
    if row is None or row.expires_at <= now or (kind is not None and row.kind != kind):
        return None
    account = session.get(Account, row.username)
    return account if account is not None and account.active else None


def revoke_token(session: Session, token: str) -> None:
    """Forget a token (logout)."""
    row = session.get(SessionToken, _token_hash(token))
    if row is not None:
        session.delete(row)


def team_members(session: Session, team_id: str) -> list[Account]:
    """The active surveyors of a team, by username."""
    query = select(Account).where(Account.team_id == team_id, Account.role == AccountRole.SURVEYOR.value,
                                  Account.active == True)
    return list(session.exec(query.order_by(col(Account.username))))


def change_password(session: Session, account: Account, old: str, new: str, now: datetime) -> None:
    """A new password that passes the policy and differs from the old one; clears the must-change flag."""
    problems = password_problems(new, account.username)
    if new == old:
        problems.append("新密码不能与旧密码相同")
    if problems:
        raise ProblemError(Code.VALIDATION, "；".join(problems), problems=problems)
    account.password_hash = hash_secret(new)
    account.password_changed_at = now
    account.must_change_password = False
    session.add(account)
