"""The agency log for its witnesses (issue 17): the latest signed checkpoint with a consistency proof from
the one a tablet holds, and a tablet's report when the proof does not hold (sync_server/transparency/
witness.py)."""
from __future__ import annotations

from fastapi import APIRouter, Query, Response

from schemas.protocol import LogAlarmReport, LogCheckpoint
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.transparency import witness
from sync_server.transparency.agency_key import load_agency_key

router = APIRouter(prefix="/log", tags=["log"])


@router.get("/checkpoint", response_model=LogCheckpoint)
def latest_checkpoint(session: DbSession, _account: CurrentAccount, services: ServicesDep,
                      since: int = Query(default=0, ge=0, le=2**62)) -> LogCheckpoint:
    """The latest signed checkpoint (C2SP signed note) and the consistency proof from the tree of `since`
    entries; `log.inconsistent` when the server itself finds its log does not extend what it signed."""
    key = load_agency_key(services.settings)
    head = witness.latest(session, key, services.clock(), services.settings.checkpoint_interval_s)
    session.commit()
    return witness.answer(session, key, head, since)


@router.post("/alarm", status_code=204, response_class=Response)
def report_alarm(body: LogAlarmReport, session: DbSession, account: CurrentAccount,
                 services: ServicesDep) -> Response:
    """A tablet found the log inconsistent with a checkpoint it holds: raise the alarm and keep the report."""
    witness.report(session, services.settings.data_dir, account.username, body, services.clock())
    return Response(status_code=204)
