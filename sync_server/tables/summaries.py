"""What the case list shows of each case, kept as data (sync_server/casework/summaries.py keeps it right)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class CaseSummary(SQLModel, table=True):
    """One row per case, rewritten in the transaction that changes its records, review, rounds, letters,
    subjects or intake facts: the case list reads these rows and never parses a record."""

    __tablename__ = "case_summaries"
    # The list's order (soonest deadline, then id) read straight off an index, a page at a time (issue 19).
    __table_args__ = (Index("ix_case_summaries_deadline_case", "deadline", "case_id"),)
    case_id: str = Field(sa_column=Column(String, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True))
    records: int = 0
    home_visits: int = 0
    neighbour_interviews: int = 0
    refused: int = 0  # records whose outcome is a refusal (R13, R15)
    last_record_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    checklist_status: str = Field(default="incomplete", index=True)  # schemas.checklist COMPLETE ...
    missing: int = 0  # checklist lines not met
    review_status: str = Field(default="pending", index=True)  # schemas.review.ReviewStatus value
    open_returns: int = 0
    round: int = 1
    letters_open: int = 0  # letter requests without an answer
    deadline: date = Field(index=True)  # with the holiday table in force when the row was written
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # What the list's search matches (casework/case_search.py): the subjects' names, and their ID numbers in
    # upper case, one per line. On PostgreSQL each has a pg_trgm GIN index (revision 0017).
    search_names: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    search_ids: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
