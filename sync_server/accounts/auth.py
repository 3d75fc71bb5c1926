"""Accounts, logins and bearer tokens. Helpers here never commit; the route does, once."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountPublic, AccountRole
from sync_server.accounts import throttle
from sync_server.accounts.passwords import hash_secret, password_problems, pin_problems, secret_matches
from sync_server.tables import Account, SessionToken, queries
from sync_server.transparency import audit

DEVICE, CONSOLE = "device", "console"


@cache
def dummy_hash() -> str:
    """Spent on unknown usernames, so timing tells nothing; made just after start (app.py's lifespan) or at
    the first sign-in, not while starting (a password hash costs as long as a check: issue 19)."""
    return hash_secret("not-a-real-secret")


def create_account(session: Session, *, username: str, name: str, role: AccountRole, password: str,
                   work_id: str = "", team_id: str | None = None, unit: str = "", pin: str = "",
                   org_id: str | None = None, posts: list[str] | None = None,
                   now: datetime | None = None) -> Account:
    """A new real-name account (R4) with a strong password (R6) and, for surveyors, a PIN."""
    if session.get(Account, username) is not None:
        raise ProblemError(Code.ALREADY_EXISTS, f"用户名 {username} 已存在")
    problems = password_problems(password, username)
    if role == AccountRole.SURVEYOR or pin:
        problems += pin_problems(pin)
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


def check_login(open_session: Callable[[], Session], session: Session, username: str, secret: str, *,
                use_pin: bool, now: datetime, client: str) -> Account:
    """The account if the password or PIN is right; otherwise raises `auth.throttled` (429, while a
    delay runs for this username from this client, see throttle.py) or `auth.invalid`, the very same
    answer for unknown usernames, closed accounts and wrong secrets (a scrypt hash is spent on each)."""
    keys = throttle.keys_for(username, client, pin=use_pin)
    throttle.refuse_if_blocked(open_session, keys, now)
    account = session.get(Account, username)
    stored = (account.pin_hash if use_pin else account.password_hash) if account else ""
    if account is None or not account.active or not stored:
        secret_matches(secret, dummy_hash())
        matched = False
    else:
        matched = secret_matches(secret, stored)
    if not matched or account is None:
        throttle.count_failure(open_session, keys, now)
        raise ProblemError(Code.AUTH_INVALID)
    throttle.clear(open_session, [keys[0][1]])
    return account


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


def live_token(session: Session, token: str, now: datetime,
               kind: str | None = None) -> tuple[SessionToken, Account] | None:
    """The live token row (not expired, of the kind asked, of an active account) and its account, or None.
    One indexed query (the token's hash is the primary key) loads both."""
    query = (select(SessionToken, Account).join(Account, col(Account.username) == col(SessionToken.username))
             .where(SessionToken.token_sha256 == _token_hash(token)))
    found = session.exec(query).first()
    if found is None:
        return None
    row, account = found
    if row.expires_at <= now or (kind is not None and row.kind != kind) or not account.active:
        return None
    return row, account


def account_for_token(session: Session, token: str, now: datetime, kind: str | None = None) -> Account | None:
    """The active account a live token belongs to, or None."""
    found = live_token(session, token, now, kind)
    return None if found is None else found[1]


def revoke_token(session: Session, token: str) -> None:
    """Forget a token (logout)."""
    row = session.get(SessionToken, _token_hash(token))
    if row is not None:
        session.delete(row)


def team_members(session: Session, team_id: str) -> list[Account]:
    """The active surveyors of a team, by username."""
    return queries.team_members_of(session, {team_id}).get(team_id, [])


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
    audit.log(session, "account.password_changed", now, account.username, subject=account.username)
