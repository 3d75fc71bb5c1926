"""Photo evidence: check that the bytes are a whole, decodable photo, read its EXIF time and GPS,
and keep the ORIGINAL bytes unchanged (authenticity: the hash is of what the camera wrote).

Only a few formats are opened at all (JPEG, PNG, HEIF/HEIC, WebP), so hostile bytes never reach
an exotic decoder, and the pixel count is checked from the header before any decoding.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError

from field_app.errors import PhotoRejected
from schemas import heif  # HEIC opens where pillow-heif is installed: not on Android
from schemas.findings import MIN_SIDE
from schemas.photo_facts import gps_of, safe_exif, taken_at
from schemas.records import Location

heif.register()  # the tablet opens photos with Pillow itself: HEIC from the gallery, where it can
MAX_PIXELS: int = Image.MAX_IMAGE_PIXELS or 89_478_485  # Pillow's bomb limit (about 89 MP): above any tablet camera
MAX_BYTES = 60 * 1024 * 1024
FORMATS = ("JPEG", "PNG", "WEBP", *(("HEIF",) if heif.AVAILABLE else ()))  # Pillow refuses an unregistered one
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heif", "WEBP": "image/webp"}

BROKEN = "照片文件已损坏或不完整，请重新拍摄"
NOT_A_PHOTO = "不是可识别的照片文件（支持 JPEG、PNG、HEIC/HEIF、WebP）"
TOO_LARGE = "照片像素过大，可能是异常文件，请用平板相机重新拍摄"
TOO_BIG_FILE = "照片文件过大（超过 60 MB），请调低相机分辨率后重新拍摄"
EMPTY = "照片文件为空，请重新拍摄"
NO_HEIF = "此平板不能读取 HEIC/HEIF 照片，请用平板相机拍摄，或先转成 JPEG"  # schemas/heif.py: Android
SMALL = f"照片分辨率过低（短边不足 {MIN_SIDE} 像素），可能看不清内容"



@dataclass(frozen=True)
class Photo:
    """A photo accepted as evidence: the original bytes and what was read from them."""

    data: bytes
    media_type: str
    width: int  # as displayed, i.e. after EXIF orientation
    height: int
    taken_at: datetime | None
    gps: Location | None
    small: bool = False  # below MIN_SIDE on its shorter side: accepted with a warning

    @property
    def warning(self) -> str:
        """A Chinese warning to show (empty when there is none)."""
        return SMALL if self.small else ""


def _open(data: bytes) -> Image.Image:
    """Open from the header only, guarding the pixel count before any decoding."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(TOO_LARGE) from None
        except UnidentifiedImageError:
            if data[4:8] == b"ftyp" and not heif.AVAILABLE:
                raise PhotoRejected(NO_HEIF) from None
            raise PhotoRejected(BROKEN if _looks_like_a_photo(data) else NOT_A_PHOTO) from None
        except Exception:  # noqa: BLE001 - a header no decoder can parse means a broken file
            raise PhotoRejected(BROKEN) from None
    if image.width <= 0 or image.height <= 0:
        raise PhotoRejected(BROKEN)
    if image.width * image.height > MAX_PIXELS:
        raise PhotoRejected(TOO_LARGE)
    return image


def _looks_like_a_photo(data: bytes) -> bool:
    """The file starts like a supported format (so failing to open it means it is damaged)."""
    return (data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
            or (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or data[4:8] == b"ftyp")


def _boxes_complete(data: bytes) -> bool:
    """HEIF/HEIC: every top-level ISO-BMFF box (ftyp, meta, mdat...) lies wholly inside the file.

    libheif decodes a truncated iPhone HEIC without an error, filling the missing tiles with green:
    a box running past the end of the file is how the truncation shows."""
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        if size == 1:
            if offset + 16 > len(data):
                return False
            size = int.from_bytes(data[offset + 8:offset + 16], "big")
        elif size == 0:
            return True  # the last box runs to the end of the file
        if size < 8 or offset + size > len(data):
            return False
        offset += size
    return offset == len(data)


def _decode_fully(data: bytes) -> Image.Image:
    """verify() on one image, then a full pixel load in a fresh one (verify leaves it unusable)."""
    if data[4:8] == b"ftyp" and not _boxes_complete(data):
        raise PhotoRejected(BROKEN)
    _open(data).verify()
    image = _open(data)
    image.load()  # a truncated or corrupt stream fails here (LOAD_TRUNCATED_IMAGES stays False)
    return image


def ingest_photo(data: bytes, filename: str = "") -> Photo:
    """Check a photo and read its metadata; raises PhotoRejected with a Chinese reason naming the file.

    `filename` is informative only: the format is read from the bytes, never from the name.
    """
    try:
        return _ingest(data)
    except PhotoRejected as rejected:
        if filename:
            raise PhotoRejected(rejected.reason, filename) from None
        raise


def _ingest(data: bytes) -> Photo:
    if not data:
        raise PhotoRejected(EMPTY)
    if len(data) > MAX_BYTES:
        raise PhotoRejected(TOO_BIG_FILE)
    try:
        image = _decode_fully(data)
    except PhotoRejected:
        raise
    except MemoryError:
        raise PhotoRejected(TOO_LARGE) from None
    except Exception:  # noqa: BLE001 - any decoder failure on untrusted bytes means a broken photo
        raise PhotoRejected(BROKEN) from None
    exif = safe_exif(image)  # read as the server reads it (schemas.photo_facts)
    width, height = image.size
    if exif.get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn: displayed sides swap
        width, height = height, width
    return Photo(data=data, media_type=_media_type(image, data), width=width, height=height,
                 taken_at=taken_at(exif), gps=gps_of(exif), small=min(width, height) < MIN_SIDE)


def _media_type(image: Image.Image, data: bytes) -> str:
    if image.format == "HEIF" and data[8:12] in (b"heic", b"heix", b"heim", b"heis"):
        return "image/heic"
    return MEDIA_TYPES[image.format or "JPEG"]


def thumbnail_png(data: bytes, max_side: int = 512) -> bytes:
    """A PNG preview, upright (EXIF orientation applied), no side longer than `max_side`."""
    image = _open(data)
    image.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced scale, much faster
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def display_jpeg(data: bytes, max_side: int = 1600, quality: int = 85) -> bytes:
    """An upright JPEG display copy for the full-screen viewer (in memory only; the evidence stays as captured)."""
    image = _open(data)
    image.draft("RGB", (max_side, max_side))
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()
