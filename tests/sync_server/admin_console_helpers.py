"""Shared by the administrator's console tests (issue 18): signing in as someone, reading the log."""
from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import col, select

from sync_server.tables import AuditEntry
from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import FieldTeam


def as_(team: FieldTeam, username: str, password: str | None = None) -> None:
    """Sign the test client in to the console as this person (cookies of anyone before dropped)."""
    team.client.cookies.clear()
    assert console_login(team.client, username, password).status_code == 303


def logged(app: FastAPI, kind: str) -> list[AuditEntry]:
    """The log entries of one kind, oldest first."""
    with app.state.services.session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.kind == kind).order_by(col(AuditEntry.position))))
