"""Backfills done, one row each: a start runs a backfill only if its row is missing (ops/backfills.py), so
a restart on a big database does no full-table work (issue 19)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class Backfill(SQLModel, table=True):
    """A backfill that ran to the end, when, and how many rows it filled."""

    __tablename__ = "backfills"
    name: str = Field(primary_key=True)
    done_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    rows: int = 0
