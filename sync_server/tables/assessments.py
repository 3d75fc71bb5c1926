"""Quality assessments of staff (§4.3.5, R37): for one person and one period, the process and timeliness
figures the dashboard computed when the manager decided, and the manager's grade and remarks.

Rows are only added: assessing a period again adds a newer row, and the audit log holds each one."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class QualityAssessment(SQLModel, table=True):
    """A manager's assessment of one staff member over one period, with the figures it rests on."""

    __tablename__ = "quality_assessments"
    id: str = Field(primary_key=True)
    username: str = Field(foreign_key="accounts.username", index=True)
    period_from: date
    period_to: date
    grade: str  # office.quality.GRADES key: excellent, competent, basically_competent, not_competent
    remarks: str = Field(sa_column=Column(Text, nullable=False))
    figures_json: str = Field(sa_column=Column(Text, nullable=False))  # the person's figures as shown
    assessed_by: str = Field(foreign_key="accounts.username")
    assessed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
