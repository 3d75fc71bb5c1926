"""Evidence files: ask whether stored, upload as a raw body (hashed while streamed), download."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy.exc import IntegrityError
from starlette.requests import ClientDisconnect

from schemas.problems import Code, ProblemError
from schemas.protocol import EvidenceStored
from schemas.records import SHA256_PATTERN
from sync_server import queries
from sync_server.api.brief_auth import BriefSurveyor
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.services import Services
from sync_server.tables import EvidenceFile

router = APIRouter(prefix="/evidence", tags=["evidence"])
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN, description="文件内容的 SHA-256（小写十六进制）")]
RAW_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _stored_size(services: Services, sha256: str) -> int | None:
    with services.session() as session:
        row = session.get(EvidenceFile, sha256)
        return row.size if row is not None and services.blobs.has(sha256) else None


def _remember(services: Services, sha256: str, size: int, username: str) -> bool:
    """Record the stored file; False if a concurrent upload recorded it first."""
    with services.session() as session:
        if session.get(EvidenceFile, sha256) is not None:
            return False
        session.add(EvidenceFile(sha256=sha256, size=size, stored_at=services.clock(), stored_by=username))
        try:
            session.commit()
        except IntegrityError:
            return False
        return True


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit():
        raise ProblemError(Code.VALIDATION, "Content-Length 无效")
    return int(value)


@router.head("/{sha256}")
def evidence_exists(sha256: Sha256, session: DbSession, _account: CurrentAccount,
                    services: ServicesDep) -> Response:
    """200 with the stored size in Content-Length if the file is stored, 404 if not."""
    row = session.get(EvidenceFile, sha256)
    if row is None or not services.blobs.has(sha256):
        raise ProblemError(Code.NOT_FOUND, sha256)
    return Response(status_code=200, headers={"Content-Length": str(row.size)})


@router.put("/{sha256}", response_model=EvidenceStored, openapi_extra=RAW_BODY)
async def put_evidence(sha256: Sha256, request: Request, surveyor: BriefSurveyor,
                       services: ServicesDep) -> EvidenceStored:
    """Store the raw request body under its SHA-256; a file already stored is not stored again.
    No database session is open while the body streams (the token is looked up in a brief one)."""
    existing = await run_in_threadpool(_stored_size, services, sha256)
    if existing is not None:
        return EvidenceStored(sha256=sha256, size=existing, created=False)
    limit = services.settings.max_evidence_bytes
    expected = _content_length(request)
    if expected is not None and expected > limit:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {limit} 字节", max_bytes=limit)
    try:
        size = await services.blobs.receive(sha256, request.stream(), expected_size=expected, max_bytes=limit)
    except ClientDisconnect:
        raise ProblemError(Code.VALIDATION, "上传中断，未保存") from None
    created = await run_in_threadpool(_remember, services, sha256, size, surveyor.username)
    return EvidenceStored(sha256=sha256, size=size, created=created)


@router.get("/{sha256}", response_class=FileResponse)
def get_evidence(sha256: Sha256, session: DbSession, account: CurrentAccount,
                 services: ServicesDep) -> Response:
    """The file's bytes, for its uploader and for anyone who may see a case citing it."""
    if not services.blobs.has(sha256) or not queries.may_read_evidence(session, account, sha256):
        raise ProblemError(Code.NOT_FOUND, sha256)
    links = queries.evidence_links(session, sha256)
    media_type = links[0].media_type if links else "application/octet-stream"
    return FileResponse(services.blobs.local_path(sha256), media_type=media_type)
