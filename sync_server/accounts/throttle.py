"""Growing delays after failed sign-ins, instead of a lock anyone can trigger (ASVS V6.3, R6).

Each attempt is checked against counters, each with its own rule:
  - (username, client): after 5 failures in a row, 1 s, 2 s, 4 s ... up to 15 min between tries. An
    attacker's guesses slow down the attacker's client only; the real owner on another client is not held.
  - client (source address): after 30 failures across usernames, the same growth (spraying many names).
  - PIN (username, any client): 6 digits are few, so a distributed guess is slowed too (after 10 failures).
A blocked attempt is answered `auth.throttled` (429, Retry-After) without looking at the secret and is
not counted. Counters are written by compare-and-set in their own short transaction, so concurrent
attempts are all counted; a success clears the (username, client) counter; an administrator can clear all.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from schemas.problems import Code, ProblemError
from sync_server.tables import LoginThrottle

_SAVE_TRIES = 50


@dataclass(frozen=True)
class Rule:
    """How many failures are free, and how the delay grows after them."""

    prefix: str
    free: int
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)  # a quiet hour starts the count again


ACCOUNT_CLIENT = Rule("acct-client", free=5)
CLIENT = Rule("client", free=30)
PIN = Rule("pin", free=10, cap=timedelta(hours=1), forget_after=timedelta(days=1))


@dataclass(frozen=True)
class Counter:
    failures: int = 0
    blocked_until: datetime | None = None
    last_failure_at: datetime | None = None


def after_failure(rule: Rule, counter: Counter, now: datetime) -> Counter:
    """The counter after one more failure (pure)."""
    recent = counter.last_failure_at is not None and now - counter.last_failure_at <= rule.forget_after
    failures = (counter.failures if recent else 0) + 1
    over = failures - rule.free
    blocked = now + min(rule.base * (2 ** min(over, 30)), rule.cap) if over >= 0 else None
    return Counter(failures, blocked, now)


def keys_for(username: str, client: str, *, pin: bool) -> list[tuple[Rule, str]]:
    """The counters one attempt is checked against and counted on."""
    out = [(ACCOUNT_CLIENT, f"{ACCOUNT_CLIENT.prefix}:{username}|{client}"), (CLIENT, f"{CLIENT.prefix}:{client}")]
    if pin:
        out.append((PIN, f"{PIN.prefix}:{username}"))
    return out


def _read(session: Session, key: str) -> Counter | None:
    row = session.get(LoginThrottle, key)
    return None if row is None else Counter(row.failures, row.blocked_until, row.last_failure_at)


def refuse_if_blocked(open_session: Callable[[], Session], keys: Iterable[tuple[Rule, str]],
                      now: datetime) -> None:
    """Raise `auth.throttled` with the seconds to wait if any counter is blocked now."""
    with open_session() as session:
        waits = [c.blocked_until - now for _, k in keys
                 if (c := _read(session, k)) is not None and c.blocked_until is not None and c.blocked_until > now]
    if waits:
        seconds = max(1, math.ceil(max(waits).total_seconds()))
        raise ProblemError(Code.AUTH_THROTTLED, f"请 {seconds} 秒后再试", retry_after=seconds)


def count_failure(open_session: Callable[[], Session], keys: Iterable[tuple[Rule, str]], now: datetime) -> None:
    """Add one failure to each counter (compare-and-set, committed at once)."""
    for rule, key in keys:
        for _ in range(_SAVE_TRIES):
            if _try_count(open_session, rule, key, now):
                break
        else:
            raise RuntimeError(f"throttle counter {key} kept changing under {_SAVE_TRIES} attempts")


def _try_count(open_session: Callable[[], Session], rule: Rule, key: str, now: datetime) -> bool:
    with open_session() as session:
        old = _read(session, key)
        new = after_failure(rule, old or Counter(), now)
        if old is None:
            session.add(LoginThrottle(key=key, failures=new.failures, blocked_until=new.blocked_until,
                                      last_failure_at=new.last_failure_at))
            try:
                session.commit()
            except IntegrityError:  # a concurrent first failure inserted the row: count on top of it
                return False
            return True
        last = col(LoginThrottle.last_failure_at)
        same_last = last.is_(None) if old.last_failure_at is None else last == old.last_failure_at
        result = session.execute(update(LoginThrottle).where(
            col(LoginThrottle.key) == key, col(LoginThrottle.failures) == old.failures, same_last).values(
            failures=new.failures, blocked_until=new.blocked_until, last_failure_at=new.last_failure_at))
        session.commit()
        return getattr(result, "rowcount", 0) == 1


def clear(open_session: Callable[[], Session], keys: Iterable[str]) -> None:
    """Forget these counters (a success, or an administrator's unlock)."""
    with open_session() as session:
        session.execute(delete(LoginThrottle).where(col(LoginThrottle.key).in_(list(keys))))
        session.commit()


def clear_account(open_session: Callable[[], Session], username: str) -> int:
    """An administrator's unlock: every counter naming this username, from any client. Returns how many."""
    with open_session() as session:
        keys = [f"{PIN.prefix}:{username}"]
        literal = username.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"{ACCOUNT_CLIENT.prefix}:{literal}|%"
        result = session.execute(delete(LoginThrottle).where(
            col(LoginThrottle.key).in_(keys) | col(LoginThrottle.key).like(like, escape="\\")))
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)
