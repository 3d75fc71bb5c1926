"""Start-up backfills run once, and are recorded (issue 19).

A revision that adds a column or table whose rows are computed by code (case summaries, seal verdicts,
respondents' names, the audit log's subtrees, evidence findings) leaves the filling to that code, run right
after the upgrade. Each used to look for missing rows at every start: anti-joins and `IS NULL` scans over
all records, 5.8-7 s on a 100k-case database. Now each backfill runs until it has nothing left, then its
row in `backfills` is written in the same transaction, and later starts read that one small table instead.
On PostgreSQL the workers starting at once take turns (an advisory lock, as the migrations do): the first
fills, the others find its row.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session, select

from sync_server.tables import Backfill

_PG_LOCK = 7_310_947  # one advisory lock for "backfilling" (the migrations use 7_310_946)


def done(session: Session) -> set[str]:
    """The backfills recorded as done."""
    return set(session.exec(select(Backfill.name)))


def run_once(session: Session, backfills: Iterable[tuple[str, Callable[[], int]]]) -> dict[str, int]:
    """Run each (name, fill) not yet recorded; record it; commit. How many rows each filled (those that
    ran). One query, and nothing committed, when all are recorded."""
    wanted = list(backfills)
    if {name for name, _ in wanted} <= done(session):
        session.rollback()
        return {}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    recorded, filled = done(session), {}
    for name, fill in wanted:
        if name not in recorded:
            filled[name] = fill()
            session.add(Backfill(name=name, done_at=datetime.now(UTC), rows=filled[name]))
            session.flush()
    session.commit()
    return filled
