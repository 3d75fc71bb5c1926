"""Disposal of a case's archive (R35): the appraisal a second person decides, the files destroyed, and the
certificate that remains.

`DisposedFile` rows tell backups and checks that a file is gone on purpose (its `evidence_files` row stays:
other rows point at it, and the log names it)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class DisposalAppraisal(SQLModel, table=True):
    """A proposal to destroy a case's archive, with its reason, and the decision of a second person."""

    __tablename__ = "disposal_appraisals"
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    proposed_by: str = Field(foreign_key="accounts.username")
    proposed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    decision: str = ""  # "" while open, then "approved" or "rejected"
    decided_by: str = ""
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class DisposedFile(SQLModel, table=True):
    """A stored file destroyed by a case's disposal."""

    __tablename__ = "disposed_files"
    sha256: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    disposed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class DisposalCertificate(SQLModel, table=True):
    """What was destroyed, when, by whom, on whose approval: the exact JSON whose hash the log holds."""

    __tablename__ = "disposal_certificates"
    case_id: str = Field(foreign_key="cases.id", primary_key=True)
    appraisal_id: str = Field(foreign_key="disposal_appraisals.id")
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str
