"""Making a display copy and its thumbnail from an original file (the one place that decodes it)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sync_server.display.watermark import WatermarkFacts, draw_band, font, lines
from sync_server.evidence.previews import FORMATS

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageOps
else:
    from schemas.pil import Image, ImageDraw, ImageOps  # imported at first use (issue 19: start)

DISPLAY_SIDE = 1280
THUMB_SIDE = 320
EXIF_IFD, DATE_TIME_ORIGINAL, DATE_TIME = 0x8769, 0x9003, 0x0132
UNREADABLE = "文件已损坏或不是支持的图片格式。原件未改动，可点“查看原件”下载。"


@dataclass(frozen=True)
class Made:
    """The JPEG bytes of both variants; `ok` False: a placeholder saying why there is no picture."""

    display: bytes
    thumb: bytes
    ok: bool = True


def exif_time(image: Image.Image) -> datetime | None:
    """The EXIF capture time (DateTimeOriginal, else DateTime) as a naive local time, if readable."""
    exif = image.getexif()
    raw = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME)
    try:
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except ValueError:
        return None


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def make(original: Path, facts: WatermarkFacts) -> Made:
    """Decode once, turn upright (EXIF), shrink to DISPLAY_SIDE, stamp the band; the thumbnail is the
    stamped copy shrunk further. An undecodable file gives a placeholder (never an exception)."""
    try:
        with Image.open(original, formats=FORMATS) as image:
            width, height = image.size
            scale = min(1.0, DISPLAY_SIDE / max(width, height, 1))
            image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))  # JPEG: decode small
            taken = exif_time(image)
            image.thumbnail((DISPLAY_SIDE, DISPLAY_SIDE))  # before turning: fewer pixels to turn
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return placeholder(UNREADABLE)
    stamped = draw_band(upright, lines(facts, taken))
    small = stamped.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Made(jpeg(stamped, 85), jpeg(small, 80))


def placeholder(reason: str) -> Made:
    """A grey picture carrying the reason in Chinese, at both sizes."""
    def card(side: int) -> bytes:
        image = Image.new("RGB", (side, side * 3 // 4), (90, 90, 90))
        draw, size = ImageDraw.Draw(image), max(10, side // 24)
        words, row, rows = list(reason), "", []
        for ch in words:  # wrap by width, character by character (Chinese has no spaces)
            if font(size).getlength(row + ch) > side - 2 * size:
                rows.append(row)
                row = ""
            row += ch
        rows.append(row)
        for i, text in enumerate(["照片无法显示", *rows]):
            draw.text((size, size + i * round(size * 1.5)), text, font=font(size), fill=(255, 255, 255))
        return jpeg(image, 80)
    return Made(card(DISPLAY_SIDE), card(THUMB_SIDE), ok=False)
