"""Exchange with the entrusting units' systems (issue 20, R38): the units and their keys, what each
submitted under its own reference, and the durable outbox of results pushed back to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class ExchangeUnit(SQLModel, table=True):
    """An entrusting unit's system: its API key (SHA-256 of a 256-bit random key, shown once), the
    township account its submissions are entered as, the team new cases go to, and its webhook."""

    __tablename__ = "exchange_units"
    id: str = Field(primary_key=True)
    name: str  # the entrusting unit as cases name it (Case.entrusting_unit)
    account: str = Field(foreign_key="accounts.username")  # the unit's system account (role township)
    team_id: str = Field(foreign_key="teams.id")
    key_prefix: str = ""  # the key's first characters, to tell keys apart on the console
    key_hash: str = Field(default="", index=True)  # hex SHA-256 of the whole key
    key_created_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    webhook_url: str = ""
    webhook_secret: str = ""  # HMAC-SHA256 key of the pushed results (the unit holds it too)
    next_seq: int = 1  # the sequence number the unit's next outbox message gets
    active: bool = True


class ExchangeSubmission(SQLModel, table=True):
    """One entrustment a unit submitted, under the unit's own reference: same reference, same case."""

    __tablename__ = "exchange_submissions"
    __table_args__ = (UniqueConstraint("unit_id", "reference"),)
    id: str = Field(primary_key=True)
    unit_id: str = Field(foreign_key="exchange_units.id", index=True)
    reference: str
    case_id: str = Field(foreign_key="cases.id", index=True)
    digest: str  # SHA-256 of the submission's RFC 8785 bytes: a different body under the reference conflicts
    declared: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # 申报情况
    submitted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ExchangeMessage(SQLModel, table=True):
    """A result to push to a unit (the durable outbox): delivered once, in `seq` order per unit."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (UniqueConstraint("unit_id", "seq"),)
    id: str = Field(primary_key=True)
    unit_id: str = Field(foreign_key="exchange_units.id", index=True)
    seq: int
    case_id: str = Field(foreign_key="cases.id", index=True)
    event: str
    body: str = Field(sa_column=Column(Text, nullable=False))  # the exact JSON bytes sent and signed
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    last_error: str = ""


class ExchangeDelivery(SQLModel, table=True):
    """One attempt to deliver an outbox message: when, the answer, by the worker or re-sent from the console."""

    __tablename__ = "exchange_deliveries"
    id: str = Field(primary_key=True)
    message_id: str = Field(foreign_key="exchange_outbox.id", index=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    status: int = 0  # the receiver's HTTP status, 0 when it could not be reached
    error: str = ""
    by: str = "worker"
