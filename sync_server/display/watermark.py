"""The watermark band: what it says (pure) and how it is drawn (Pillow, the bundled CJK font)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from schemas.beijing import beijing_text

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont
else:
    from schemas.pil import Image, ImageDraw, ImageFont  # imported at first use (issue 19: start)

FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "cjk.ttf"
BAND_ALPHA = 150  # of 255: dark enough for white text on a white wall, light enough to see the photo through
UNKNOWN_TIME = "时间不详"


@dataclass(frozen=True)
class WatermarkFacts:
    """What a display copy is stamped with; `taken_at` None: the EXIF time is used, else 时间不详."""

    taken_at: datetime | None = None
    place: str = ""
    case_id: str = ""
    surveyors: list[str] = field(default_factory=list)  # real names


def beijing(moment: datetime) -> str:
    """A time as Beijing time to the minute (a naive time is taken as Beijing time already, as EXIF is)."""
    return beijing_text(moment)


def coordinates(lat: float, lon: float) -> str:
    """北纬 29.71234，东经 106.63211 (南纬/西经 when negative)."""
    return (f"{'北纬' if lat >= 0 else '南纬'} {abs(lat):.5f}，"
            f"{'东经' if lon >= 0 else '西经'} {abs(lon):.5f}")


def lines(facts: WatermarkFacts, exif_time: datetime | None = None) -> list[str]:
    """The band's four lines, in Chinese."""
    if facts.taken_at is not None:
        taken = f"{beijing(facts.taken_at)}（北京时间）"
    elif exif_time is not None:
        taken = f"{beijing(exif_time)}（相机记录时间）"  # EXIF has no time zone: say whose clock it is
    else:
        taken = UNKNOWN_TIME
    return [f"拍摄时间：{taken}", f"地点：{facts.place or '不详'}", f"案件编号：{facts.case_id or '—'}",
            f"调查人员：{'、'.join(facts.surveyors) or '—'}"]


@lru_cache(maxsize=32)
def font(size: int) -> ImageFont.FreeTypeFont:
    """The bundled CJK font at a pixel size (loaded once per size)."""
    return ImageFont.truetype(str(FONT), size)


def fitting_size(texts: list[str], width: int, height: int) -> int:
    """The largest font size (≤ width/40 and height/22, ≥ 8 px) at which every line fits the width."""
    size = max(8, min(width // 40, height // 22))
    margin = max(4, width // 80)
    while size > 8 and max(font(size).getlength(t) for t in texts) > width - 2 * margin:
        size -= 1
    return size


def draw_band(image: Image.Image, texts: list[str]) -> Image.Image:
    """A copy of the RGB image with a semi-opaque dark band across its foot carrying the lines in white."""
    width, height = image.size
    size = fitting_size(texts, width, height)
    margin, leading = max(4, width // 80), round(size * 1.3)
    band = leading * len(texts) + 2 * margin
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, max(0, height - band), width, height), fill=(0, 0, 0, BAND_ALPHA))
    face, stroke = font(size), max(1, size // 16)
    for i, text in enumerate(texts):
        draw.text((margin, height - band + margin + i * leading), text, font=face, fill=(255, 255, 255, 255),
                  stroke_width=stroke, stroke_fill=(0, 0, 0, 255))
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
