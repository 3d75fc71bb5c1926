"""Cross-province checks (R36, §4.2.2) between agencies on their own servers: the peers an agency
exchanges signed packages with, and each check as seen at one level (the lower agency that asks, the
higher agency that confirms and answers). Both servers keep a row under the same id."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class ExchangePeer(SQLModel, table=True):
    """Another agency's server: where to send packages and the Ed25519 key its packages are signed with."""

    __tablename__ = "exchange_peers"
    org_id: str = Field(foreign_key="organisations.id", primary_key=True)
    base_url: str
    public_key: str  # raw Ed25519 public key, base64 (its agency_key.pub)
    key_id: str


class CrossProvinceCheck(SQLModel, table=True):
    """One cross-province check; `side` is "lower" (asked for a case) or "higher" (asked of us)."""

    __tablename__ = "cross_province_checks"
    id: str = Field(primary_key=True)
    side: str
    case_id: str | None = Field(default=None, foreign_key="cases.id", index=True)  # the lower side's case
    from_agency: str  # organisation ids, as both servers know them
    to_agency: str
    subjects: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    question: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    needed_on: date  # the day the need was recorded: the 3 working days to submit run from it
    submit_due: date
    status: str  # schemas.exchange.CrossStatus value
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    confirmed_by: str = ""
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    answered_by: str = ""
    feedback_due: date | None = None  # 3 working days from the answer's arrival (lower side)
    fed_back_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    fed_back_by: str = ""
    request_package: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answer_package: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
