"""The WAV writer for streamed PCM16 (R10 interview audio): header for the real format, read back
by the stdlib `wave` module; the stream's real rate and channels measured, not assumed."""
from __future__ import annotations

import io
import math
import struct
import wave

import pytest

from field_app.capture.wav import PcmFormat, infer_format, level, wav_header


def tone(fmt: PcmFormat, seconds: float, doubled: bool = True) -> bytes:
    """A 440 Hz tone; in stereo both channels equal (a mono microphone doubled) unless `doubled` is off."""
    frames = int(fmt.rate * seconds)
    out = bytearray()
    for i in range(frames):
        v = int(8000 * math.sin(2 * math.pi * 440 * i / fmt.rate))
        out += struct.pack("<h", v) * fmt.channels if doubled or fmt.channels == 1 else struct.pack("<hh", v, -v // 2)
    return bytes(out)


@pytest.mark.parametrize("fmt", [PcmFormat(16000, 1), PcmFormat(48000, 1), PcmFormat(44100, 2), PcmFormat(48000, 2)])
def test_header_reads_back_with_the_real_rate_channels_and_duration_r10(fmt):
    pcm = tone(fmt, 1.5)
    with wave.open(io.BytesIO(wav_header(fmt, len(pcm)) + pcm)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (fmt.rate, fmt.channels, 2)
        assert w.getnframes() / w.getframerate() == pytest.approx(1.5, abs=0.001)
        assert w.readframes(w.getnframes()) == pcm


def test_header_refuses_a_partial_frame():
    with pytest.raises(ValueError):
        wav_header(PcmFormat(48000, 2), 6)


@pytest.mark.parametrize("real", [PcmFormat(48000, 1), PcmFormat(44100, 1), PcmFormat(48000, 2), PcmFormat(16000, 1)])
def test_real_format_is_measured_when_the_request_for_16k_mono_is_ignored_r10(real):
    """A stream 5 % off its nominal byte rate (arrival jitter) still gives its real format."""
    sample = tone(real, 0.05)
    assert infer_format(real.byte_rate * 1.04, sample, PcmFormat(16000, 1)) == real
    assert infer_format(real.byte_rate * 0.96, sample, PcmFormat(16000, 1)) == real


def test_same_byte_rate_stereo_doubled_vs_mono_at_twice_the_rate():
    """64 000 B/s is 16 kHz stereo or 32 kHz mono: equal channels say stereo."""
    stereo = PcmFormat(16000, 2)
    assert infer_format(64000, tone(stereo, 0.05), PcmFormat(48000, 1)) == stereo
    assert infer_format(64000, tone(PcmFormat(32000, 1), 0.05), PcmFormat(48000, 1)) == PcmFormat(32000, 1)


def test_level_is_zero_for_silence_and_grows_with_loudness():
    assert level(bytes(4000)) == 0.0
    assert 0.1 < level(tone(PcmFormat(16000, 1), 0.1)) < 0.3
    assert level(struct.pack("<h", -32768) * 100) == pytest.approx(1.0)
