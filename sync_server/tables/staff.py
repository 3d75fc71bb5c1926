"""Organisations (R27), staff credentials (R5, R34) and hand-overs of open cases (R4)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime, named_key


class Organisation(SQLModel, table=True):
    """A township, assistance department, agency or qualified third party."""

    __tablename__ = "organisations"
    id: str = Field(primary_key=True)
    name: str
    kind: str  # schemas.office.OrgKind value
    qualification: str = ""
    parent_id: str | None = Field(default=None,  # R36: county → city → province
                                  sa_column_args=named_key("organisations.id",
                                                           "fk_organisations_parent_id_organisations"))


class StaffCredential(SQLModel, table=True):
    """A signed confidentiality pledge or a training, valid for a period, with its scan."""

    __tablename__ = "staff_credentials"
    id: str = Field(primary_key=True)
    username: str = Field(foreign_key="accounts.username", index=True)
    kind: str  # schemas.office.CredentialKind value
    valid_from: date
    valid_until: date
    sha256: str = Field(foreign_key="evidence_files.sha256")
    recorded_by: str
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    note: str = ""


class Handover(SQLModel, table=True):
    """The open cases a leaving colleague hands to a successor; both confirm the list."""

    __tablename__ = "handovers"
    id: str = Field(primary_key=True)
    from_user: str = Field(foreign_key="accounts.username", index=True)
    to_user: str = Field(foreign_key="accounts.username", index=True)
    case_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    confirmed_by_from: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    confirmed_by_to: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    # R40 (issue 18): added by revision 0013, so last, with its server default for the rows then
    device_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
