"""Playing the record's recordings back on the tablet: the view-model behind the player (no flet)."""
from __future__ import annotations

import pytest

from field_app.capture.wav import PcmFormat
from field_app.errors import VisitError
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.playback import AudioPlayback, PlayState, clock_text
from tests.field_app.helpers import case_summary, start_notified
from tests.field_app.test_recording import stream

FMT = PcmFormat(16000, 1)


@pytest.fixture
def editor(editor: VisitEditor) -> VisitEditor:
    """With a home visit open and its notification done (recording is allowed)."""
    start_notified(editor, case_summary())
    return editor


def _record(recorder, ticks, seconds: float) -> str:
    recorder.start()
    stream(recorder, ticks, FMT, seconds)
    ref = recorder.stop()
    assert ref is not None
    return ref.sha256


def test_clips_play_pause_resume_and_follow_the_players_events(recorder, ticks, editor):
    first, second = _record(recorder, ticks, 2.0), _record(recorder, ticks, 1.0)
    playback = AudioPlayback(editor)
    clips = playback.clips()
    assert [c.sha for c in clips] == [first, second] and clips[0].duration_s == pytest.approx(2.0, abs=0.1)
    assert clips[0].size == 44 + 2 * 16000 * 2

    assert playback.state_of(first) == ("播放", "00:00 / 00:02")
    assert playback.toggle(first) == "load"
    data = playback.source(first)
    assert data[:4] == b"RIFF" and len(data) == clips[0].size  # the decrypted WAV, in memory
    playback.playing("playing")
    playback.position(1500)
    assert playback.state_of(first) == ("暂停", "00:01 / 00:02")
    assert playback.toggle(first) == "pause"
    playback.playing("paused")
    assert playback.toggle(first) == "resume"
    playback.playing("completed")
    assert playback.position_s == pytest.approx(2.0, abs=0.1)
    playback.position(1000)  # a position event overtaken by the end changes nothing
    assert playback.position_s == pytest.approx(2.0, abs=0.1)
    assert playback.toggle(first) == "load" and playback.position_s == 0  # played to the end: from the start
    assert playback.toggle(second) == "load" and playback.state == PlayState.STOPPED
    assert playback.state_of(first)[1] == "00:00 / 00:02"  # the other row is back at rest


def test_the_waveform_follows_the_loudness_and_large_clips_are_not_loaded(recorder, ticks, editor):
    sha = _record(recorder, ticks, 2.0)
    playback = AudioPlayback(editor)
    bars = playback.levels(sha, bars=20)
    assert len(bars) == 20 and all(0.3 < b <= 1.0 for b in bars)  # a steady tone: even bars
    small = AudioPlayback(editor, max_bytes=1000)
    with pytest.raises(VisitError, match="过大"):
        small.source(sha)
    assert small.levels(sha) == []
    with pytest.raises(VisitError):
        playback.toggle("0" * 64)


def test_clock_text():
    assert clock_text(None) == "--:--" and clock_text(65.9) == "01:05" and clock_text(3725) == "1:02:05"
