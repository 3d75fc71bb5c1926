"""What each stored evidence file is, sniffed once from its bytes when it was stored (issue 5 §2)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class EvidenceType(SQLModel, table=True):
    """The canonical media type a file's bytes are (`evidence.sniffing.sniff_file`); NULL: no allowed
    format. Decoding a phone's HEIC takes a second or more, so it is done once, at upload, not per record."""

    __tablename__ = "evidence_types"
    sha256: str = Field(foreign_key="evidence_files.sha256", primary_key=True)
    media_type: str | None = None
    sniffed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
