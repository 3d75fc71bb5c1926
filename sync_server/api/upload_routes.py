"""Resumable evidence uploads (schemas/protocol.py): ask once which files are missing, then append
chunks at the offset the server has made durable. No database session is open while bytes stream."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
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
from sync_server.api.brief_auth import BearerCall, BriefCall, BriefSurveyor, BriefUploader, surveyor_in
from sync_server.api.evidence_routes import RAW_BODY, Sha256, remember_many
from sync_server.evidence.access import claimed_sizes, owner_of
from sync_server.evidence.chunked_uploads import PartialUploads, Progress, parse_checksum

from .deps import ServicesDep

router = APIRouter(tags=["uploads"])


def _uploads(request: Request) -> PartialUploads:
    return request.app.state.uploads


def _missing(call: BearerCall, uploads: PartialUploads, shas: list[str]) -> EvidenceMissing:
    """Files the caller's owner does not hold yet, each with the owner's own durable offset: the token's
    check and the claims in one session (one worker-thread call for the whole question)."""
    services = call.services
    with services.session() as session:
        account = surveyor_in(session, call)
        if len(shas) > MAX_QUERY_FILES or not all(map(services.blobs.is_address, shas)):
            raise ProblemError(Code.VALIDATION, f"最多 {MAX_QUERY_FILES} 个小写十六进制 SHA-256")
        held = set(claimed_sizes(session, account, set(shas)))
    owner, missing = owner_of(account), []
    for sha in dict.fromkeys(shas):
        progress = uploads.progress(sha, owner, sha in held)
        if progress is not None and progress.complete:
            continue
        missing.append(UploadState(sha256=sha, offset=progress.offset if progress else 0,
                                   length=progress.length if progress else 0))
    return EvidenceMissing(missing=missing)


@router.post("/evidence/missing", response_model=EvidenceMissing)
async def missing_evidence(query: EvidenceQuery, call: BriefCall, request: Request) -> EvidenceMissing:
    """Which of these files the server lacks, with the offset to resume each from (one round trip)."""
    return await run_in_threadpool(_missing, call, _uploads(request), query.sha256)


def _state(sha256: str, progress: Progress) -> JSONResponse:
    body = UploadState(sha256=sha256, offset=progress.offset, length=progress.length, complete=progress.complete)
    return JSONResponse(body.model_dump(), headers={UPLOAD_OFFSET: str(progress.offset),
                                                    UPLOAD_LENGTH: str(progress.length)})


@router.head("/uploads/{sha256}")
def upload_offset(sha256: Sha256, uploader: BriefUploader, request: Request) -> Response:
    """The durable offset (and length) of the caller's upload of a file; 404 if it never started."""
    progress = _uploads(request).progress(sha256, owner_of(uploader.account), uploader.holds)
    if progress is None:
        raise ProblemError(Code.NOT_FOUND, sha256)
    return Response(headers={UPLOAD_OFFSET: str(progress.offset), UPLOAD_LENGTH: str(progress.length)})


@router.patch("/uploads/{sha256}", response_model=UploadState, openapi_extra=RAW_BODY)
async def append_chunk(sha256: Sha256, request: Request, uploader: BriefUploader, services: ServicesDep,
                       offset: Annotated[int, Header(alias=UPLOAD_OFFSET, ge=0)],
                       length: Annotated[int, Header(alias=UPLOAD_LENGTH, ge=0)],
                       checksum: Annotated[str | None, Header(alias=UPLOAD_CHECKSUM)] = None) -> Response:
    """Append the body at `Upload-Offset`; answers the offset now on disk (complete once stored and
    recorded, in the same worker-thread call that made the last chunk durable)."""
    limit = services.settings.max_evidence_bytes
    if length > limit:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {limit} 字节", max_bytes=limit)

    def stored(done: Progress) -> None:
        remember_many(services, {sha256: done.length}, uploader.account, {sha256: done.media})
    try:
        progress = await _uploads(request).append(sha256, owner_of(uploader.account), uploader.holds, length,
                                                  offset, request.stream(), parse_checksum(checksum), stored)
    except ClientDisconnect:
        raise ProblemError(Code.VALIDATION, "上传中断，该数据块未保存") from None
    return _state(sha256, progress)


@router.delete("/uploads/{sha256}", status_code=204)
def discard_upload(sha256: Sha256, surveyor: BriefSurveyor, request: Request) -> Response:
    """Discard the caller's partial upload (a stored file stays)."""
    _uploads(request).discard(sha256, owner_of(surveyor))
    return Response(status_code=204)
