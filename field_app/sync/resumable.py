"""The tablet's half of resumable uploads (schemas/protocol.py): ask which files are missing, then
send each from the offset the server has made durable, in checked chunks.

A cut connection is not the end of a file: the uploader asks the server for its offset again
(HEAD /uploads/{sha}) and goes on from there, after a jittered backoff, up to `cut_retries` times
in a row; only then does the batch stop (everything stays queued and resumes on the next upload).
So after any interruption at most the one chunk in flight is sent again.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from field_app.sync.backoff import busy_delay
from field_app.sync.client import ServerProblem, ServerUnreachable, SyncClient
from schemas.problems import Code

CHUNK_BYTES = 2 * 1024 * 1024  # a phone photo (1.5-2 MB) in one request; at most this much is sent again
ReadRange = Callable[[str, int, int], bytes]  # sha, offset, length -> bytes (EvidenceStore.read_range)
FileProgress = Callable[[str, int, int], None]  # sha, bytes on the server, file size


@dataclass
class ResumableUploader:
    """Sends whole files chunk by chunk, resuming after cuts; counts the bytes it sends."""

    client: SyncClient
    token: str
    read_range: ReadRange
    chunk_bytes: int = CHUNK_BYTES
    cut_retries: int = 8
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    bytes_sent: int = 0  # every byte put on the wire, resent ones included

    def upload(self, sha: str, size: int, offset: int = 0, on_progress: FileProgress | None = None) -> None:
        """Send the file from `offset` until the server stores it."""
        cuts = 0
        while True:
            if on_progress is not None:
                on_progress(sha, offset, size)
            if offset >= size > 0:
                return
            data = self.read_range(sha, offset, self.chunk_bytes)
            try:
                state = self.client.append_chunk(self.token, sha, offset, size, data)
                self.bytes_sent += len(data)
            except ServerUnreachable as cut:
                if not isinstance(cut.__cause__, httpx.ConnectError | httpx.ConnectTimeout):
                    self.bytes_sent += len(data)  # (an upper bound: some of it may never have left)
                cuts += 1
                if cuts > self.cut_retries:
                    raise
                self.sleep(busy_delay(min(cuts, 5), 0, self.rng) / 4)
                offset = self._ask_offset(sha, offset)
                continue
            except ServerProblem as problem:
                if problem.code == Code.UPLOAD_OFFSET_MISMATCH.value:
                    offset = int(problem.data.get("offset", 0))
                    continue
                if problem.code == Code.UPLOAD_IN_PROGRESS.value:  # the server is still in the cut request
                    cuts += 1
                    if cuts > self.cut_retries:
                        raise
                    self.sleep(busy_delay(min(cuts, 5), 0, self.rng) / 4)
                    continue
                raise
            cuts = 0
            offset = state.offset
            if state.complete:
                if on_progress is not None:
                    on_progress(sha, size, size)
                return

    def _ask_offset(self, sha: str, fallback: int) -> int:
        try:
            return self.client.upload_offset(self.token, sha)
        except ServerUnreachable:
            return fallback  # asked again after the next cut
