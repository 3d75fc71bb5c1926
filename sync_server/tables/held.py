"""Rows a session keeps for its whole life (SQLAlchemy's "strong reference" recipe, Session Basics).

The identity map holds an unmodified row only weakly: once the function that read it returns, the row may be
collected, and the next `session.get` of the same key reads it again. `POST /records` read its case three
times, its entrustment three times and a surveyor twice that way (issue 19). A session that is short and
reads few rows, such as one ingest, asks to hold every row it loads; sessions that walk big tables (backfills,
exports) must not, as they would keep every row in memory."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

KEY = "held_rows"


def hold_rows(session: Session) -> None:
    """From now on, until the session is closed, keep every row it loads or stores (by identity: models are
    not hashable). Idempotent."""
    if KEY in session.info:
        return
    held: dict[int, Any] = {}
    session.info[KEY] = held

    def hold(_session: Session, instance: Any) -> None:
        held[id(instance)] = instance

    def release(_session: Session, instance: Any) -> None:
        held.pop(id(instance), None)

    for name in ("loaded_as_persistent", "pending_to_persistent", "detached_to_persistent",
                 "deleted_to_persistent"):
        event.listen(session, name, hold)
    for name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
        event.listen(session, name, release)
