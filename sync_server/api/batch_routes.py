"""Small evidence files in one request (`POST /evidence/batch`, see sync_server/evidence/batch_uploads.py).

Checked before a byte of the body is read: the token (like every upload route: `surveyor_in`, its
device binding and the surveyor route list), the member list, the file count and total size (413),
and that Content-Length is the members' sum, all in one worker-thread call with the members the
caller holds already. No database session is open while the body streams.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from schemas.problems import Code, ProblemError
from schemas.protocol import (
    BATCH_HEADER_MAX,
    BATCH_HEADER_PATTERN,
    EVIDENCE_BATCH,
    BatchItem,
    BatchResult,
    parse_batch_header,
)
from sync_server.api.brief_auth import BearerCall, BriefCall, surveyor_in
from sync_server.api.evidence_routes import RAW_BODY, declared_length, remember_many
from sync_server.evidence.access import claimed_sizes
from sync_server.evidence.batch_uploads import Member, place_intact, receive_batch
from sync_server.evidence.sniffing import sniff_file
from sync_server.services import Services
from sync_server.tables import Account

from .deps import ServicesDep

router = APIRouter(prefix="/evidence", tags=["evidence"])


def _admit(call: BearerCall, header: str) -> tuple[Account, list[tuple[str, int]], set[str]]:
    """The surveyor, the checked member list and the members the caller's owner holds already (stored, and
    claimed by it): one session, one worker-thread call, closed before the body is read."""
    services = call.services
    with services.session() as session:
        account = surveyor_in(session, call)
        members = _checked_members(services, header, call.request)
        held = {sha for sha in claimed_sizes(session, account, {sha for sha, _ in members})
                if services.blobs.has(sha)}
        session.expunge(account)
    return account, members, held


def _keep(services: Services, account: Account, received: list[Member], held: set[str]) -> dict[str, bool]:
    """Sniff the intact members where they lie, place them and record them (one worker-thread call); per
    member recorded, whether its claim is new."""
    intact = {m.sha256: m.size for m in received if m.intact}
    media = {m.sha256: sniff_file(m.tmp) for m in received if m.intact}
    place_intact(services.blobs, received, held)
    return remember_many(services, intact, account, media) if intact else {}


def _checked_members(services: Services, header: str, request: Request) -> list[tuple[str, int]]:
    settings = services.settings
    if settings.max_batch_files <= 0:
        raise ProblemError(Code.NOT_FOUND, "本服务器未开启批量上传")
    try:
        members = parse_batch_header(header)
    except ValueError as error:  # the pattern is in the schema; a file named twice is not
        raise ProblemError(Code.BATCH_MISMATCH, str(error)) from None
    total = sum(size for _, size in members)
    if len(members) > settings.max_batch_files or total > settings.max_batch_bytes:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"每批最多 {settings.max_batch_files} 个文件、"
                           f"{settings.max_batch_bytes} 字节", max_files=settings.max_batch_files,
                           max_bytes=settings.max_batch_bytes)
    if declared_length(request) not in (None, total):
        raise ProblemError(Code.BATCH_MISMATCH, f"Content-Length 应为各文件字节数之和 {total}", expected=total)
    return members


@router.post("/batch", response_model=BatchResult, openapi_extra=RAW_BODY)
async def upload_batch(request: Request, call: BriefCall, services: ServicesDep,
                       header: Annotated[str, Header(alias=EVIDENCE_BATCH, max_length=BATCH_HEADER_MAX,
                                                              pattern=BATCH_HEADER_PATTERN)]
                       ) -> BatchResult:
    """Store several small files from one body; per file, stored (durably, before this answer) or
    refused by name. A body that stops short stores nothing."""
    surveyor, members, held = await run_in_threadpool(_admit, call, header)
    try:
        received = await receive_batch(services.blobs, members, request.stream())
    except ClientDisconnect:
        raise ProblemError(Code.VALIDATION, "上传中断，未保存") from None
    created = await run_in_threadpool(_keep, services, surveyor, received, held)
    return BatchResult(files=[
        BatchItem(sha256=m.sha256, size=m.size, stored=True, created=created.get(m.sha256, False)) if m.intact
        else BatchItem(sha256=m.sha256, size=m.size, stored=False, code=Code.EVIDENCE_HASH_MISMATCH.value,
                       detail=f"内容的 SHA-256 为 {m.actual}") for m in received])
