"""Form versions an office published itself (from an XLSForm), beside the versions shipped with the code.

A row is never edited or deleted: records sealed on it may still be queued on a tablet, and the
archive needs the very form a record was judged by. `body` is the form JSON the tablets download."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class PublishedForm(SQLModel, table=True):
    __tablename__ = "published_forms"
    __table_args__ = (UniqueConstraint("form_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    form_id: str = Field(index=True)
    version: int
    body: str = Field(sa_column=Column(Text, nullable=False))  # schemas.forms.Form as JSON
    sha256: str  # of body: what the tablets check after download
    source_name: str = ""  # the workbook's file name
    source_sha256: str = ""  # the workbook's bytes
    published_by: str = Field(foreign_key="accounts.username")
    published_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
