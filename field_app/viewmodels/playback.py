"""Playing back the record's recordings on the tablet: which clip, play/pause, position, duration, size (no flet).

The view hands the player (flet-audio's `Audio`, audioplayers in the Flutter client) the decrypted
bytes as its source: in web mode they travel over the app's own WebSocket to the browser, which
plays them from memory; nothing plain is written to disk. A clip larger than `max_bytes` is not
loaded (its size and duration are still shown). The player's events come back through
`playing`/`position`/`duration` here, so the view only renders this state.
"""
from __future__ import annotations

import struct
import threading
from dataclasses import dataclass
from enum import Enum

from field_app.capture.wav import HEADER_SIZE, level
from field_app.errors import VisitError
from field_app.viewmodels.base import Observable
from field_app.viewmodels.visit import VisitEditor
from schemas.records import EvidenceKind, EvidenceRef

MAX_PLAY_BYTES = 64 * 1024 * 1024  # about 35 minutes of 16 kHz mono WAV
TOO_BIG = "录音文件过大（{size}），无法在平板上回放；已保存的录音不受影响"


class PlayState(str, Enum):
    """What the player reports (flet_audio.AudioState values)."""

    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Clip:
    """One recording in the list."""

    sha: str
    label: str
    size: int
    duration_s: float | None
    media_type: str


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class AudioPlayback(Observable):
    """One clip loaded at a time; `toggle` says what the player must do next."""

    def __init__(self, editor: VisitEditor, max_bytes: int = MAX_PLAY_BYTES) -> None:
        self.editor, self.max_bytes = editor, max_bytes
        self.sha: str | None = None  # the clip loaded in the player
        self.state = PlayState.STOPPED
        self.position_s = 0.0
        self.duration_s: float | None = None
        self._levels: dict[tuple[str, int], list[float]] = {}  # a file never changes under its hash
        self._lock = threading.RLock()

    def clips(self) -> list[Clip]:
        """The open record's audio files, in the order recorded."""
        record = self.editor.record
        if record is None:
            return []
        return [_clip(e) for e in record.evidence if e.kind == EvidenceKind.AUDIO]

    def source(self, sha: str) -> bytes:
        """The decrypted bytes of one clip for the player (refused when too large to hold in memory)."""
        clip = next((c for c in self.clips() if c.sha == sha), None)
        if clip is None:
            raise VisitError("该录音已不在记录中")
        if clip.size > self.max_bytes:
            raise VisitError(TOO_BIG.format(size=size_text(clip.size)))
        return self.editor.evidence.read(sha)

    def toggle(self, sha: str) -> str:
        """The play/pause button of one clip: "load" (a new clip: set its source, then play), "pause",
        or "resume"."""
        with self._lock:
            if sha != self.sha:
                clip = next((c for c in self.clips() if c.sha == sha), None)
                if clip is None:
                    raise VisitError("该录音已不在记录中")
                self.sha, self.state, self.position_s, self.duration_s = sha, PlayState.STOPPED, 0.0, clip.duration_s
                action = "load"
            elif self.state == PlayState.PLAYING:
                action = "pause"
            elif self.state == PlayState.COMPLETED:
                self.position_s, action = 0.0, "load"
            else:
                action = "resume"
        self._notify()
        return action

    def playing(self, state: str) -> None:
        """The player's state changed."""
        with self._lock:
            self.state = PlayState(state) if state in PlayState._value2member_map_ else PlayState.STOPPED
            if self.state == PlayState.COMPLETED and self.duration_s:
                self.position_s = self.duration_s
        self._notify()

    def position(self, ms: float) -> None:
        with self._lock:
            if self.state == PlayState.COMPLETED:
                return  # a position event overtaken by the end: the clip stays played to its end
            self.position_s = max(0.0, ms / 1000)
        self._notify()

    def duration(self, ms: float) -> None:
        with self._lock:
            if ms > 0:
                self.duration_s = ms / 1000
                if self.state == PlayState.COMPLETED:
                    self.position_s = self.duration_s
        self._notify()

    def state_of(self, sha: str) -> tuple[str, str]:
        """(button text, "position / duration") of one clip's row."""
        clip = next((c for c in self.clips() if c.sha == sha), None)
        if sha != self.sha or clip is None:
            return "播放", f"00:00 / {clock_text(clip.duration_s if clip else None)}"
        button = "暂停" if self.state == PlayState.PLAYING else "播放"
        return button, f"{clock_text(self.position_s)} / {clock_text(self.duration_s)}"

    def levels(self, sha: str, bars: int = 48) -> list[float]:
        """Loudness of a WAV clip in `bars` slices (0..1), for a small waveform; [] for other formats."""
        if (sha, bars) not in self._levels:
            self._levels[(sha, bars)] = self._measure(sha, bars)
        return self._levels[(sha, bars)]

    def _measure(self, sha: str, bars: int) -> list[float]:
        clip = next((c for c in self.clips() if c.sha == sha), None)
        if clip is None or clip.media_type != "audio/wav" or clip.size > self.max_bytes:
            return []
        data = self.editor.evidence.read(sha)
        if data[:4] != b"RIFF" or len(data) <= HEADER_SIZE:
            return []
        channels = struct.unpack("<H", data[22:24])[0] or 1
        pcm = data[HEADER_SIZE:]
        frame = 2 * channels
        step = max(frame, len(pcm) // bars // frame * frame)
        return [min(1.0, level(pcm[i:i + step]) * 3) for i in range(0, len(pcm) - frame + 1, step)][:bars]


def _clip(ref: EvidenceRef) -> Clip:
    return Clip(sha=ref.sha256, label=ref.caption or ref.filename or ref.sha256[:12], size=ref.size,
                duration_s=ref.duration_s, media_type=ref.media_type)
