"""The seams the routes use, built once by `create_app` and kept on `app.state.services`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlmodel import Session

from schemas.workdays import HolidayTable
from sync_server.accounts.posts import CLOCK
from sync_server.casework.deadlines import holiday_table
from sync_server.db import open_session
from sync_server.display import DisplayCopies
from sync_server.evidence.disk_store import BlobStore
from sync_server.settings import Settings


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """Settings, database, evidence store (and its display copies), clock and the built-in holiday table."""

    settings: Settings
    engine: Engine
    blobs: BlobStore
    clock: Callable[[], datetime]
    builtin_holidays: HolidayTable

    @cached_property
    def display(self) -> DisplayCopies:
        """Watermarked display copies of photo evidence, made once (create_app makes it at start)."""
        return DisplayCopies(self.blobs, warm_workers=self.settings.display_warm_workers)

    def session(self) -> Session:
        """A new database session (the caller closes it); it knows the clock, so a rule that needs today's
        date deep in a service reads the same clock as the routes (accounts/posts.require_post)."""
        session = open_session(self.engine)
        session.info[CLOCK] = self.clock
        return session

    def holidays(self, session: Session) -> HolidayTable:
        """The holiday table in force: built-in plus the notices entered so far."""
        return holiday_table(session, self.builtin_holidays)
