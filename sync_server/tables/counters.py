"""Named counters kept in the database (one row each)."""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlmodel import Field, Session, SQLModel


class Counter(SQLModel, table=True):
    """A number handed out in commit order: its row is updated in the taker's transaction, so the row lock
    (PostgreSQL) or the write lock (SQLite) holds until that transaction ends."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True)
    value: int = 0


def next_value(session: Session, name: str) -> int:
    """The named counter's next number, taken in this session's transaction (its lock holds until commit, so
    numbers commit in order). Core statements on the session's connection: callers may run inside a flush.
    The migration that introduces a counter makes its row; a database without it gets it here."""
    connection = session.connection()
    counter = Counter.__table__  # type: ignore[attr-defined]
    taken = connection.execute(update(counter).where(counter.c.name == name).values(value=counter.c.value + 1))
    if taken.rowcount == 0:
        connection.execute(insert(counter).values(name=name, value=1))
        return 1
    return int(connection.execute(select(counter.c.value).where(counter.c.name == name)).scalar_one())
