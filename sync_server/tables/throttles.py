"""Sign-in failure counters, one row per throttled key ("acct-client:<user>|<ip>", "client:<ip>", "pin:<user>").

Keyed by the name typed, not by an account, so unknown usernames are counted exactly like known ones."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttles"
    key: str = Field(primary_key=True)  # VARCHAR as revision 0005 made it (no length: test_fresh_schema)
    failures: int = 0
    blocked_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    last_failure_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
