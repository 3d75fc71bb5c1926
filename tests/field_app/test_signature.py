"""Signature pad strokes rendered to PNG evidence (R11, R16)."""
from __future__ import annotations

import io
import math

import pytest
from PIL import Image

from field_app.capture.signature import render_signature
from field_app.errors import SignatureRejected
from tests.field_app.helpers import strokes


def test_the_same_strokes_always_render_the_same_png_bytes():
    assert render_signature(strokes(1), 600, 240) == render_signature(strokes(1), 600, 240)
    assert render_signature(strokes(1), 600, 240) != render_signature(strokes(2), 600, 240)


def test_a_signature_is_black_ink_on_white_at_the_pad_size():
    image = Image.open(io.BytesIO(render_signature(strokes(), 600, 240)))
    assert image.format == "PNG" and image.size == (600, 240) and image.mode == "L"
    histogram = image.histogram()
    white, black = histogram[255], sum(histogram[:64])
    assert white > 0.8 * 600 * 240  # mostly paper
    assert black > 40 * 4  # a 4-pixel line along the strokes
    assert image.getpixel((40, 120)) < 64  # ink where the stroke starts (sin(0) = 0 -> y = 120)
    assert image.getpixel((590, 10)) == 255


def test_the_line_is_about_four_pixels_wide():
    image = Image.open(io.BytesIO(render_signature([[(10, 100), (590, 100)], [(300, 20), (300, 30)]] +
                                                   [[(20 + i, 200) for i in range(10)]], 600, 240)))
    column = [image.getpixel((200, y)) for y in range(90, 111)]
    inked = sum(1 for v in column if v < 128)
    assert 3 <= inked <= 5


def test_an_empty_pad_is_not_a_signature():
    with pytest.raises(SignatureRejected, match="请先签名"):
        render_signature([], 600, 240)
    with pytest.raises(SignatureRejected):
        render_signature([[], []], 600, 240)


def test_a_dot_or_a_tiny_scratch_is_too_little_ink():
    with pytest.raises(SignatureRejected, match="过少"):
        render_signature([[(100, 100), (105, 102)]], 600, 240)  # 2 points
    with pytest.raises(SignatureRejected, match="过少"):
        render_signature([[(100 + i * 0.5, 100) for i in range(30)]], 600, 240)  # 30 points within 15 px


def test_points_that_are_not_numbers_or_outside_the_pad_do_not_count_as_ink():
    junk = [[(math.nan, 3.0)] * 20, [(-500.0, -500.0)] * 20]
    with pytest.raises(SignatureRejected):
        render_signature(junk, 600, 240)
    assert render_signature(junk + strokes(), 600, 240) == render_signature(
        [[(-500.0, -500.0)] * 20] + strokes(), 600, 240)
