"""Interview audio (R10): PCM16 streamed in web mode becomes a correct WAV at the stream's real rate and
channels; a device's file is kept unchanged."""
from __future__ import annotations

import math
import struct
import wave
from io import BytesIO

import pytest

from field_app.capture.audio import AudioRejected, PcmRecording, audio_from_file, wav_info


def _tone(rate: int, channels: int, seconds: float) -> bytes:
    frames = int(rate * seconds)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) * channels
                    for i in range(frames))


@pytest.mark.parametrize("rate, channels", [(48_000, 1), (44_100, 2), (16_000, 1)])
def test_streamed_pcm_becomes_a_wav_at_the_real_rate_and_channels(rate, channels):
    pcm = _tone(rate, channels, 0.5)
    recording = PcmRecording(sample_rate=rate, channels=channels)
    for start in range(0, len(pcm), 4097):  # odd chunk sizes: samples split across chunks
        recording.add(pcm[start:start + 4097])
    assert recording.seconds == pytest.approx(0.5)
    data = recording.wav()
    assert wav_info(data) == (rate, channels, pytest.approx(0.5))
    with wave.open(BytesIO(data)) as w:
        assert w.readframes(w.getnframes()) == pcm  # every sample, in order


def test_an_empty_recording_is_refused_and_a_cut_wav_is_broken(tmp_path):
    with pytest.raises(AudioRejected, match="录音为空"):
        PcmRecording(48_000, 1).wav()
    recording = PcmRecording(48_000, 1)
    recording.add(_tone(48_000, 1, 0.2))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(recording.wav()[:30])
    with pytest.raises(AudioRejected):
        audio_from_file(cut)


def test_a_device_recording_is_kept_unchanged(tmp_path):
    file = tmp_path / "visit.m4a"
    file.write_bytes(b"\x00\x00\x00\x20ftypM4A " + b"\x01" * 100)
    assert audio_from_file(file) == (file.read_bytes(), "audio/mp4")
    with pytest.raises(AudioRejected, match="无法识别"):
        audio_from_file(tmp_path / "x.exe")
