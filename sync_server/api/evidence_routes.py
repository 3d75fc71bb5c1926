"""Evidence files: ask whether stored, upload as a raw body (hashed while streamed), download."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.requests import ClientDisconnect

from schemas.problems import Code, ProblemError
from schemas.protocol import EvidenceStored
from schemas.records import SHA256_PATTERN
from sync_server.api.brief_auth import BriefSurveyor
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.evidence.access import has_claim, may_read_evidence, record_stored
from sync_server.evidence.responses import evidence_file_response
from sync_server.evidence.sniffing import sniff_file
from sync_server.services import Services
from sync_server.tables import Account, EvidenceFile
from sync_server.transparency import audit

router = APIRouter(prefix="/evidence", tags=["evidence"])
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN, description="文件内容的 SHA-256（小写十六进制）")]
RAW_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _claimed_size(services: Services, account: Account, sha256: str) -> int | None:
    """The size of a file the caller's team already holds, else None (nothing said about other teams')."""
    with services.session() as session:
        row = session.get(EvidenceFile, sha256)
        held = row is not None and has_claim(session, account, sha256) and services.blobs.has(sha256)
        return row.size if held and row is not None else None


def remember(services: Services, sha256: str, size: int, account: Account) -> bool:
    """Record the stored file, what its bytes are, and the caller's claim; False if the caller's team
    held it already."""
    return remember_many(services, {sha256: size}, account)[sha256]


def remember_many(services: Services, sizes: dict[str, int], account: Account,
                  media: dict[str, str | None] | None = None) -> dict[str, bool]:
    """`remember` for several stored files in one transaction; per file, whether the claim is new. What
    their bytes are is sniffed here unless the caller sniffed it already (before placing them)."""
    if media is None:
        media = {sha: sniff_file(services.blobs.local_path(sha)) for sha in sizes}  # once per upload
    with services.session() as session:
        added = record_stored(session, account, sizes, media, services.clock())
        session.commit()
    return {sha: sha in added for sha in sizes}


def declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit():
        raise ProblemError(Code.VALIDATION, "Content-Length 无效")
    return int(value)


@router.head("/{sha256}")
def evidence_exists(sha256: Sha256, session: DbSession, account: CurrentAccount,
                    services: ServicesDep) -> Response:
    """200 with the stored size in Content-Length if the caller may see the file (a surveyor: their team
    uploaded it), 404 otherwise: whether another team holds the same bytes is never told."""
    row = session.get(EvidenceFile, sha256)
    if row is None or not services.blobs.has(sha256) or not may_read_evidence(session, account, sha256):
        raise ProblemError(Code.NOT_FOUND, sha256)
    return Response(status_code=200, headers={"Content-Length": str(row.size)})


@router.put("/{sha256}", response_model=EvidenceStored, openapi_extra=RAW_BODY)
async def put_evidence(sha256: Sha256, request: Request, surveyor: BriefSurveyor,
                       services: ServicesDep) -> EvidenceStored:
    """Store the raw request body under its SHA-256 and record that the caller's team holds it.

    Only a file the caller's team already holds is answered without reading the body; for anyone else
    the whole body is received and hashed, exactly as for a new file (`created` is true: a new claim).
    No database session is open while the body streams (the token is looked up in a brief one)."""
    existing = await run_in_threadpool(_claimed_size, services, surveyor, sha256)
    if existing is not None:
        return EvidenceStored(sha256=sha256, size=existing, created=False)
    limit = services.settings.max_evidence_bytes
    expected = declared_length(request)
    if expected is not None and expected > limit:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {limit} 字节", max_bytes=limit)
    try:
        size = await services.blobs.receive(sha256, request.stream(), expected_size=expected, max_bytes=limit)
    except ClientDisconnect:
        raise ProblemError(Code.VALIDATION, "上传中断，未保存") from None
    created = await run_in_threadpool(remember, services, sha256, size, surveyor)
    return EvidenceStored(sha256=sha256, size=size, created=created)


@router.get("/{sha256}", response_class=FileResponse)
def get_evidence(sha256: Sha256, session: Transaction, account: CurrentAccount,
                 services: ServicesDep) -> Response:
    """The file's bytes, for its uploader's team and for staff who may see a case citing it; sent with
    its sniffed type, `nosniff`, a sandboxing CSP, and as an attachment unless JPEG or PNG."""
    if not services.blobs.has(sha256) or not may_read_evidence(session, account, sha256):
        raise ProblemError(Code.NOT_FOUND, sha256)
    audit.log(session, "evidence.downloaded", services.clock(), account.username, subject=sha256, via="api")
    return evidence_file_response(services.blobs.local_path(sha256), sha256)
