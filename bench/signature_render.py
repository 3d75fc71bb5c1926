"""What a signature costs on the tablet: pen strokes -> PNG rendering (the real `render_signature`, drawn at
4x and scaled down), and the stroke JSON kept beside it as evidence (`strokes_json`). Prints median and
worst render time, the peak memory the render adds (the process's max RSS, measured in a fresh child
per case, so Pillow's own buffers count), and the sizes of the PNG and the stroke JSON. Asserts nothing.

Run: .venv/bin/python bench/signature_render.py
"""
from __future__ import annotations

import math
import multiprocessing
import resource
import statistics
import time

import _common  # noqa: F401  (puts the repo on sys.path)

RUNS = 25
# (name, pad width, pad height, strokes, points per stroke): a pad drags every 10 px or so
CASES = [("typical (2-3 characters, 600x240)", 600, 240, 12, 40),
         ("long (full name + date, 1100x440 landscape)", 1100, 440, 45, 120)]


def strokes(width: int, height: int, count: int, points: int) -> list[list[tuple[float, float, float]]]:
    """Handwriting-like strokes (t, x, y): short curved runs spread left to right over the pad."""
    out, t = [], 0.0
    for i in range(count):
        cx = width * (0.08 + 0.84 * i / max(count - 1, 1))
        cy = height * (0.35 + 0.3 * math.sin(i * 1.7))
        stroke = []
        for j in range(points):
            a = j / points * 2 * math.pi
            t += 0.016
            stroke.append((round(t, 3), cx + width * 0.04 * math.sin(a * 1.3 + i),
                           cy + height * 0.25 * math.sin(a + i * 0.5)))
        out.append(stroke)
        t += 0.25
    return out


def _case(args: tuple[int, int, int, int]) -> dict[str, float]:
    """One case in a fresh process: the max RSS before and after rendering it RUNS times."""
    from field_app.capture.signature import render_signature
    from field_app.viewmodels.capture import strokes_json, xy

    width, height, count, points = args
    pen = strokes(width, height, count, points)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, png = [], b""
    for _ in range(RUNS):
        t0 = time.perf_counter()
        png = render_signature(xy(pen), width, height)  # type: ignore[arg-type]
        times.append((time.perf_counter() - t0) * 1000)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    raw = strokes_json(pen, width, height)  # type: ignore[arg-type]
    return {"median_ms": statistics.median(times), "max_ms": max(times), "peak_mb": (after - before) / 1024,
            "png_kb": len(png) / 1024, "json_kb": len(raw) / 1024, "points": count * points}


def main() -> None:
    print(f"signature rendering, {RUNS} runs per case, one fresh process per case")
    print(f"{'case':46} {'points':>6} {'median ms':>9} {'max ms':>7} {'+peak MB':>8} {'PNG KB':>7} {'JSON KB':>7}")
    context = multiprocessing.get_context("spawn")
    for name, width, height, count, points in CASES:
        with context.Pool(1) as pool:
            r = pool.apply(_case, ((width, height, count, points),))
        print(f"{name:46} {r['points']:6.0f} {r['median_ms']:9.1f} {r['max_ms']:7.1f} {r['peak_mb']:8.1f} "
              f"{r['png_kb']:7.1f} {r['json_kb']:7.1f}")


if __name__ == "__main__":
    main()
