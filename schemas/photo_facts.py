"""What the bytes of an evidence file say about themselves: a photo's EXIF time and GPS and its size, a
signature's pen strokes. Read from the ORIGINAL bytes, never from what the tablet wrote beside them.

Shared by the tablet (before sealing) and the server (at ingest), so both judge the same facts
(schemas.findings). Photos are opened from their header only: no pixel is decoded, the EXIF and the
dimensions are all that is read (cheap at ingest, safe on hostile bytes: only the formats the tablet
accepts are opened, and a pixel count beyond Pillow's bomb limit is not an image we read).
"""
from __future__ import annotations

import io
import json
import math
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from schemas import heif  # HEIC opens where pillow-heif is installed
from schemas.records import Location

if TYPE_CHECKING:
    from PIL import Image
else:
    from schemas.pil import Image  # imported at first use (issue 19: start); HEIF registered then, where installed


FORMATS = ("JPEG", "PNG", "WEBP", *(("HEIF",) if heif.AVAILABLE else ()))  # Pillow refuses an unregistered one
EXIF_IFD, GPS_IFD, ORIENTATION = 0x8769, 0x8825, 0x0112
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011


class PhotoFacts(BaseModel):
    """A photo as its bytes describe it (kept with the record on the server, JSON)."""

    sha256: str
    readable: bool = True  # False: the bytes open as no image at all
    width: int = 0  # as displayed, i.e. after EXIF orientation
    height: int = 0
    taken_at: datetime | None = None  # EXIF DateTimeOriginal; naive = the camera's clock (read as Beijing)
    gps: Location | None = None  # EXIF GPS, WGS84


class StrokeFacts(BaseModel):
    """A signature's raw strokes (the JSON beside its image): how much was really written."""

    sha256: str
    points: int
    strokes: int
    width_share: float  # the strokes' extent across the pad, 0..1
    height_share: float  # and down it


def read_photo(data: bytes | Path, sha256: str) -> PhotoFacts:
    """The facts of one photo (its bytes, or the file holding them: only the header is read); unreadable
    bytes are a fact too (readable=False), never an exception."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data, formats=FORMATS) as image:
                width, height = image.size
                exif = safe_exif(image)
    except Exception:  # noqa: BLE001 - untrusted bytes: anything a decoder raises means "not readable"
        return PhotoFacts(sha256=sha256, readable=False)
    if exif.get(ORIENTATION) in (5, 6, 7, 8):  # rotated a quarter turn: displayed sides swap
        width, height = height, width
    return PhotoFacts(sha256=sha256, width=width, height=height, taken_at=taken_at(exif), gps=gps_of(exif))


def safe_exif(image: Image.Image) -> Image.Exif:
    """EXIF as Pillow reads it; broken EXIF means no metadata, not a broken photo."""
    try:
        exif = image.getexif()
        exif.get_ifd(EXIF_IFD)
        exif.get_ifd(GPS_IFD)
        return exif
    except Exception:  # noqa: BLE001 - camera EXIF is untrusted and varied
        return Image.Exif()


def taken_at(exif: Image.Exif) -> datetime | None:
    """EXIF DateTimeOriginal, aware when OffsetTimeOriginal is present."""
    ifd = exif.get_ifd(EXIF_IFD)
    raw = ifd.get(DATETIME_ORIGINAL)
    if not isinstance(raw, str):
        return None
    try:
        taken = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = ifd.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset.strip("\x00 ")) == 6:
        text = offset.strip("\x00 ")
        try:
            sign = -1 if text[0] == "-" else 1
            delta = timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))
            taken = taken.replace(tzinfo=timezone(sign * delta))
        except ValueError:
            pass
    return taken


def gps_of(exif: Image.Exif) -> Location | None:
    """GPS latitude/longitude as signed decimal degrees (WGS84), when present and sane."""
    gps = exif.get_ifd(GPS_IFD)
    try:
        lat = _degrees(gps[2], gps.get(1, "N"), "S")
        lon = _degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180) \
            or (lat == 0 and lon == 0):
        return None
    return Location(lat=lat, lon=lon)


def _degrees(dms: tuple, ref: object, negative: str) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    ref_text = ref.decode() if isinstance(ref, bytes) else str(ref)
    return -value if ref_text.strip("\x00 ").upper() == negative else value


def read_strokes(data: bytes, sha256: str) -> StrokeFacts | None:
    """The facts of a strokes JSON ({"width","height","strokes":[[[t,x,y],...]]}); None if it is not one."""
    try:
        body = json.loads(data)
        width, height = float(body["width"]), float(body["height"])
        strokes = [s for s in body["strokes"] if isinstance(s, list) and s]
        points = [(float(p[-2]), float(p[-1])) for s in strokes for p in s]
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    if width <= 0 or height <= 0:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span_x = (max(xs) - min(xs)) / width if points else 0.0
    span_y = (max(ys) - min(ys)) / height if points else 0.0
    return StrokeFacts(sha256=sha256, points=len(points), strokes=len(strokes),
                       width_share=round(span_x, 4), height_share=round(span_y, 4))
