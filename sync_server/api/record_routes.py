"""Uploading sealed records."""
from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from schemas.protocol import RecordResult, RecordStatus
from schemas.records import SealedRecord
from sync_server.api.deps import CurrentSurveyor, DbSession, ServicesDep
from sync_server.casework.ingest import ingest
from sync_server.display.warm import warm_record
from sync_server.transparency.witness import note_of_newest

router = APIRouter(tags=["records"])


async def raw_record(request: Request) -> dict[str, Any] | None:
    """The `record` object exactly as sent (the body is already read and cached by FastAPI)."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    record = body.get("record") if isinstance(body, dict) else None
    return record if isinstance(record, dict) else None


RawRecord = Annotated[dict[str, Any] | None, Depends(raw_record)]


@router.post("/records", response_model=RecordResult)
def post_record(sealed: SealedRecord, session: DbSession, surveyor: CurrentSurveyor,
                services: ServicesDep, raw: RawRecord) -> RecordResult:
    """Verify seals (over the exact signed bytes, docs/SEALS.md), completeness and files, then merge
    (200 `merged`); the same record again is 200 `already_merged`; a different record under a known id
    is `record.conflict`."""
    result = ingest(session, sealed, surveyor, services.clock(), raw, blobs=services.blobs)
    if result.status == RecordStatus.MERGED:
        warm_record(services, result.record_id)  # after the commit, off the request: made once, in the background
    return result.model_copy(update={"checkpoint": note_of_newest(session)})
