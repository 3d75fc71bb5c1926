"""Merged survey records, stored exactly as sealed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class Record(SQLModel, table=True):
    """One sealed record; `id` was minted on the tablet, `digest` is schemas.seal.record_digest in hex."""

    __tablename__ = "records"
    # The dashboard's refusals of a period, read from the refused records alone (revision 0025, issue 20).
    __table_args__ = (Index("ix_records_outcome_case", "outcome", "case_id"),)
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
    # The seals' verdict, checked at ingest (merge.decide) and again when a reviewer asks: a JSON list of
    # {"surveyor", "key_id", "valid"} per seal, when it was checked, and by whom ("" at ingest).
    seal_verdicts: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    seals_checked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    seals_checked_by: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # The respondent's name as the checklist reads it, kept at ingest so a case's checklist parses no sealed
    # record (None: a row merged before the column, filled at start by review.fill_respondents).
    respondent_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class RecordSurveyor(SQLModel, table=True):
    """A surveyor who sealed a merged record (one row per seal's surveyor, written at ingest): whom the
    director's figures credit with the record (§4.3.5), both of the pair, not only the uploader."""

    __tablename__ = "record_surveyors"
    record_id: str = Field(foreign_key="records.id", primary_key=True)
    username: str = Field(primary_key=True, index=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
