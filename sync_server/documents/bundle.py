"""Every document of a case, as (path in the dossier, bytes)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from sync_server.services import Services
from sync_server.tables import Case


def case_documents(session: Session, case: Case, services: Services, now: datetime) -> list[tuple[str, bytes]]:
    """The record PDFs and the latest issued report of the case."""
    return []
