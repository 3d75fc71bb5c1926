"""Where a case sits in the devices' case list (`GET /api/v1/cases`).

Pages are keyset-paged on (`listed_seq`, id). A case takes the next number of one counter when it is
created, and again whenever it becomes visible to someone new (another team, agency or entrusting unit).
So a case created or reassigned while a tablet pages through its list sorts after every case already
listed, and comes on a later page instead of being skipped until the next refresh. The counter's row is
updated in the case's own transaction: its lock holds until commit, so the numbers commit in order and a
page never ends past a number that is still to commit.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session

from sync_server.tables import Case
from sync_server.tables.counters import next_value

CASE_LISTING = "case_listing"
VISIBILITY = ("team_id", "agency_id", "entrusting_unit")  # who may see a case (queries.visible)


def next_number(session: Session) -> int:
    """The case listing's next number, in this session's transaction (tables/counters.next_value)."""
    return next_value(session, CASE_LISTING)


def _moved(case: Case) -> bool:
    state = inspect(case)
    return state.pending or any(state.attrs[name].history.has_changes() for name in VISIBILITY)


def _number_cases(session: Session, _context: Any, _instances: Any) -> None:
    for row in [*session.new, *session.dirty]:
        if isinstance(row, Case) and _moved(row):
            row.listed_seq = next_number(session)


def track(session_class: type[Session]) -> None:
    """Number new and reassigned cases in every session of this class (done once, by sync_server.db)."""
    if not event.contains(session_class, "before_flush", _number_cases):
        event.listen(session_class, "before_flush", _number_cases)
