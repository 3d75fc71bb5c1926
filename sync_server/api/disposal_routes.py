"""The disposal appraisal and certificate over the API (R35, issue 17; reviewers and administrators).

POST .../disposal/appraisals proposes, POST .../disposal/appraisals/{id}/decision lets a second person
decide; POST .../disposal (report_routes.py) then destroys the archive; GET .../disposal/certificate is
what remains."""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter

from schemas.disposal import AppraisalDecision, AppraisalInfo, AppraisalProposal
from schemas.problems import Code, ProblemError
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.documents import disposal
from sync_server.dossier.service import require_reviewer
from sync_server.tables import queries
from sync_server.tables.accounts import Account
from sync_server.tables.cases import Case

router = APIRouter(prefix="/cases/{case_id}/disposal", tags=["retention"])


def _case(session: DbSession, account: Account, case_id: str) -> Case:
    require_reviewer(account)
    return queries.visible_case(session, account, case_id)


@router.get("/appraisals", response_model=list[AppraisalInfo])
def list_appraisals(case_id: str, session: DbSession, account: CurrentAccount) -> list[AppraisalInfo]:
    """The case's disposal appraisals, oldest first."""
    case = _case(session, account, case_id)
    return [disposal.appraisal_info(row) for row in disposal.appraisals(session, case.id)]


@router.post("/appraisals", response_model=AppraisalInfo)
def propose(case_id: str, body: AppraisalProposal, session: DbSession, account: CurrentAccount,
            services: ServicesDep) -> AppraisalInfo:
    """Propose destroying the archive, with the reason (logged)."""
    case = _case(session, account, case_id)
    row = disposal.propose(session, case, account, body.reason, services.clock())
    session.commit()
    return disposal.appraisal_info(row)


@router.post("/appraisals/{appraisal_id}/decision", response_model=AppraisalInfo)
def decide(case_id: str, appraisal_id: str, body: AppraisalDecision, session: DbSession, account: CurrentAccount,
           services: ServicesDep) -> AppraisalInfo:
    """A second person approves or rejects the proposal, with the reason (logged)."""
    case = _case(session, account, case_id)
    row = disposal.decide(session, case, appraisal_id, account, body.approve, body.note, services.clock())
    session.commit()
    return disposal.appraisal_info(row)


@router.get("/certificate")
def certificate(case_id: str, session: DbSession, account: CurrentAccount) -> dict[str, Any]:
    """The disposal certificate: what was destroyed, when, by whom, on whose approval."""
    case = _case(session, account, case_id)
    row = disposal.certificate_of(session, case.id)
    if row is None:
        raise ProblemError(Code.CASE_NOT_DISPOSED, case.id)
    body: dict[str, Any] = json.loads(row.body)
    return {"sha256": row.sha256, "certificate": body}
