"""The content-addressed evidence store: files under evidence/ab/abcdef..., written atomically.

A file only ever appears under its final name with bytes that hash to that name: it is streamed
to a temporary file while hashed, fsynced, and renamed into place; anything else deletes the
temporary file and stores nothing.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from schemas.problems import Code, ProblemError
from schemas.records import SHA256_PATTERN


class BlobStore:
    """Evidence files on disk, addressed by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def is_address(sha256: str) -> bool:
        """Whether the text is a lowercase hex SHA-256 (nothing else ever becomes a path)."""
        return re.fullmatch(SHA256_PATTERN, sha256) is not None

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        if not self.is_address(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """Whether the bytes are on disk."""
        return self.path_for(sha256).is_file()

    async def receive(self, sha256: str, chunks: AsyncIterator[bytes], *, expected_size: int | None,
                      max_bytes: int) -> int:
        """Stream chunks into the store under `sha256`; return the size stored.

        Raises `evidence.too_large`, `request.invalid` (body shorter or longer than announced) or
        `evidence.hash_mismatch`; a client that disconnects propagates its exception. In every
        failure the temporary file is removed and nothing is stored."""
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        tmp = Path(tmp_name)
        try:
            hasher, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {max_bytes} 字节",
                                           max_bytes=max_bytes)
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if expected_size is not None and size != expected_size:
                raise ProblemError(Code.VALIDATION, f"上传不完整：收到 {size} 字节，"
                                   f"应为 {expected_size} 字节",
                                   received=size, expected=expected_size)
            actual = hasher.hexdigest()
            if actual != sha256:
                raise ProblemError(Code.EVIDENCE_HASH_MISMATCH, sha256, expected=sha256, actual=actual)
            final = self.path_for(sha256)
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp, final)
            return size
        finally:
            tmp.unlink(missing_ok=True)
