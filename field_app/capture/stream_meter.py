"""The real format of a PCM16 stream, measured from when its chunks arrive (pure, no flet).

One vote per second of arrivals, each over the last four seconds, for the format whose byte rate
matches (field_app.capture.wav.infer_format); the most frequent wins. On a busy tablet the first
chunks can arrive in bursts or late: those few votes are outvoted by the steady state. A recording
too short for a vote is measured over all its arrivals.
"""
from __future__ import annotations

from collections import Counter, deque

from field_app.capture.wav import PcmFormat, infer_format


class StreamMeter:
    """Votes on the stream's format as chunks arrive; pauses start a new run (gaps are not measured)."""

    def __init__(self, requested: PcmFormat, window_s: float = 4.0, every_s: float = 1.0) -> None:
        self.requested, self.window_s, self.every_s = requested, window_s, every_s
        self.votes: Counter[PcmFormat] = Counter()
        self._latest: PcmFormat | None = None
        self._window: deque[tuple[float, int]] = deque()
        self._last_vote = 0.0
        self._sample = b""
        self._bytes, self._seconds = 0, 0.0  # over every run, first chunk of each run left out

    def new_run(self) -> None:
        """Recording (re)starts: the time before is not stream time."""
        self._window.clear()

    def chunk(self, t: float, size: int, data: bytes = b"") -> bool:
        """A chunk of `size` bytes arrived at `t`; True when a vote was cast (the best format may change)."""
        if len(self._sample) < 8192:
            self._sample += data[:8192 - len(self._sample)]
        if self._window:
            self._bytes += size
            self._seconds += t - self._window[-1][0]
        else:
            self._last_vote = t
        self._window.append((t, size))
        while t - self._window[0][0] > self.window_s:
            self._window.popleft()
        span = t - self._window[0][0]
        if t - self._last_vote < self.every_s or span < 0.9 * self.every_s:
            return False
        self._last_vote = t
        rate = sum(n for _, n in list(self._window)[1:]) / span
        self._latest = infer_format(rate, self._sample, self.requested)
        self.votes[self._latest] += 1
        return True

    @property
    def best(self) -> PcmFormat:
        """The most voted format (the latest among equals); without votes, all arrivals measured at once."""
        if self.votes:
            top = max(self.votes.values())
            leaders = [f for f, n in self.votes.items() if n == top]
            return self._latest if self._latest in leaders else leaders[0]
        rate = self._bytes / self._seconds if self._seconds > 0 else 0.0
        return infer_format(rate, self._sample, self.requested)
