"""Official holiday notices entered by an administrator, one per year (R3)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class HolidayNotice(SQLModel, table=True):
    __tablename__ = "holiday_notices"
    year: int = Field(primary_key=True)
    notice_json: str = Field(sa_column=Column(Text, nullable=False))  # schemas.workdays.YearNotice
    added_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
