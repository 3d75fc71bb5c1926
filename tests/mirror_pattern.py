"""A known, left-right asymmetric picture for the camera tests: a red band down the left quarter, a
blue field, and a white square in the top left corner. Mirrored, the red band is on the right.

As a JPEG (what camera_web hands over) for the view-model test, and as a Y4M clip that Chromium's fake
camera plays (`--use-file-for-fake-video-capture=`) for the browser test."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 640, 480
RED, BLUE, WHITE = (220, 30, 30), (30, 60, 200), (255, 255, 255)


def pattern(width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    image = Image.new("RGB", (width, height), BLUE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 4, height), fill=RED)
    draw.rectangle((width // 16, height // 12, width // 16 + width // 8, height // 12 + width // 8), fill=WHITE)
    return image


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def write_y4m(path: Path, frames: int = 2) -> Path:
    """The pattern as a YUV 4:2:0 clip (Y4M), which Chromium's fake capture device loops."""
    image = pattern()
    y, cb, cr = image.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F30:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path


def _reddish(rgb: Image.Image, x: int) -> bool:
    r, g, b = rgb.getpixel((x, rgb.size[1] // 2))  # type: ignore[misc]
    return r > 150 and g < 100 and b < 100


def band_shown(image: Image.Image) -> bool:
    """Whether the red band shows on exactly one side: a frame of the pattern, whichever way round."""
    rgb = image.convert("RGB")
    w = rgb.size[0]
    return _reddish(rgb, w // 10) != _reddish(rgb, w - 1 - w // 10)


def red_on_left(image: Image.Image) -> bool:
    """Whether the red band is on the left (as shot), not on the right (mirrored)."""
    rgb = image.convert("RGB")
    w, h = rgb.size

    def reddish(x: int) -> bool:
        r, g, b = rgb.getpixel((x, h // 2))  # type: ignore[misc]
        return r > 150 and g < 100 and b < 100

    left, right = reddish(w // 10), reddish(w - 1 - w // 10)
    assert left != right, f"no red band on either side: {rgb.getpixel((w // 10, h // 2))}"
    return left
