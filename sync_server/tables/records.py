"""Merged survey records, stored exactly as sealed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class Record(SQLModel, table=True):
    """One sealed record; `id` was minted on the tablet, `digest` is schemas.seal.record_digest in hex."""

    __tablename__ = "records"
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    kind: str
    outcome: str
    form_id: str
    form_version: int
    sealed_json: str = Field(sa_column=Column(Text, nullable=False))
    digest: str
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    received_from: str  # username of the uploader
