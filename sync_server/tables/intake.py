"""Entrustment materials of a case (R22–R26): the entrustment, the scans, the conformity checks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class Entrustment(SQLModel, table=True):
    """The unit's 委托书 (appendix C) and where its review stands; one per case."""

    __tablename__ = "entrustments"
    case_id: str = Field(foreign_key="cases.id", primary_key=True)
    contact: str
    phone: str
    entrusted_on: date
    status: str  # schemas.office.IntakeStatus value
    round: int = 1  # submission count: checks of an earlier round do not count
    returned_reasons: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by: str
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    released_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class CaseDocument(SQLModel, table=True):
    """An uploaded scan linked to a case (and to one subject for authorizations and ID proofs).

    The bytes are in the evidence store under their SHA-256: the server chose the name."""

    __tablename__ = "case_documents"
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    subject_id: str | None = Field(default=None, foreign_key="subjects.id")
    kind: str  # schemas.office.DocumentKind value
    sha256: str = Field(foreign_key="evidence_files.sha256")
    media_type: str
    size: int
    uploaded_by: str = Field(foreign_key="accounts.username")
    uploaded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    form: str | None = None  # authorizations: schemas.office.AuthorizationForm value
    guardian_name: str = ""
    guardian_relation: str = ""
    note: str = ""


class ConformityCheck(SQLModel, table=True):
    """One conformity check of the materials (§5.2.5): who, when, pass or fail and why."""

    __tablename__ = "conformity_checks"
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    round: int
    checker: str = Field(foreign_key="accounts.username")
    checked_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    passed: bool
    reasons: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
