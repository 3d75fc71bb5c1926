"""Who holds an evidence file: one claim per (file, owner), made by uploading its bytes (issue 5 §3)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class EvidenceClaim(SQLModel, table=True):
    """The owner (`team:<id>`, `unit:<name>` or `user:<username>`) uploaded these bytes itself.

    A second team uploading identical bytes gets its own claim; only a claim lets a record cite the
    file, and (with the cases a person may see) lets anyone learn that it exists."""

    __tablename__ = "evidence_claims"
    sha256: str = Field(foreign_key="evidence_files.sha256", primary_key=True)
    owner: str = Field(primary_key=True)
    claimed_by: str  # username of the uploader
    claimed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
