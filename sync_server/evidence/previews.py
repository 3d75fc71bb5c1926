"""Display copies of photo evidence for the console: upright, small, JPEG (browsers cannot show HEIC).

The evidence file itself is never changed; a preview is made on request from its bytes.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageOps
else:
    from schemas.pil import Image, ImageOps  # imported at first use (issue 19: start)

PREVIEW_SIDE = 960
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")  # never hand untrusted bytes to Pillow's other decoders


def preview_jpeg(path: Path, max_side: int = PREVIEW_SIDE) -> bytes | None:
    """A JPEG no larger than max_side with EXIF orientation applied; None if the file is no image."""
    try:
        with Image.open(path, formats=FORMATS) as image:
            image.draft("RGB", (max_side, max_side))
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85)
    return out.getvalue()
