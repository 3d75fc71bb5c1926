"""Evidence findings kept with each merged record, and the reviewers' acknowledgements of them (issue 16).

`record_findings` holds what the server itself read from the record and its files' bytes at ingest
(schemas.findings): the facts of the bytes (so a later change of the household's place re-judges the
record without reading any file again) and the findings. `finding_acks` is append-only: a reviewer saw
a finding and says why it does not stop the case."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class RecordFindings(SQLModel, table=True):
    """The findings of one merged record (JSON list of schemas.findings.Finding) and the facts behind them."""

    __tablename__ = "record_findings"
    record_id: str = Field(foreign_key="records.id", primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    facts_json: str = Field(sa_column=Column(Text, nullable=False))  # {"photos": [...], "strokes": [...]}
    findings_json: str = Field(sa_column=Column(Text, nullable=False))
    judged_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class FindingAck(SQLModel, table=True):
    """A reviewer's acknowledgement of one finding (code on target) of one record, with the reason."""

    __tablename__ = "finding_acks"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    record_id: str = Field(foreign_key="records.id", index=True)
    code: str
    target: str = ""
    reason: str = Field(sa_column=Column(Text, nullable=False))
    by: str = Field(foreign_key="accounts.username")
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
