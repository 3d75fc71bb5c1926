"""Client certificates of the entrusting units' systems (issue 20): issued by the agency CA from a CSR the
unit made (it keeps its private key), bound to one unit by the certificate's SHA-256 fingerprint. The unit
may hold two during a rotation; a revoked one is refused from the moment `revoked_at` is set."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class UnitCertificate(SQLModel, table=True):
    __tablename__ = "unit_certificates"
    fingerprint: str = Field(primary_key=True)  # hex SHA-256 of the certificate's DER bytes, lower case
    unit_id: str = Field(foreign_key="exchange_units.id", index=True)
    serial: str  # hex, as openssl prints it
    subject: str  # RFC 4514, to read on the console
    not_before: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    not_after: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    pem: str = Field(sa_column=Column(Text(), nullable=False))  # offered for download
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    issued_by: str = Field(foreign_key="accounts.username")
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    revoked_by: str = ""
