"""Real-name accounts (R4) and survey teams (R7)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, false
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime, named_key


class Team(SQLModel, table=True):
    """A survey team (调查小组)."""

    __tablename__ = "teams"
    id: str = Field(primary_key=True)
    name: str


class Account(SQLModel, table=True):
    """One person, by real name. Secrets are scrypt hashes (see `passwords.py`)."""

    __tablename__ = "accounts"
    username: str = Field(primary_key=True)
    name: str
    role: str  # schemas.protocol.AccountRole value
    work_id: str = ""
    team_id: str | None = Field(default=None, foreign_key="teams.id")
    unit: str = ""  # township staff: the entrusting unit they work for
    password_hash: str = ""
    pin_hash: str = ""
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    active: bool = True
    org_id: str | None = Field(default=None,  # R27
                               sa_column_args=named_key("organisations.id", "fk_accounts_org_id_organisations"))
    posts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=True))  # R33
    password_changed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    # R33: set when weak or too old; login refuses until changed (server default: revision 0002's)
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
