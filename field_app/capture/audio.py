"""Interview audio: in web mode flet-audio-recorder streams raw PCM16 chunks; this writes a correct WAV
from them with the rate and channels the stream really has (a request for 16 kHz mono can be ignored
by the browser). On a device the recorder writes a file itself: `audio_from_file` checks and reads it.
"""
from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass, field
from pathlib import Path

from field_app.errors import FieldAppError

MEDIA_TYPES = {".wav": "audio/wav", ".m4a": "audio/mp4", ".aac": "audio/aac", ".ogg": "audio/ogg",
               ".opus": "audio/ogg", ".webm": "audio/webm", ".flac": "audio/flac"}
NO_AUDIO = "录音为空（没有收到声音数据），请重新录音"
UNKNOWN_FORMAT = "录音文件格式无法识别"


class AudioRejected(FieldAppError):
    """A recording that cannot be kept as evidence."""


@dataclass
class PcmRecording:
    """PCM16 little-endian chunks as they stream in, with the stream's real rate and channels."""

    sample_rate: int
    channels: int
    chunks: list[bytes] = field(default_factory=list)
    _odd: bytes = b""

    def add(self, chunk: bytes) -> None:
        """One streamed chunk (a chunk may end mid-sample: the byte waits for the next chunk)."""
        data = self._odd + chunk
        frame = 2 * self.channels
        whole = len(data) - len(data) % frame
        if whole:
            self.chunks.append(data[:whole])
        self._odd = data[whole:]

    @property
    def frames(self) -> int:
        """Samples per channel received so far."""
        return sum(len(c) for c in self.chunks) // (2 * self.channels)

    @property
    def seconds(self) -> float:
        """Duration received so far (the elapsed time shown while recording)."""
        return self.frames / self.sample_rate

    def wav(self) -> bytes:
        """A WAV file of everything received; AudioRejected when nothing was."""
        if not self.frames:
            raise AudioRejected(NO_AUDIO)
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(self.channels)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(b"".join(self.chunks))
        return out.getvalue()


def wav_info(data: bytes) -> tuple[int, int, float]:
    """(sample rate, channels, seconds) of a WAV file; AudioRejected if it is not one."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getframerate(), w.getnchannels(), w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, struct.error, ZeroDivisionError):
        raise AudioRejected("录音文件已损坏或不完整") from None


def audio_from_file(path: Path) -> tuple[bytes, str]:
    """A recording the device's recorder wrote: its bytes unchanged and its media type."""
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise AudioRejected(UNKNOWN_FORMAT)
    data = path.read_bytes()
    if not data:
        raise AudioRejected(NO_AUDIO)
    if media_type == "audio/wav":
        wav_info(data)
    return data, media_type
