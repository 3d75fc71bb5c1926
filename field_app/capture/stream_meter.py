"""The real format of a PCM16 stream, measured from when its chunks arrive (pure, no flet).

Arrival times are when the app handles a chunk, not when it was captured: on a busy tablet a chunk
can be handled late and the next ones in a burst, or a stretch can come slowly. The byte rate is the
median of many measures, each over about two seconds of arrivals (`LAG_S`) starting at a different
chunk. A late or early chunk spoils only the few measures that start or end on it, and independent
delays push as many measures up as down, so the median holds where one measure from the first chunk
does not: a late first chunk over a 4 s clip made 44.1 kHz stereo read as 48 kHz (issue 7, CI). The
format is the one whose byte rate matches (`field_app.capture.wav.infer_format`). A recording too
short for a measure is measured over all its arrivals.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import deque
from statistics import median

from field_app.capture.wav import PcmFormat, infer_format

LAG_S = 2.0  # each measure spans about this long (half the run while the run is shorter than twice it)
MIN_LAG_S = 0.5
KEPT_S = 120.0  # the measures use the latest two minutes of arrivals (a tablet's memory stays flat)
SPACING_S = 0.02  # arrivals closer than this to the last kept one are folded into it


class StreamMeter:
    """Measures the stream's format as chunks arrive; pauses start a new run (gaps are not measured)."""

    def __init__(self, requested: PcmFormat, every_s: float = 1.0) -> None:
        self.requested, self.every_s = requested, every_s
        self._runs: list[deque[tuple[float, int]]] = []  # per run: (arrival, bytes up to and with it)
        self._last_measure: float | None = None
        self._latest: PcmFormat | None = None  # the last measure; None once chunks came after it
        self._sample = b""

    def new_run(self) -> None:
        """Recording (re)starts: the time before is not stream time."""
        if not self._runs or self._runs[-1]:
            self._runs.append(deque())

    def chunk(self, t: float, size: int, data: bytes = b"") -> bool:
        """A chunk of `size` bytes arrived at `t`; True when the format was measured again (the best
        format may have changed)."""
        if len(self._sample) < 8192:
            self._sample += data[:8192 - len(self._sample)]
        if not self._runs:
            self._runs.append(deque())
        run = self._runs[-1]
        total = (run[-1][1] if run else 0) + size
        if len(run) > 1 and t - run[-2][0] < SPACING_S:
            run[-1] = (t, total)  # a burst: the byte count moves on, the point does not multiply
        else:
            run.append((t, total))
        self._latest = None
        self._forget(t)
        if self._last_measure is None:
            self._last_measure = t
        if t - self._last_measure < self.every_s:
            return False
        self._last_measure = t
        self._latest = self._measure()
        return True

    def _forget(self, now: float) -> None:
        """Keep only the latest `KEPT_S` of arrivals (whole runs first, then the oldest points)."""
        while len(self._runs) > 1 and self._runs[0] and now - self._runs[0][-1][0] > KEPT_S:
            self._runs.pop(0)
        first = self._runs[0]
        while len(first) > 2 and now - first[0][0] > KEPT_S:
            first.popleft()

    def _measure(self) -> PcmFormat:
        rates: list[float] = []
        for run in self._runs:
            rates.extend(_window_rates(list(run)))
        if rates:
            return infer_format(median(rates), self._sample, self.requested)
        spans = [(run[-1][1] - run[0][1], run[-1][0] - run[0][0]) for run in self._runs if len(run) > 1]
        seconds = sum(s for _, s in spans)
        rate = sum(b for b, _ in spans) / seconds if seconds > 0 else 0.0
        return infer_format(rate, self._sample, self.requested)

    @property
    def best(self) -> PcmFormat:
        """The stream's format by every arrival so far (measured again only if chunks came since)."""
        if self._latest is None:
            self._latest = self._measure()
        return self._latest


def _window_rates(points: list[tuple[float, int]]) -> list[float]:
    """Bytes per second over windows of about `LAG_S` (shorter in a short run), one from each point."""
    if len(points) < 3:
        return []
    span = points[-1][0] - points[0][0]
    lag = min(LAG_S, span / 2)
    if lag < MIN_LAG_S:
        return []
    times = [t for t, _ in points]
    rates = []
    for i, (t, total) in enumerate(points):
        j = bisect_left(times, t + lag, lo=i + 1)
        if j >= len(points):
            break
        rates.append((points[j][1] - total) / (points[j][0] - t))
    return rates
