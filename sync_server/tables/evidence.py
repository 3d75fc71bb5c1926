"""Evidence files (content-addressed) and which records cite them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class EvidenceFile(SQLModel, table=True):
    """A stored file under evidence/ab/abcdef...; the row exists only once the bytes are in place."""

    __tablename__ = "evidence_files"
    sha256: str = Field(primary_key=True)
    size: int
    stored_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    stored_by: str = ""


class RecordEvidence(SQLModel, table=True):
    """A record's manifest entry pointing at a stored file."""

    __tablename__ = "record_evidence"
    record_id: str = Field(foreign_key="records.id", primary_key=True)
    sha256: str = Field(foreign_key="evidence_files.sha256", primary_key=True, index=True)
    kind: str
    role: str
    media_type: str
