"""Letter requests (R17, R31) and their follow-ups; the answer is a stored evidence file."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class LetterRequest(SQLModel, table=True):
    """One request for documents sent to a unit by EMS, registered post, fax or network."""

    __tablename__ = "letter_requests"
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    addressee_unit: str
    documents: str = Field(sa_column=Column(Text, nullable=False))
    channel: str  # schemas.letters.Channel value
    sent_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    receiver_name: str
    receiver_phone: str
    tracking_number: str = ""
    stamp_requested: bool = True
    encrypted: bool = False
    created_by: str = Field(foreign_key="accounts.username")
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    answer_sha256: str | None = Field(default=None, foreign_key="evidence_files.sha256")
    answer_media_type: str = ""
    answer_size: int = 0
    answered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    answered_by: str = ""


class LetterFollowUp(SQLModel, table=True):
    """A follow-up on a letter request (a call, a reminder), kept in order."""

    __tablename__ = "letter_follow_ups"
    id: int | None = Field(default=None, primary_key=True)
    letter_id: str = Field(foreign_key="letter_requests.id", index=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    by: str = Field(foreign_key="accounts.username")
