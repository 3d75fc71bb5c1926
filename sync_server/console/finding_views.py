"""What the case page shows of the evidence findings (issue 16): each record's findings with their
acknowledgements, and the household's place (or that the distance check is not possible)."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.findings import FindingView
from sync_server.casework import findings, household_place
from sync_server.tables import Case


def finding_context(session: Session, case: Case) -> dict[str, Any]:
    """`findings`: record id -> its findings; `household`: (lat, lon) or None; `first_fix` to confirm."""
    by_record: dict[str, list[FindingView]] = {}
    for view in findings.views_of(session, case):
        by_record.setdefault(view.record_id, []).append(view)
    household = (case.lat, case.lon) if case.lat is not None and case.lon is not None else None
    return {"findings": by_record, "household": household,
            "first_fix": household_place.first_fix(session, case.id) if household is None else None}
