"""Surveyors' Ed25519 public keys. A key_id is bound to one user and one key forever.

Each key records who enrolled it (always its owner, proven by their PIN at that moment), from which
device and when; an administrator may revoke it, with a reason (R11, R16)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class SurveyorKey(SQLModel, table=True):
    __tablename__ = "surveyor_keys"
    key_id: str = Field(primary_key=True)
    username: str = Field(foreign_key="accounts.username", index=True)
    public_key: str  # base64 of the 32 raw bytes
    device_id: str = ""
    registered_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # the server defaults are revision 0005's (it added the columns to existing rows)
    enrolled_by: str = Field(default="", sa_column_kwargs={"server_default": ""})  # whose token and PIN enrolled it
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    revoked_by: str = Field(default="", sa_column_kwargs={"server_default": ""})
    revoke_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
