"""The strokes on a signature pad while they are drawn: kept as fractions of the pad, with their time,
so a rotation or a resize of the tablet (a pad of another width) keeps every stroke in its place.

No flet here: the view feeds pointer positions in pixels of the pad's current size and draws
`lines(width, height)`; on confirm the strokes go to VisitEditor.sign as (t, x, y) pixels.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable

Point = tuple[float, float, float]  # (t seconds since the first point, x fraction, y fraction)
MIN_WIDTH, MAX_WIDTH, RATIO, MAX_HEIGHT = 320, 760, 0.4, 240  # as wide as there is room for; two pads fit a screen


def pad_size(available_width: float | None) -> tuple[int, int]:
    """Width and height of a pad that takes the width it has (both orientations), within limits."""
    width = int(max(MIN_WIDTH, min(MAX_WIDTH, available_width or 600)))
    return width, min(int(width * RATIO), MAX_HEIGHT)


class PadStrokes:
    """The strokes of one pad being signed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.strokes: list[list[Point]] = []
        self._t0: float | None = None

    def _point(self, x: float, y: float, width: float, height: float) -> Point:
        now = self.clock()
        if self._t0 is None:
            self._t0 = now
        return (round(now - self._t0, 3), x / width, y / height)

    def begin(self, x: float, y: float, width: float, height: float) -> None:
        """A finger or pen touches the pad."""
        self.strokes.append([self._point(x, y, width, height)])

    def extend(self, x: float, y: float, width: float, height: float) -> tuple[float, float, float, float] | None:
        """The pen moved; returns the new segment in pixels (x1, y1, x2, y2) to draw, or None."""
        if not self.strokes:
            return None
        _, fx, fy = self.strokes[-1][-1]
        self.strokes[-1].append(self._point(x, y, width, height))
        return fx * width, fy * height, x, y

    def clear(self) -> None:
        """Start again."""
        self.strokes, self._t0 = [], None

    def lines(self, width: float, height: float) -> list[tuple[float, float, float, float]]:
        """Every segment in pixels of a pad of this size (to redraw after a resize)."""
        out = []
        for stroke in self.strokes:
            for (_, ax, ay), (_, bx, by) in itertools.pairwise(stroke):
                out.append((ax * width, ay * height, bx * width, by * height))
        return out

    def dots(self, width: float, height: float) -> list[tuple[float, float]]:
        """Every stroke that is one touch without a move (a dot, 丶), in pixels of a pad of this size."""
        return [(stroke[0][1] * width, stroke[0][2] * height) for stroke in self.strokes if len(stroke) == 1]

    def timed(self, width: float, height: float) -> list[list[tuple[float, float, float]]]:
        """The strokes as (t, x, y) in pixels of a pad of this size, for VisitEditor.sign."""
        return [[(t, fx * width, fy * height) for t, fx, fy in stroke] for stroke in self.strokes]
