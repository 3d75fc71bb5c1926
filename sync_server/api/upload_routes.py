"""Resumable evidence uploads (schemas/protocol.py): ask once which files are missing, then append
chunks at the offset the server has made durable. No database session is open while bytes stream."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from starlette.requests import ClientDisconnect

from schemas.problems import Code, ProblemError
from schemas.protocol import (
    MAX_QUERY_FILES,
    UPLOAD_CHECKSUM,
    UPLOAD_LENGTH,
    UPLOAD_OFFSET,
    EvidenceMissing,
    EvidenceQuery,
    UploadState,
)
from sync_server.api.brief_auth import BriefSurveyor
from sync_server.api.evidence_routes import RAW_BODY, Sha256
from sync_server.resumable import PartialUploads, Progress, parse_checksum
from sync_server.services import Services
from sync_server.tables import EvidenceFile

from .deps import ServicesDep

router = APIRouter(tags=["uploads"])


def _uploads(request: Request) -> PartialUploads:
    return request.app.state.uploads


def remember_stored(services: Services, sha256: str, size: int, username: str) -> None:
    """Record a file now in the store (a concurrent or earlier request may have recorded it)."""
    with services.session() as session:
        if session.get(EvidenceFile, sha256) is not None:
            return
        session.add(EvidenceFile(sha256=sha256, size=size, stored_at=services.clock(), stored_by=username))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()


def _missing(services: Services, uploads: PartialUploads, shas: list[str], username: str) -> EvidenceMissing:
    with services.session() as session:
        rows = {r.sha256 for r in session.exec(select(EvidenceFile).where(col(EvidenceFile.sha256).in_(shas)))}
    missing = []
    for sha in dict.fromkeys(shas):
        progress = uploads.progress(sha)
        if progress is not None and progress.complete:
            if sha not in rows:  # stored, but the server stopped before recording it
                remember_stored(services, sha, progress.length, username)
            continue
        missing.append(UploadState(sha256=sha, offset=progress.offset if progress else 0,
                                   length=progress.length if progress else 0))
    return EvidenceMissing(missing=missing)


@router.post("/evidence/missing", response_model=EvidenceMissing)
async def missing_evidence(query: EvidenceQuery, surveyor: BriefSurveyor, services: ServicesDep,
                           request: Request) -> EvidenceMissing:
    """Which of these files the server lacks, with the offset to resume each from (one round trip)."""
    if len(query.sha256) > MAX_QUERY_FILES or not all(map(services.blobs.is_address, query.sha256)):
        raise ProblemError(Code.VALIDATION, f"最多 {MAX_QUERY_FILES} 个小写十六进制 SHA-256")
    return await run_in_threadpool(_missing, services, _uploads(request), query.sha256, surveyor.username)


def _state(sha256: str, progress: Progress) -> JSONResponse:
    body = UploadState(sha256=sha256, offset=progress.offset, length=progress.length, complete=progress.complete)
    return JSONResponse(body.model_dump(), headers={UPLOAD_OFFSET: str(progress.offset),
                                                    UPLOAD_LENGTH: str(progress.length)})


@router.head("/uploads/{sha256}")
def upload_offset(sha256: Sha256, _surveyor: BriefSurveyor, request: Request) -> Response:
    """The durable offset (and length) of a file's upload; 404 if it never started."""
    progress = _uploads(request).progress(sha256)
    if progress is None:
        raise ProblemError(Code.NOT_FOUND, sha256)
    return Response(headers={UPLOAD_OFFSET: str(progress.offset), UPLOAD_LENGTH: str(progress.length)})


@router.patch("/uploads/{sha256}", response_model=UploadState, openapi_extra=RAW_BODY)
async def append_chunk(sha256: Sha256, request: Request, surveyor: BriefSurveyor, services: ServicesDep,
                       offset: Annotated[int, Header(alias=UPLOAD_OFFSET, ge=0)],
                       length: Annotated[int, Header(alias=UPLOAD_LENGTH, ge=0)],
                       checksum: Annotated[str | None, Header(alias=UPLOAD_CHECKSUM)] = None) -> Response:
    """Append the body at `Upload-Offset`; answers the offset now on disk (complete once stored)."""
    limit = services.settings.max_evidence_bytes
    if length > limit:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {limit} 字节", max_bytes=limit)
    try:
        progress = await _uploads(request).append(sha256, length, offset, request.stream(),
                                                  parse_checksum(checksum))
    except ClientDisconnect:
        raise ProblemError(Code.VALIDATION, "上传中断，该数据块未保存") from None
    if progress.complete:
        await run_in_threadpool(remember_stored, services, sha256, progress.length, surveyor.username)
    return _state(sha256, progress)


@router.delete("/uploads/{sha256}", status_code=204)
def discard_upload(sha256: Sha256, _surveyor: BriefSurveyor, request: Request) -> Response:
    """Discard a partial upload (a stored file stays)."""
    _uploads(request).discard(sha256)
    return Response(status_code=204)
