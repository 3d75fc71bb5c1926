"""Inserting rows that may already be there, in one statement on SQLite and PostgreSQL alike."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql


def insert_new(session: Session, table: Table, rows: list[dict], key: str | None = None) -> set[str]:
    """INSERT these rows, skipping those whose primary key exists (ON CONFLICT DO NOTHING: no read first,
    and a concurrent twin never fails the statement); the `key` of the rows really inserted. The rows go
    as parameters of one statement, so it is compiled once per process, not per call."""
    if not rows:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # loaded with the PostgreSQL driver, not on SQLite

        statement: postgresql.Insert | sqlite.Insert = postgresql.insert(table).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing()
    if key is None:
        session.execute(statement, rows)
        return set()
    return set(session.execute(statement.returning(table.c[key]), rows).scalars())
