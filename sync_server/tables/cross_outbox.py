"""The durable outbox of cross-province packages (R36, §4.2.2): each package this server signed for another
agency's server, kept until that server took it (2xx) or refused it (4xx), and every attempt to deliver it.
A step is taken and recorded at once; only its delivery waits for the other server (office/cross_outbox.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class CrossPackage(SQLModel, table=True):
    """One signed package to one agency's server; `seq` is handed out in commit order, and per receiving
    agency a package is never sent before an earlier one still waiting."""

    __tablename__ = "cross_outbox"
    __table_args__ = (UniqueConstraint("seq"),)
    id: str = Field(primary_key=True)
    seq: int
    check_id: str = Field(foreign_key="cross_province_checks.id", index=True)
    peer_id: str = Field(foreign_key="organisations.id", index=True)  # the receiving agency
    kind: str  # the payload's type: request, confirmed, answered
    body: str = Field(sa_column=Column(Text, nullable=False))  # the SignedPackage JSON, exactly as posted
    signed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))  # the clerk's act
    signed_by: str = ""
    attempts: int = 0  # attempts that did not deliver it
    next_attempt_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    refused_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    last_status: int = 0  # the other server's last HTTP status, 0 when it could not be reached
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class CrossDelivery(SQLModel, table=True):
    """One attempt to deliver a package: when, the answer, by the worker, the step's own request or the console."""

    __tablename__ = "cross_deliveries"
    id: str = Field(primary_key=True)
    package_id: str = Field(foreign_key="cross_outbox.id", index=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    status: int = 0
    error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    by: str = "worker"
