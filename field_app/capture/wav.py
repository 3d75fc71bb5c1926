"""WAV for streamed PCM16 (pure, no flet): the header, the stream's real format, and its level.

In web mode the recorder streams raw little-endian PCM16 with no word on its format, and the format
asked for (16 kHz mono) is not always what arrives. The real format is measured: bytes per second of
recording time picks the sample rate x channels, and two channels that carry the same samples
(a mono microphone doubled into stereo) tell stereo from a mono stream at twice the rate.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass

SAMPLE_WIDTH = 2  # PCM16
RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)
HEADER_SIZE = 44


@dataclass(frozen=True)
class PcmFormat:
    """Sample rate (Hz) and channel count of a PCM16 stream."""

    rate: int
    channels: int

    @property
    def byte_rate(self) -> int:
        """Bytes per second of audio."""
        return self.rate * self.channels * SAMPLE_WIDTH

    @property
    def frame_size(self) -> int:
        """Bytes per frame (one sample of every channel)."""
        return self.channels * SAMPLE_WIDTH

    def duration_s(self, data_bytes: int) -> float:
        """Seconds of audio in `data_bytes` of PCM."""
        return data_bytes / self.byte_rate


def wav_header(fmt: PcmFormat, data_bytes: int) -> bytes:
    """The 44-byte RIFF/WAVE header of a PCM16 file holding `data_bytes` of samples."""
    if data_bytes % fmt.frame_size:
        raise ValueError("data is not a whole number of frames")
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, fmt.channels, fmt.rate, fmt.byte_rate,
                                    fmt.frame_size, SAMPLE_WIDTH * 8)
            + b"data" + struct.pack("<I", data_bytes))


def _doubled(sample: bytes) -> bool:
    """Whether interleaved pairs of samples are (almost all) equal: one source on two channels."""
    frames = len(sample) // 4
    if frames < 64:
        return False
    values = struct.unpack(f"<{frames * 2}h", sample[:frames * 4])
    same = sum(1 for i in range(0, len(values), 2) if values[i] == values[i + 1])
    return same >= 0.9 * frames


def infer_format(bytes_per_s: float, sample: bytes, requested: PcmFormat) -> PcmFormat:
    """The stream's real format from its measured byte rate and a sample of its bytes.

    The requested format wins if its byte rate is within 3 % of the measure; otherwise the nearest
    byte rate, and between a stereo and a mono format of that same byte rate, stereo if the two
    channels carry the same samples."""
    if bytes_per_s <= 0:
        return requested

    def off(f: PcmFormat) -> float:
        return abs(math.log(bytes_per_s / f.byte_rate))

    if off(requested) <= 0.03:
        return requested
    candidates = [PcmFormat(r, c) for r in RATES for c in (1, 2)]
    best = min(off(f) for f in candidates)
    near = [f for f in candidates if off(f) <= best + 1e-9]
    stereo = [f for f in near if f.channels == 2]
    mono = [f for f in near if f.channels == 1]
    if stereo and (_doubled(sample) or not mono):
        return stereo[0]
    return mono[0]


def level(chunk: bytes) -> float:
    """Loudness of a PCM16 chunk from 0 (silence) to 1 (full scale), as RMS."""
    n = len(chunk) // SAMPLE_WIDTH
    if n == 0:
        return 0.0
    step = max(1, n // 2048)  # a few thousand samples are enough for a meter
    values = struct.unpack(f"<{n}h", chunk[:n * SAMPLE_WIDTH])[::step]
    return min(1.0, math.sqrt(sum(v * v for v in values) / len(values)) / 32768.0)
