"""Office events into the one audit log (issue 17): intake, conformity, review, rounds, letters, accounts,
posts and teams, keys. Their own tables stay (the console and the dossier read them); each change is also
appended through `audit.append` in the same transaction, so the Merkle log and its signed checkpoints
cover all of it, and deleting or rewriting a row cannot also remove what the log says happened.

An entry's `data.row` is the row as written (JSON), secrets left out: what was decided, by whom, when.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, SQLModel

from sync_server.transparency import audit

SECRETS = {"password_hash", "pin_hash"}


def row_data(row: SQLModel) -> dict[str, Any]:
    """The row's columns as JSON values, without secrets."""
    return {k: v for k, v in row.model_dump(mode="json").items() if k not in SECRETS}


def log_row(session: Session, kind: str, row: SQLModel, *, actor: str, at: datetime | None = None,
            case_id: str | None = None, subject: str = "", **extra: Any) -> None:
    """Append `kind` about this row (flushed first, so generated ids are in it)."""
    session.flush()
    audit.log(session, kind, at or datetime.now(UTC), actor, case_id, subject, row=row_data(row), **extra)
