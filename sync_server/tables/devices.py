"""The device fleet (issue 18, R40): one-time enrolment codes and the tablets they registered.

An enrolment stores only the SHA-256 of its code (a copied database enrols nothing), for one
organisation and optionally one team, with its expiry and the device that used it. A device row is
kept current at each sign-in and sync report: who signed in last, app and form versions, last sync,
outbox backlog and free storage; its status says whether it was reported lost (and must wipe)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class DeviceEnrolment(SQLModel, table=True):
    __tablename__ = "device_enrolments"
    id: str = Field(primary_key=True)
    code_sha256: str = Field(unique=True)
    org_id: str = Field(foreign_key="organisations.id")
    team_id: str = ""
    note: str = ""
    created_by: str = Field(foreign_key="accounts.username")
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    used_by_device: str = ""
    expiry_logged_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class Device(SQLModel, table=True):
    __tablename__ = "devices"
    id: str = Field(primary_key=True)  # the tablet's own id (X-Device-Id)
    org_id: str | None = Field(default=None, foreign_key="organisations.id")
    team_id: str = ""
    enrolment_id: str = ""  # "" for a tablet configured by hand (environment), seen at a sign-in
    enrolled_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    status: str = "active"  # schemas.devices.DeviceStatus
    last_user: str = ""
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    last_sync_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    app_version: str = ""
    form_versions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outbox_backlog: int = 0
    free_bytes: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))
    lost_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    lost_by: str = ""
    wiped_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
