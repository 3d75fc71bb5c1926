"""Named counters kept in the database (one row each)."""
from __future__ import annotations

from sqlmodel import Field, SQLModel


class Counter(SQLModel, table=True):
    """A number handed out in commit order: its row is updated in the taker's transaction, so the row lock
    (PostgreSQL) or the write lock (SQLite) holds until that transaction ends."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True)
    value: int = 0
