"""Retention of a case's archive (R35): how long it is kept, when it may be destroyed, and if it was."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class CaseRetention(SQLModel, table=True):
    __tablename__ = "case_retention"
    case_id: str = Field(foreign_key="cases.id", primary_key=True)
    retention_years: int
    disposal_date: date
    set_by: str = ""
    disposed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    disposed_by: str = ""
    disposal_note: str = ""
