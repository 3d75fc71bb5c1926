"""The tablet's tables. They live on their own SQLAlchemy registry, so the server's SQLModel
tables (same process in tests) and these never share a MetaData."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Column, LargeBinary, String, TypeDecorator
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored as ISO-8601 text in UTC, read back aware."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the tablet stores aware datetimes only")
        return value.astimezone(UTC).isoformat()

    def process_result_value(self, value, dialect):
        return None if value is None else datetime.fromisoformat(value)


def _when(nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


class DeviceTable(SQLModel, registry=registry()):
    """Base of the tablet's tables (own registry and metadata)."""


class LocalAccount(DeviceTable, table=True):
    """A surveyor who signed in on this tablet at least once, with their PIN-encrypted key."""

    __tablename__ = "local_account"

    username: str = Field(primary_key=True)
    name: str
    role: str
    work_id: str = ""
    team_id: str | None = None
    key_id: str
    public_key: str  # base64 of the 32 raw bytes
    private_key_blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    key_registered: bool = False  # the server has acknowledged the public key
    token: str | None = None
    token_expires_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    first_signed_in_at: datetime = Field(sa_column=_when())
    last_signed_in_at: datetime = Field(sa_column=_when())
    failed_pins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class CachedCase(DeviceTable, table=True):
    """A case downloaded for the team, kept for offline work."""

    __tablename__ = "cached_case"

    id: str = Field(primary_key=True)
    team_id: str = Field(index=True)
    summary_json: str  # schemas.protocol.CaseSummary
    downloaded_at: datetime = Field(sa_column=_when())


class Draft(DeviceTable, table=True):
    """A record being written; saved on every change."""

    __tablename__ = "draft"

    record_id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cached_case.id", index=True)
    kind: str
    record_json: str  # schemas.records.SurveyRecord
    updated_at: datetime = Field(sa_column=_when())


class OutboxStatus(str, Enum):
    """Where a sealed record stands with the server."""

    QUEUED = "queued"
    SYNCED = "synced"
    PROBLEM = "problem"


class OutboxItem(DeviceTable, table=True):
    """A sealed record waiting for (or done with) upload. `sealed_json` never changes."""

    __tablename__ = "outbox"

    record_id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cached_case.id", index=True)
    kind: str
    sealed_json: str  # schemas.records.SealedRecord
    sealed_at: datetime = Field(sa_column=_when())
    status: str = Field(default=OutboxStatus.QUEUED.value, index=True)
    problem_code: str = ""
    problem_detail: str = ""
    attempts: int = 0
    last_attempt_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    synced_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class Receipt(DeviceTable, table=True):
    """What remains on the tablet of a record the server confirmed: its id, digest and receipt time.
    The sealed record and its evidence files are removed once the server holds them (R21)."""

    __tablename__ = "receipt"

    record_id: str = Field(primary_key=True)
    case_id: str = Field(index=True)
    kind: str
    digest: str  # hex SHA-256 of the record's canonical JSON (what the seals signed)
    received_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))  # server's time
    confirmed_at: datetime = Field(sa_column=_when())  # when the tablet learned it (its clock)


class HeldCheckpoint(DeviceTable, table=True):
    """The newest checkpoint of the agency's audit log this tablet verified (issue 17: the tablet is a
    witness). A new one replaces it only when the server's consistency proof from it holds; the agency
    key is pinned at first sight. One row (id 1)."""

    __tablename__ = "log_checkpoint"

    id: int = Field(default=1, primary_key=True)
    size: int
    root: str  # hex
    note: str  # the signed note as served (C2SP tlog-checkpoint)
    public_key: str  # the agency's raw Ed25519 public key, base64
    seen_at: datetime = Field(sa_column=_when())


class OfficeFormRow(DeviceTable, table=True):
    """A form version the office published (issue 20), downloaded at sync: new visits of its kind use the
    newest version the tablet holds, and a draft keeps the version it was started on. Never replaced:
    a record sealed on it must be judged by these very bytes."""

    __tablename__ = "office_form"

    form_id: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    body: str  # schemas.forms.Form as JSON (schemas/forms/office.py)
    sha256: str
    received_at: datetime = Field(sa_column=_when())
