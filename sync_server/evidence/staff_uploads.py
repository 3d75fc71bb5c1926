"""Files staff upload (scans of 委托书, 授权书, ID proofs, pledges, township evidence), R25 R31.

The type is read from the bytes, never from the name or the client's header: only PDF, JPEG and
PNG pass. The size is limited. The server names the file by its SHA-256 in the evidence store and
records who stored it first; the client's file name is never used as a path.
"""
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from schemas.problems import Code, ProblemError
from sync_server.evidence.access import record_files
from sync_server.evidence.disk_store import BlobStore

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"\x89PNG\r\n\x1a\n", "image/png"))


@dataclass(frozen=True)
class StoredUpload:
    """An upload in the evidence store: its address, size and sniffed type."""

    sha256: str
    size: int
    media_type: str


def sniff_media_type(data: bytes) -> str | None:
    """PDF, JPEG or PNG from the first bytes; None for anything else."""
    for magic, media_type in SIGNATURES:
        if data.startswith(magic):
            return media_type
    return None


def check_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The sniffed media type of an acceptable upload, or the problem that refuses it."""
    if not data:
        raise ProblemError(Code.VALIDATION, "文件为空")
    if len(data) > max_bytes:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {max_bytes // (1024 * 1024)} MB", max_bytes=max_bytes)
    media_type = sniff_media_type(data)
    if media_type is None:
        raise ProblemError(Code.UPLOAD_TYPE, "文件内容不是 PDF、JPEG 或 PNG")
    return media_type


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def store_upload(blobs: BlobStore, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> StoredUpload:
    """Check the bytes and put them in the evidence store under their SHA-256 (atomic, idempotent)."""
    media_type = check_upload(data, max_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    if not blobs.has(sha256):
        await blobs.receive(sha256, _one_chunk(data), expected_size=len(data), max_bytes=max_bytes)
    return StoredUpload(sha256, len(data), media_type)


def remember_file(session: Session, stored: StoredUpload, username: str, now: datetime) -> None:
    """The evidence row of a stored upload, credited to its first uploader (not committed)."""
    record_files(session, {stored.sha256: stored.size}, username, now)


async def read_body(chunks: AsyncIterator[bytes], max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """A raw request body, refused once it passes the limit (nothing kept)."""
    out = bytearray()
    async for chunk in chunks:
        out += chunk
        if len(out) > max_bytes:
            raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {max_bytes // (1024 * 1024)} MB",
                               max_bytes=max_bytes)
    return bytes(out)
