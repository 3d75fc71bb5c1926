"""The signature pad's strokes (R11): as wide as the screen allows, kept through a rotation, timed."""
from __future__ import annotations

import pytest

from field_app.viewmodels.pad import MAX_WIDTH, MIN_WIDTH, PadStrokes, pad_size


class Tick:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        self.t += 0.05
        return self.t


@pytest.mark.parametrize("available, expected", [(1000, (760, 240)), (560, (560, 224)), (200, (320, 128)),
                                                 (None, (600, 240))])
def test_the_pad_takes_the_width_it_has_within_limits(available, expected):
    assert pad_size(available) == expected and MIN_WIDTH <= expected[0] <= MAX_WIDTH


def test_strokes_drawn_before_a_rotation_keep_their_place_on_the_new_pad_size():
    pen = PadStrokes(Tick())
    pen.begin(60, 24, 600, 240)  # landscape pad
    assert pen.extend(300, 120, 600, 240) == (60, 24, 300, 120)
    # the tablet turns upright: the pad is now 450 x 180, the same stroke scaled into it
    assert pen.lines(450, 180) == [(45.0, 18.0, 225.0, 90.0)]
    pen.begin(225, 90, 450, 180)  # drawing continues on the new size
    pen.extend(400, 160, 450, 180)
    timed = pen.timed(600, 240)
    assert [(x, y) for _, x, y in timed[1]] == [(300.0, 120.0), (pytest.approx(533.33, abs=0.01), pytest.approx(213.33, abs=0.01))]
    times = [t for stroke in timed for t, _, _ in stroke]
    assert times[0] == 0.0 and times == sorted(times) and times[-1] == pytest.approx(0.15)


def test_moves_without_a_touch_are_ignored_and_clear_starts_again():
    pen = PadStrokes(Tick())
    assert pen.extend(10, 10, 600, 240) is None
    pen.begin(10, 10, 600, 240)
    pen.clear()
    assert pen.strokes == [] and pen.lines(600, 240) == []


def test_a_touch_without_a_move_is_a_dot_kept_through_a_rotation_and_drawn_in_the_png():
    from field_app.capture.signature import render_signature

    pen = PadStrokes(Tick())
    pen.begin(60, 120, 600, 240)
    for k in range(1, 12):
        pen.extend(60 + 40 * k, 120 + (-60 if k % 2 else 60), 600, 240)
    pen.begin(300, 180, 600, 240)  # a tap: the dot of 国
    assert pen.dots(450, 180) == [(225.0, 135.0)] and len(pen.lines(450, 180)) == 11
    with_dot = render_signature([[(x, y) for _, x, y in s] for s in pen.timed(600, 240)], 600, 240)
    without = render_signature([[(x, y) for _, x, y in s] for s in pen.timed(600, 240)[:1]], 600, 240)
    assert with_dot != without
