"""Bearer tokens. Only the SHA-256 of a token is stored, so a copied database opens no session."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class SessionToken(SQLModel, table=True):
    __tablename__ = "tokens"
    token_sha256: str = Field(primary_key=True)
    username: str = Field(foreign_key="accounts.username", index=True)
    kind: str  # "device" (tablet, PIN) or "console" (password)
    device_id: str = ""
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
