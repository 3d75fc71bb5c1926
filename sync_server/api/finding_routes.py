"""The evidence findings of a case (issue 16): what the server read from the records' bytes, and the
reviewers' acknowledgements. Thin: see sync_server/findings.py."""
from __future__ import annotations

from fastapi import APIRouter

from schemas.findings import FindingAckIn, FindingView
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.casework import findings
from sync_server.tables import queries

router = APIRouter(tags=["review"])


@router.get("/cases/{case_id}/findings", response_model=list[FindingView])
def read_findings(case_id: str, session: DbSession, account: CurrentAccount) -> list[FindingView]:
    """Every finding of the case's records, acknowledged or not (staff)."""
    return findings.views_of(session, queries.visible_case(session, account, case_id))


@router.post("/cases/{case_id}/findings/acks", response_model=list[FindingView])
def acknowledge(case_id: str, body: FindingAckIn, session: DbSession, account: CurrentAccount,
                services: ServicesDep) -> list[FindingView]:
    """A reviewer acknowledges one finding with a reason (kept and logged); the case's findings after it."""
    case = queries.visible_case(session, account, case_id)
    findings.acknowledge(session, case, account, body.record_id, body.code, body.target, body.reason,
                         services.clock())
    session.commit()
    return findings.views_of(session, case)
