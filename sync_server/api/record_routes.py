"""Uploading sealed records."""
from __future__ import annotations

from fastapi import APIRouter

from schemas.protocol import RecordResult
from schemas.records import SealedRecord
from sync_server.api.deps import CurrentSurveyor, DbSession, ServicesDep
from sync_server.ingest import ingest

router = APIRouter(tags=["records"])


@router.post("/records", response_model=RecordResult)
def post_record(sealed: SealedRecord, session: DbSession, surveyor: CurrentSurveyor,
                services: ServicesDep) -> RecordResult:
    """Verify seals, completeness and files, then merge (200 `merged`); the same record again is
    200 `already_merged`; a different record under a known id is `record.conflict`."""
    return ingest(session, sealed, surveyor, services.clock(), blobs=services.blobs)
