"""Issued reports (appendix D), frozen per version, and the data-matching results they draw on."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class ReportVersion(SQLModel, table=True):
    """One issued report. Issuing again adds version n+1; no row is ever updated."""

    __tablename__ = "report_versions"
    case_id: str = Field(foreign_key="cases.id", primary_key=True)
    version: int = Field(primary_key=True)
    number: str  # 报告编号
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    issued_by: str
    summary: str = Field(sa_column=Column(Text, nullable=False))  # the reviewer's free text
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # RFC 8785 JSON of what the PDF shows
    signature: str  # the agency key over REPORT_CONTEXT + content (electronic seal), base64
    key_id: str
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MatchingResult(SQLModel, table=True):
    """One line of imported data-matching results (信息核查): a department's answer on one item."""

    __tablename__ = "matching_results"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    section: int  # 1-5: appendix D's 一 to 五
    department: str
    item: str
    summary: str = Field(sa_column=Column(Text, nullable=False))
    imported_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    period_from: str = ""  # data period as the source states it, e.g. 2025-11
    period_to: str = ""
