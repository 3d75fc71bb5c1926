"""Interview audio on the tablet: start, pause, resume, stop, elapsed time, level and size (no flet).

The view feeds what the platform gives: PCM16 chunks in web mode (`feed`), or the path of the
compressed file the recorder wrote on a device (`stop_with_file`). PCM goes straight into an
encrypted spool (field_app.capture.audio_spool) whose format is measured from the stream itself,
since the rate and channels asked for are not always what arrives. Time comes from an injected
monotonic clock; elapsed time leaves the pauses out.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from field_app.capture.audio_spool import AudioSpool, Journal
from field_app.capture.stream_meter import StreamMeter
from field_app.capture.wav import HEADER_SIZE, PcmFormat, level
from field_app.errors import VisitError
from field_app.viewmodels.base import Observable
from field_app.viewmodels.visit import VisitEditor
from schemas.media import NOT_AN_AUDIO, MediaEvent, sniff_audio
from schemas.records import EvidenceKind, EvidenceRef, Origin, Role

REQUESTED = PcmFormat(16000, 1)
EXTENSIONS = {"audio/wav": ".wav", "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/ogg": ".ogg",
              "audio/webm": ".webm", "audio/mpeg": ".mp3", "audio/flac": ".flac"}


class RecState(str, Enum):
    """Where the recorder is."""

    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"


class Recorder(Observable):
    """One recording at a time for the open visit (interview, or the whole visit)."""

    def __init__(self, editor: VisitEditor, pointer_dir: Path, monotonic: Callable[[], float] = time.monotonic,
                 requested: PcmFormat = REQUESTED) -> None:
        self.editor, self.pointer_dir, self.monotonic, self.requested = editor, Path(pointer_dir), monotonic, requested
        self.state = RecState.IDLE
        self.what = "interview"
        self.level = 0.0
        self.last: EvidenceRef | None = None
        self._spool: AudioSpool | None = None
        self._reset()

    def _reset(self) -> None:
        self._active_s, self._since, self._bytes, self._last_chunk = 0.0, 0.0, 0, 0.0
        self.meter = StreamMeter(self.requested)

    # --- state ------------------------------------------------------------------------------

    @property
    def elapsed_s(self) -> float:
        """Seconds recorded, pauses left out."""
        running = self.monotonic() - self._since if self.state == RecState.RECORDING else 0.0
        return self._active_s + running

    @property
    def size(self) -> int:
        """Bytes recorded so far (PCM)."""
        return self._bytes

    @property
    def fmt(self) -> PcmFormat:
        """The stream's format: as measured so far (of the last recording once stopped)."""
        return self._spool.journal.fmt if self._spool else self.meter.best

    def quiet_s(self) -> float:
        """Seconds since the last chunk arrived (the view waits for the stream to drain after 结束)."""
        return self.monotonic() - self._last_chunk

    def _log(self, event: str, sha: str = "") -> None:
        self.editor.log_media(MediaEvent(at=self.editor.clock(), event=event, what=self.what,
                                         by=self.editor.team.operator or "", sha256=sha))

    def start(self, what: str = "interview") -> None:
        """Begin a recording (refused before the notification step, or while one runs)."""
        if self.state != RecState.IDLE:
            raise VisitError("正在录音，请先结束当前录音")
        self.editor.check_capture()
        record = self.editor.record
        if record is None:
            raise VisitError("请先打开一份调查记录")
        self.what = what
        journal = Journal(uuid.uuid4().hex, record.id, self.requested, [],
                          {"what": what, "by": self.editor.team.operator or "",
                           "started_at": self.editor.clock().isoformat()})
        self._spool = AudioSpool(self.editor.evidence, self.pointer_dir, journal)
        self._reset()
        self.state, self._since = RecState.RECORDING, self.monotonic()
        self._log("start")
        self._notify()

    def pause(self) -> None:
        """Pause: elapsed time stops, chunks that still arrive are dropped."""
        if self.state != RecState.RECORDING:
            return
        self._active_s += self.monotonic() - self._since
        self.state = RecState.PAUSED
        self._log("pause")
        self._notify()

    def resume(self) -> None:
        """Carry on after a pause."""
        if self.state != RecState.PAUSED:
            return
        self.state, self._since = RecState.RECORDING, self.monotonic()
        self.meter.new_run()
        self._log("resume")
        self._notify()

    # --- data -------------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """A PCM16 chunk from the stream (web mode): spooled encrypted, level and size updated."""
        if self.state != RecState.RECORDING or self._spool is None or not chunk:
            return
        self._bytes += len(chunk)
        self._last_chunk = self.monotonic()
        self.level = level(chunk)
        if self.meter.chunk(self.monotonic(), len(chunk), chunk):
            self._spool.set_format(self.meter.best)  # the journal a kill leaves keeps the latest best
        self._spool.append(chunk)
        self._notify()

    def stop(self) -> EvidenceRef | None:
        """End the recording: one WAV sealed and listed in the record; None if nothing was recorded."""
        if self.state == RecState.IDLE or self._spool is None:
            return None
        if self.state == RecState.RECORDING:
            self._active_s += self.monotonic() - self._since
        self._spool.set_format(self.meter.best)
        spool, self._spool, self.state = self._spool, None, RecState.IDLE
        if spool.size == 0:
            spool.discard()
            self._log("discarded")
            self._notify()
            return None
        sha, size = spool.finish()
        fmt = spool.journal.fmt
        ref = self._ref(sha, size, "audio/wav", round(fmt.duration_s(size - HEADER_SIZE), 2))
        self.last = self.editor.add_media(ref, MediaEvent(at=self.editor.clock(), event="stop", what=self.what,
                                                          by=ref.captured_by, sha256=sha))
        self._notify()
        return self.last

    def stop_with_file(self, path: Path) -> EvidenceRef:
        """On a device: seal the compressed file the recorder wrote, then delete the plain copy."""
        spool, self._spool, self.state = self._spool, None, RecState.IDLE
        if spool is not None:
            spool.discard()
        path = Path(path)
        try:
            with open(path, "rb") as f:
                media_type = sniff_audio(f.read(64))
                if media_type is None:
                    raise VisitError(NOT_AN_AUDIO.format(name=path.name))
                f.seek(0)
                sha, size = self.editor.evidence.put_stream(iter(lambda: f.read(1 << 20), b""))
        finally:
            path.unlink(missing_ok=True)
        ref = self._ref(sha, size, media_type, round(self.elapsed_s, 1) or None)
        self.last = self.editor.add_media(ref, MediaEvent(at=self.editor.clock(), event="stop", what=self.what,
                                                          by=ref.captured_by, sha256=sha))
        self._notify()
        return self.last

    def cancel(self) -> None:
        """Throw the recording away (nothing is listed in the record)."""
        if self._spool is not None:
            self._spool.discard()
            self._log("discarded")
        self._spool, self.state = None, RecState.IDLE
        self._notify()

    def _ref(self, sha: str, size: int, media_type: str, duration: float | None) -> EvidenceRef:
        label = "全程录音" if self.what == "whole_visit" else "访谈录音"
        return EvidenceRef(sha256=sha, size=size, media_type=media_type, kind=EvidenceKind.AUDIO,
                           role=Role.INTERVIEW, captured_at=self.editor.clock(), added_at=self.editor.clock(),
                           captured_by=self.editor.team.operator or "", filename=label + EXTENSIONS.get(media_type, ""),
                           caption=label, origin=Origin.CAMERA, duration_s=duration)
