"""Wire models of a case's report (appendix D), data-matching import and retention (R18, R20, R32, R35)."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from schemas.text import WireModel


class ReportIssue(WireModel):
    """The reviewer's free-text summary (核查结果概述); empty: the composed default."""

    summary: str = Field(default="", max_length=4000)


class ReportInfo(WireModel):
    """One issued, frozen report version."""

    case_id: str
    version: int
    number: str
    issued_at: datetime
    issued_by: str
    content_sha256: str
    key_id: str


class MatchingLine(WireModel):
    """One imported data-matching result: appendix D section 1-5, department, item, result."""

    section: int = Field(ge=1, le=5)
    department: str = Field(min_length=1, max_length=40)
    item: str = Field(min_length=1, max_length=60)
    summary: str = Field(max_length=2000)
    period_from: str = ""
    period_to: str = ""


class RetentionSet(WireModel):
    """How many years the case's archive is kept (R35)."""

    retention_years: int = Field(ge=1, le=100)


class RetentionInfo(WireModel):
    case_id: str
    retention_years: int
    disposal_date: date
    disposed_at: datetime | None = None
    disposed_by: str = ""
    files_removed: int = 0


class Disposal(WireModel):
    """Why the archive is destroyed now (appraisal note)."""

    note: str = Field(min_length=1, max_length=1000)
