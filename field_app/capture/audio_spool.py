"""Recording audio straight into the encrypted evidence store, so a killed app loses seconds, not the interview.

PCM arrives in small chunks for as long as the interview lasts, and the WAV header needs the final
length. So the PCM is spooled as sealed segments of a few seconds each (`EvidenceStore.put_bytes`:
encrypted, fsynced, renamed into place), and a journal naming the segments, the stream's format
and the draft it belongs to is sealed beside them. A pointer file `recordings/<id>.ptr` holds only
the journal's hash (never audio), replaced atomically. No plaintext audio ever touches the disk.

`finish` streams header + segments into one WAV (`put_stream`) and removes the spool.
`recover_recordings`, run when the app opens, turns the spool of a killed app into a WAV of what
was recorded up to the last whole segment, attached to its draft, or discards it cleanly.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from field_app.capture.wav import PcmFormat, wav_header
from field_app.store.evidence import EvidenceStore

SEGMENT_S = 2.0  # at most this much audio is lost when the app is killed
POINTERS = "recordings"


@dataclass
class Journal:
    """What a spool holds: the draft, the format, the sealed segments in order."""

    recording_id: str
    record_id: str
    fmt: PcmFormat
    segments: list[tuple[str, int]]
    meta: dict[str, str]

    def to_json(self) -> bytes:
        """The journal as JSON bytes (sealed in the evidence store)."""
        return json.dumps({"recording_id": self.recording_id, "record_id": self.record_id,
                           "rate": self.fmt.rate, "channels": self.fmt.channels,
                           "segments": self.segments, "meta": self.meta}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Journal:
        """Read a journal back."""
        d = json.loads(data)
        return cls(d["recording_id"], d["record_id"], PcmFormat(int(d["rate"]), int(d["channels"])),
                   [(s, int(n)) for s, n in d["segments"]], dict(d.get("meta", {})))

    @property
    def pcm_bytes(self) -> int:
        """Bytes of PCM in the sealed segments."""
        return sum(n for _, n in self.segments)


class AudioSpool:
    """One recording being written: PCM in, sealed segments out, one WAV at the end."""

    def __init__(self, evidence: EvidenceStore, pointer_dir: Path, journal: Journal) -> None:
        self.evidence, self.journal = evidence, journal
        self.pointer = Path(pointer_dir) / f"{journal.recording_id}.ptr"
        self.pointer.parent.mkdir(parents=True, exist_ok=True)
        self._pending = bytearray()
        self._journal_sha: str | None = None

    @property
    def size(self) -> int:
        """PCM bytes received so far (sealed or pending)."""
        return self.journal.pcm_bytes + len(self._pending)

    def set_format(self, fmt: PcmFormat) -> None:
        """The stream's measured format (written with the next segment)."""
        self.journal.fmt = fmt

    def append(self, chunk: bytes) -> None:
        """Take PCM bytes; a segment is sealed whenever SEGMENT_S seconds have gathered."""
        self._pending += chunk
        if len(self._pending) >= SEGMENT_S * self.journal.fmt.byte_rate:
            self.flush()

    def flush(self) -> None:
        """Seal the pending PCM (whole frames) as a segment and the journal that names it."""
        whole = len(self._pending) - len(self._pending) % self.journal.fmt.frame_size
        if whole <= 0:
            return
        sha, size = self.evidence.put_bytes(bytes(self._pending[:whole]))
        del self._pending[:whole]
        self.journal.segments.append((sha, size))
        self._write_journal()

    def _write_journal(self) -> None:
        old = self._journal_sha
        self._journal_sha, _ = self.evidence.put_bytes(self.journal.to_json())
        _write_atomically(self.pointer, self._journal_sha.encode())
        if old and old != self._journal_sha:
            self.evidence.delete(old)

    def finish(self) -> tuple[str, int]:
        """Seal the whole recording as one WAV; returns (sha256, size) and removes the spool."""
        self.flush()
        result = seal_wav(self.evidence, self.journal)
        self.discard()
        return result

    def discard(self) -> None:
        """Drop the spool: segments, journal and pointer (the sealed WAV, if any, stays)."""
        self._pending.clear()
        _remove_spool(self.evidence, self.journal, self._journal_sha, self.pointer)


def seal_wav(evidence: EvidenceStore, journal: Journal) -> tuple[str, int]:
    """Stream the header and the segments into one sealed WAV; returns (sha256, size)."""
    data = journal.pcm_bytes - journal.pcm_bytes % journal.fmt.frame_size

    def pieces() -> Iterator[bytes]:
        yield wav_header(journal.fmt, data)
        left = data
        for sha, _ in journal.segments:
            for chunk in evidence.chunks(sha):
                yield chunk[:left]
                left -= min(left, len(chunk))

    return evidence.put_stream(pieces())


def _remove_spool(evidence: EvidenceStore, journal: Journal, journal_sha: str | None, pointer: Path) -> None:
    pointer.unlink(missing_ok=True)  # first: without it the spool is only unreferenced files
    if journal_sha:
        evidence.delete(journal_sha)
    for sha, _ in journal.segments:
        evidence.delete(sha)
    journal.segments.clear()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def spools(evidence: EvidenceStore, pointer_dir: Path) -> Iterator[tuple[Path, str, Journal | None]]:
    """Spools left on disk: (pointer, journal sha, journal or None when it cannot be read)."""
    for pointer in sorted(Path(pointer_dir).glob("*.ptr")):
        sha = pointer.read_text().strip()
        try:
            yield pointer, sha, Journal.from_json(evidence.read(sha))
        except (OSError, ValueError, KeyError):
            yield pointer, sha, None


def remove(evidence: EvidenceStore, pointer: Path, journal_sha: str, journal: Journal | None) -> None:
    """Delete one left-over spool."""
    if journal is None:
        pointer.unlink(missing_ok=True)
        evidence.delete(journal_sha) if len(journal_sha) == 64 else None
        return
    _remove_spool(evidence, journal, journal_sha, pointer)
