"""The stream's real format from when its chunks arrive (field_app/capture/stream_meter.py): arrival
times as a busy tablet gives them (late chunks, bursts, slow stretches, jitter), never a clean clock."""
from __future__ import annotations

import random

import pytest

from field_app.capture.stream_meter import KEPT_S, StreamMeter
from field_app.capture.wav import PcmFormat
from tests.field_app.test_wav import tone

REQUESTED = PcmFormat(16000, 1)  # what the app asks for; web mode gives the browser's own format
WEB = PcmFormat(44100, 2)


def _meter(fmt: PcmFormat, arrivals: list[float], chunk_s: float = 0.1) -> StreamMeter:
    """A meter fed chunks of `chunk_s` of `fmt` captured back to back, handled at `arrivals`."""
    meter = StreamMeter(REQUESTED)
    sample = tone(fmt, 0.2)
    step = int(fmt.byte_rate * chunk_s)
    for n, t in enumerate(arrivals):
        meter.chunk(t, step, sample if n == 0 else b"")
    return meter


def _steady(seconds: float, chunk_s: float = 0.1) -> list[float]:
    return [100 + chunk_s * (n + 1) for n in range(int(seconds / chunk_s))]


@pytest.mark.parametrize("fmt", [PcmFormat(16000, 1), PcmFormat(44100, 2), PcmFormat(48000, 2), PcmFormat(48000, 1)])
def test_a_steady_stream_reads_as_its_format(fmt):
    assert _meter(fmt, _steady(4.0)).best == fmt


def test_a_late_first_chunk_and_a_burst_after_it_do_not_make_44k_read_as_48k():
    """As in the CI run that heard a 440 Hz tone at 471 Hz: a 4.6 s clip whose first chunks were handled
    0.3 s late (the screen was being drawn), then in a burst. Measured from the first chunk it reads 8 %
    fast, which is 48 kHz."""
    arrivals = _steady(4.6)
    arrivals[:4] = [arrivals[3]] * 4  # chunks 1-3 wait for chunk 4, then all four come at once
    arrivals[0] += 0.001
    assert _meter(WEB, arrivals).best == WEB


def test_a_slow_stretch_at_the_start_is_outweighed_by_the_steady_rest():
    arrivals, t = [], 100.0
    for n in range(80):
        t += 0.4 if n < 10 else 0.1  # the first ten chunks come four times too slowly
        arrivals.append(t)
    assert _meter(WEB, arrivals).best == WEB


@pytest.mark.parametrize("seed", range(5))
def test_jitter_of_a_busy_tablet_does_not_move_the_format(seed):
    """Each chunk handled up to 150 ms late, independently; a short clip of 5 s."""
    rng = random.Random(seed)
    arrivals = sorted(t + rng.uniform(0, 0.15) for t in _steady(5.0))
    assert _meter(WEB, arrivals).best == WEB
    assert _meter(PcmFormat(48000, 2), arrivals).best == PcmFormat(48000, 2)


@pytest.mark.parametrize("seconds", [0.8, 3.0])  # each run too short for a window, or long enough
def test_a_pause_is_not_stream_time(seconds):
    meter = StreamMeter(REQUESTED)
    step = WEB.byte_rate // 10
    for t in _steady(seconds):
        meter.chunk(t, step, tone(WEB, 0.1))
    meter.new_run()
    for t in _steady(seconds):
        meter.chunk(t + 60, step)  # a minute later (within the two minutes the meter keeps)
    assert meter.best == WEB


def test_a_clip_too_short_for_a_window_is_measured_over_all_its_arrivals():
    assert _meter(WEB, _steady(0.8)).best == WEB


def test_a_long_recording_keeps_a_bounded_window_of_arrivals():
    meter = _meter(WEB, _steady(KEPT_S * 3))
    kept = sum(len(run) for run in meter._runs)
    assert kept <= KEPT_S / 0.1 + 2 and meter.best == WEB


def test_a_burst_of_tiny_chunks_is_folded_into_few_points():
    """A browser may post every 128 frames (3 ms): the meter keeps a point per 20 ms at most."""
    meter = _meter(WEB, [100 + 0.003 * n for n in range(2000)], chunk_s=128 / 44100)
    assert len(meter._runs[0]) <= 6.0 / 0.015 and meter.best == WEB
