"""A record's files in batch requests (schemas/protocol.py `POST /evidence/batch`).

Small files (signatures: PNG + stroke JSON) always go in batches, one request instead of one each. A
whole visit goes in ONE batch (issue 19: the photos and recording too, one request and one transaction on
the server instead of one per file) when none of its files is started on the server and together they fit
`VISIT_BUNDLE_BYTES`, as long as the link holds: a bundle that is cut (nothing of it is kept: the server
stores a batch whole or not at all), or refused as too large by an older server, is not tried again in
this sync, and its files go up as before, the large ones resumably from the server's durable offset,
so that a bad link never costs more than one visit sent twice. Everything when the server has no batch
route goes up resumably.
"""
from __future__ import annotations

from collections.abc import Iterator

from field_app.sync.client import ServerProblem, ServerUnreachable, SyncClient
from field_app.sync.resumable import FileProgress, ReadRange
from schemas.protocol import MAX_BATCH_BYTES, MAX_BATCH_FILES, SMALL_FILE_BYTES, VISIT_BUNDLE_BYTES, UploadState


def small_files(missing: list[UploadState], sizes: dict[str, int]) -> dict[str, int]:
    """The missing files to send in batches: not started on the server, and small."""
    return {m.sha256: sizes[m.sha256] for m in missing
            if m.offset == 0 and m.sha256 in sizes and sizes[m.sha256] <= SMALL_FILE_BYTES}


def bundle_files(missing: list[UploadState], sizes: dict[str, int]) -> dict[str, int]:
    """Every missing file of the record, if none is started on the server and together they fit one
    bundle; empty otherwise (then they go as small batches and resumable uploads)."""
    files = {m.sha256: sizes[m.sha256] for m in missing if m.offset == 0 and m.sha256 in sizes}
    if len(files) != len(missing) or len(files) > MAX_BATCH_FILES or sum(files.values()) > VISIT_BUNDLE_BYTES:
        return {}
    return files


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


def _stored(client: SyncClient, token: str, read: ReadRange, files: dict[str, int],
            group: list[str], on_file: FileProgress | None = None) -> set[str] | None:
    """One batch request; the files the server now stores, None if it has no batch route. A refused file
    raises its problem, as a single upload of it would."""
    items = client.upload_batch(token, [(sha, read(sha, 0, files[sha])) for sha in group], on_file)
    if items is None:
        return None
    for item in items:
        if not item.stored:
            raise ServerProblem(item.code, detail=f"{item.sha256[:12]} {item.detail}")
    return {item.sha256 for item in items}


def send_small(client: SyncClient, token: str, read: ReadRange, files: dict[str, int]) -> set[str]:
    """Send the files in as few requests as the limits allow; returns those the server now stores
    (durably). Empty if the server has no batch route."""
    stored: set[str] = set()
    for group in _groups(files):
        done = _stored(client, token, read, files, group)
        if done is None:
            return stored
        stored |= done
    return stored


def send_bundle(client: SyncClient, token: str, read: ReadRange, files: dict[str, int],
                on_file: FileProgress | None = None) -> set[str] | None:
    """The whole visit in one request; the files the server now stores, or None if the bundle was cut or
    refused as too large (nothing of it is stored: send the files the usual way, and no bundle again).
    `on_file` follows the bytes onto the wire."""
    try:
        return _stored(client, token, read, files, list(files), on_file) or set()
    except ServerUnreachable:
        return None
    except ServerProblem as problem:
        if problem.status == 413:
            return None
        raise


def send_batched(client: SyncClient, token: str, read: ReadRange, missing: list[UploadState],
                 sizes: dict[str, int], bundle: bool = True,
                 on_file: FileProgress | None = None) -> tuple[set[str], bool]:
    """The record's missing files that go in batches: the whole visit if `bundle` and it fits, else (or
    after a cut bundle) the small ones. Returns the files now stored and whether to bundle the next record."""
    whole = bundle_files(missing, sizes) if bundle and client.batches else {}
    if whole:
        stored = send_bundle(client, token, read, whole, on_file)
        if stored is not None:
            return stored, True
        bundle = False
    return send_small(client, token, read, small_files(missing, sizes)), bundle
