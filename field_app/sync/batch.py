"""A record's small files in batch requests (schemas/protocol.py `POST /evidence/batch`): its
signatures (PNG + stroke JSON) cost one request instead of one each. Files the server
has part of, large files, and everything when the server has no batch route go up resumably.
"""
from __future__ import annotations

from collections.abc import Iterator

from field_app.sync.client import ServerProblem, SyncClient
from field_app.sync.resumable import ReadRange
from schemas.protocol import MAX_BATCH_BYTES, MAX_BATCH_FILES, SMALL_FILE_BYTES, UploadState


def small_files(missing: list[UploadState], sizes: dict[str, int]) -> dict[str, int]:
    """The missing files to send in batches: not started on the server, and small."""
    return {m.sha256: sizes[m.sha256] for m in missing
            if m.offset == 0 and m.sha256 in sizes and sizes[m.sha256] <= SMALL_FILE_BYTES}


def _groups(files: dict[str, int]) -> Iterator[list[str]]:
    group: list[str] = []
    total = 0
    for sha, size in files.items():
        if group and (len(group) >= MAX_BATCH_FILES or total + size > MAX_BATCH_BYTES):
            yield group
            group, total = [], 0
        group.append(sha)
        total += size
    if group:
        yield group


def send_small(client: SyncClient, token: str, read: ReadRange, files: dict[str, int]) -> set[str]:
    """Send the files in as few requests as the limits allow; returns those the server now stores
    (durably). Empty if the server has no batch route. A refused file raises its problem, as a single
    upload of it would."""
    stored: set[str] = set()
    for group in _groups(files):
        items = client.upload_batch(token, [(sha, read(sha, 0, files[sha])) for sha in group])
        if items is None:
            return stored
        for item in items:
            if not item.stored:
                raise ServerProblem(item.code, detail=f"{item.sha256[:12]} {item.detail}")
            stored.add(item.sha256)
    return stored
