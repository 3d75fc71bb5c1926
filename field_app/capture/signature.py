"""Handwritten signatures: strokes from the signature pad rendered to a PNG.

Rendering is deterministic (same strokes, same bytes): black ink on white, drawn at 4x and
scaled down for smooth edges, no timestamps or other metadata in the PNG.

The PNG is what the respondent saw and what the reviewer reads; the raw strokes (t, x, y) are
kept beside it as a second evidence file (role signature_strokes, see viewmodels/capture.py), so a
handwriting expert has the pen's path and timing, not only pixels.
A blank pad, a dot or a single straight line is refused.
"""
from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from field_app.errors import SignatureRejected

Stroke = list[tuple[float, float]]

SCALE = 4
INK_WIDTH = 4  # pixels at the final size
MIN_POINTS = 10
MIN_EXTENT = 20  # the ink must span at least this many pixels (width or height)
MIN_THICKNESS = 8  # ...and at least this many in the other direction (a straight line is no signature)
NO_STROKES = "请先签名"
TOO_LITTLE = "签名笔画过少，请在签名框内重新完整签名"


def ink_points(strokes: list[Stroke]) -> int:
    """How many finite points the strokes hold."""
    return sum(1 for stroke in strokes for x, y in stroke if math.isfinite(x) and math.isfinite(y))


def check_strokes(strokes: list[Stroke], width: int, height: int) -> list[Stroke]:
    """The strokes clipped to finite points; raises SignatureRejected if they are not a signature."""
    clean = [[(float(x), float(y)) for x, y in stroke if math.isfinite(x) and math.isfinite(y)]
             for stroke in strokes]
    clean = [s for s in clean if s]
    if not clean:
        raise SignatureRejected(NO_STROKES)
    inside = [(x, y) for s in clean for x, y in s if 0 <= x <= width and 0 <= y <= height]
    if len(inside) < MIN_POINTS:
        raise SignatureRejected(TOO_LITTLE)
    xs, ys = [p[0] for p in inside], [p[1] for p in inside]
    spans = sorted((max(xs) - min(xs), max(ys) - min(ys)))
    if spans[1] < MIN_EXTENT or spans[0] < MIN_THICKNESS:
        raise SignatureRejected(TOO_LITTLE)
    return clean


def render_signature(strokes: list[Stroke], width: int = 600, height: int = 240) -> bytes:
    """PNG bytes of the strokes (pad coordinates, origin top-left); raises SignatureRejected."""
    if width <= 0 or height <= 0:
        raise ValueError("signature pad size must be positive")
    clean = check_strokes(strokes, width, height)
    big = Image.new("L", (width * SCALE, height * SCALE), 255)
    draw = ImageDraw.Draw(big)
    pen = INK_WIDTH * SCALE
    for stroke in clean:
        points = [(round(x * SCALE), round(y * SCALE)) for x, y in stroke]
        if len(points) > 1:
            draw.line(points, fill=0, width=pen, joint="curve")
        for x, y in (points[0], points[-1]) if len(points) > 1 else points:
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=0)
    small = big.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=False)
    return out.getvalue()
