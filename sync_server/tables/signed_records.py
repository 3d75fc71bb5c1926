"""The exact bytes each merged record's seals cover (docs/SEALS.md), kept beside the readable copy."""
from __future__ import annotations

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel


class SignedRecordBytes(SQLModel, table=True):
    """v1: the sorted-key record JSON as received; v2: the RFC 8785 bytes the tablet signed."""

    __tablename__ = "signed_records"
    record_id: str = Field(foreign_key="records.id", primary_key=True)
    seal_version: int
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    seals_json: str = Field(sa_column=Column(Text, nullable=False))  # list[SurveyorSeal] as sent
