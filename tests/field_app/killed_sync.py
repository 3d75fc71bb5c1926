"""A tablet uploading its outbox that SIGKILLs itself at a named point (run by test_killed_sync.py).

  python -m tests.field_app.killed_sync DATA_DIR SERVER_URL CA_FILE DEVICE_ID LEDGER CHUNK_BYTES [KILL_AT]

It opens the tablet's store and evidence (SQLCipher and AES-GCM files, keys from the web-mode vault) and
runs the real `upload_outbox` (outbox + ResumableUploader + SyncClient over HTTPS pinned to CA_FILE),
with the token a surveyor's online sign-in left in the store. KILL_AT is "METHOD PATH-PART N WHEN": the
Nth request of that method whose path holds PATH-PART dies
  mid-body      once half of its body has been written to the socket
  after-body    once its whole body has been written, before any answer is read
  after-reply   once the whole answer has arrived, before the tablet acts on it
Every PATCH body is noted in LEDGER (sha, offset, length; fsynced) before it is sent: the tablet's own
count of the bytes it put on the wire. Prints the outcomes as JSON when it finishes.
"""
from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlmodel import select

from field_app.store.tables import LocalAccount
from field_app.sync.client import SyncClient
from field_app.sync.outbox import upload_outbox
from field_app.sync.resumable import ResumableUploader
from field_app.sync.tls import pinned_context
from schemas.protocol import UPLOAD_LENGTH, UPLOAD_OFFSET
from tests.field_app.helpers import open_tablet


def die() -> None:
    """SIGKILL this process now: no exception handlers, no rollback, no cleanup."""
    os.kill(os.getpid(), signal.SIGKILL)


class DyingBody(httpx.SyncByteStream):
    """A request body that kills the process part-way through (`at` bytes written) or after the end."""

    def __init__(self, body: bytes, at: int | None) -> None:
        self.body, self.at = body, at

    def __iter__(self) -> Iterator[bytes]:
        if self.at is not None:
            yield self.body[: self.at]
            die()
        yield self.body
        die()  # asked for more: the whole body is on the socket


class KillingTransport(httpx.BaseTransport):
    """The real HTTPS transport, noting each PATCH in the ledger and dying at the KILL_AT point."""

    def __init__(self, inner: httpx.BaseTransport, ledger: Path, kill_at: str) -> None:
        self.inner, self.ledger = inner, ledger
        method, part, nth, self.when = kill_at.split() if kill_at else ("", "", "0", "")
        self.method, self.part, self.nth, self.seen = method, part, int(nth), 0

    def _note(self, request: httpx.Request) -> None:
        sha = request.url.path.rsplit("/", 1)[1]
        line = f"{sha} {request.headers[UPLOAD_OFFSET]} {len(request.content)} {request.headers[UPLOAD_LENGTH]}\n"
        with open(self.ledger, "a") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if request.method == "PATCH":
            self._note(request)
        target = request.method == self.method and self.part in request.url.path
        if target:
            self.seen += 1
        if target and self.seen == self.nth and self.when in ("mid-body", "after-body"):
            request.stream = DyingBody(body, len(body) // 2 if self.when == "mid-body" else None)
        response = self.inner.handle_request(request)
        if target and self.seen == self.nth and self.when == "after-reply":
            response.read()
            die()
        return response


def main(data_dir: Path, url: str, ca_file: Path, device: str, ledger: Path, chunk: int, kill_at: str) -> None:
    store, evidence = open_tablet(data_dir)
    with store.reading() as s:
        token = next(a.token for a in s.exec(select(LocalAccount)) if a.token)
    transport = KillingTransport(httpx.HTTPTransport(verify=pinned_context(ca_file)), ledger, kill_at)
    client = SyncClient(url, transport=transport, device_id=device, timeout=httpx.Timeout(20.0, connect=3.0))
    client.batches = False  # every file in chunks: the kill points are chunk boundaries (batches: test_batch_upload)
    uploader = ResumableUploader(client, token, evidence.read_range, chunk_bytes=chunk)
    outcomes = upload_outbox(store, evidence, client, token, clock=lambda: datetime.now(UTC), uploader=uploader)
    print(json.dumps([[o.record_id, o.status.value, o.code] for o in outcomes]), flush=True)
    store.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]), args[1], Path(args[2]), args[3], Path(args[4]), int(args[5]), args[6] if len(args) > 6 else "")
