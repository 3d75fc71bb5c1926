"""What a stored evidence file really is: its leading bytes, and for images a full decode by Pillow.

A file whose leading bytes say JPEG but whose body is HTML fails the decode and is no image; a "PDF"
without its end-of-file marker is no PDF; an SVG or HTML file announces no allowed format at all. Only JPEG, PNG,
WebP and HEIF ever reach a decoder.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from schemas.evidence_types import HEAD_BYTES, IMAGE_TYPES, MAX_STROKES_BYTES, is_strokes_json, sniff_head
from sync_server.evidence.disk_store import BlobStore
from sync_server.tables import EvidenceType

if TYPE_CHECKING:
    from PIL import Image
else:
    from schemas.pil import Image  # imported at first use (issue 19: start)

PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
DRAFT_SIDE = 128  # JPEGs are decoded at 1/8 scale (a 9 MP phone photo: 30 ms, not 80): every entropy-coded byte
# is still read and checked, only the inverse DCT is cut short


def read_head(path: Path) -> bytes:
    """The first bytes of a file (what the magic numbers are read from)."""
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)


def sniff_file(path: Path) -> str | None:
    """The canonical media type of a stored file, or None if it is no allowed format (or a fake one)."""
    media = sniff_head(read_head(path))
    if media in IMAGE_TYPES and not _decodes_as(path, PILLOW_FORMATS[media]):
        return None
    if media == "application/pdf" and not _ends_like_a_pdf(path):
        return None
    if media == "application/json" and (path.stat().st_size > MAX_STROKES_BYTES
                                        or not is_strokes_json(path.read_bytes())):
        return None
    return media


def _ends_like_a_pdf(path: Path) -> bool:
    """A PDF ends with its end-of-file marker (%%EOF) in the last kilobyte (ISO 32000 7.5.5)."""
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - 1024))
        return b"%%EOF" in file.read()


def _decodes_as(path: Path, pillow_format: str) -> bool:
    """Whether Pillow, allowed only this one format, opens the file as it and decodes every pixel."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[pillow_format]) as image:
                if image.format != pillow_format:
                    return False
                if pillow_format == "JPEG":
                    image.draft("RGB", (DRAFT_SIDE, DRAFT_SIDE))
                image.load()
            if pillow_format == "PNG":
                with Image.open(path, formats=["PNG"]) as again:
                    again.verify()  # chunk CRCs, and the IEND chunk
    except Exception:  # noqa: BLE001 - any decoder failure on untrusted bytes means "not this image"
        return False
    return True


def sniffed_types(session: Session, blobs: BlobStore, shas: set[str]) -> dict[str, str | None]:
    """What each stored file is: the type recorded at upload, or (files stored before types were
    recorded) sniffed now. Nothing is written here."""
    known = {row.sha256: row.media_type
             for row in session.exec(select(EvidenceType).where(col(EvidenceType.sha256).in_(shas)))}
    return {sha: known[sha] if sha in known else sniff_file(blobs.local_path(sha))
            for sha in shas if sha in known or blobs.has(sha)}
