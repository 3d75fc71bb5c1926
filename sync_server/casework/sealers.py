"""Who sealed each merged record (`record_surveyors`), for the director's per-person figures (§4.3.5).

A home visit or neighbour interview is done by a pair and sealed by both (R5, R7); the tablet that
delivered it (`records.received_from`) is one of them. Crediting the uploader alone left the other member
of the pair with no records at all on the dashboard, so each seal's surveyor is credited: ingest writes the
rows with the record, and records merged before revision 0021 are filled once at start from their stored
seal verdicts (ops/backfills.py)."""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlmodel import Session, col, select

from sync_server.ops.progress import progress
from sync_server.tables import Record, RecordSurveyor


def credit(session: Session, record_id: str, case_id: str, surveyors: Iterable[str]) -> None:
    """The rows of one record being merged (the caller flushes and commits with it)."""
    for username in dict.fromkeys(surveyors):
        session.add(RecordSurveyor(record_id=record_id, username=username, case_id=case_id))


def fill_missing(session: Session, batch: int = 500) -> int:
    """Credit the records merged before the table existed; how many records. Not committed."""
    done = 0
    with progress("补记记录的签章调查员 / backfilling who sealed each record") as step:
        while True:
            credited = select(RecordSurveyor.record_id)
            rows = session.exec(select(Record.id, Record.case_id, Record.seal_verdicts, Record.sealed_json)
                                .where(col(Record.id).not_in(credited)).limit(batch)).all()
            if not rows:
                return done
            for record_id, case_id, verdicts, sealed_json in rows:
                seals = json.loads(verdicts) if verdicts else json.loads(sealed_json)["seals"]
                credit(session, record_id, case_id, [s["surveyor"] for s in seals])
                step()
            session.flush()
            done += len(rows)
