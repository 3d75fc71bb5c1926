"""Review decisions (R11–R16) and re-verification rounds (R19, R28): rows are added, never changed,
except a round's result, written once when the round closes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class ReviewEntry(SQLModel, table=True):
    """One decision of a reviewer: accept, return (with its reason) or comment."""

    __tablename__ = "review_entries"
    # The dashboard's returns on records, read from the return decisions alone (revision 0025, issue 20).
    __table_args__ = (Index("ix_review_entries_action_target", "action", "target"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    round: int = 1
    action: str  # schemas.review.ReviewActionKind value
    target: str = ""  # "" (the case), a record id, or a checklist line code
    reason: str = Field(sa_column=Column(Text, nullable=False))
    by: str = Field(foreign_key="accounts.username")
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ReVerificationRound(SQLModel, table=True):
    """A second (third ...) round after an objection, with its own methods and deadline (R3, R19, R28)."""

    __tablename__ = "re_verification_rounds"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    number: int
    objected_by: str  # schemas.review.Objector value
    objector_name: str
    grounds: str = Field(sa_column=Column(Text, nullable=False))
    objected_on: date
    methods: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opened_on: date
    opened_by: str = Field(foreign_key="accounts.username")
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    result: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    fed_back_to: str = ""
    fed_back_on: date | None = None
    closed_by: str = ""
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
