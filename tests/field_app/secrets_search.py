"""Searching a tablet's files for personal data the way an attacker holding the disk would: every
file under a folder (the database, its -wal/-shm/-journal, temp files, evidence), for each marker
in plain UTF-8, base64, hex and UTF-16 (LE and BE), and for windows of a photo's bytes (R21)."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from pathlib import Path


def encodings(marker: str) -> dict[str, bytes]:
    """The forms a marker could take on disk."""
    raw = marker.encode("utf-8")
    return {"utf-8": raw, "base64": base64.b64encode(raw), "base64url": base64.urlsafe_b64encode(raw).rstrip(b"="),
            "hex": binascii.hexlify(raw), "HEX": binascii.hexlify(raw).upper(),
            "utf-16-le": marker.encode("utf-16-le"), "utf-16-be": marker.encode("utf-16-be")}


def photo_windows(data: bytes, count: int = 4, width: int = 64) -> list[bytes]:
    """A few distinctive 64-byte windows of a photo (spread over the file, past the JPEG header)."""
    step = max(1, (len(data) - 2048) // (count + 1))
    return [data[2048 + i * step: 2048 + i * step + width] for i in range(1, count + 1)]


def all_files(*roots: Path) -> list[Path]:
    """Every regular file under the roots (hidden and temporary ones included)."""
    return sorted(p for root in roots if root.exists() for p in Path(root).rglob("*") if p.is_file())


def find(roots: Iterable[Path], markers: Iterable[str] = (), blobs: Iterable[bytes] = (),
         extra: dict[str, bytes] | None = None) -> list[str]:
    """Every hit as "file: what (encoding)"; empty when nothing personal is readable."""
    needles = [(f"{m!r} ({name})", form) for m in markers for name, form in encodings(m).items()]
    needles += [(f"photo bytes #{i}", blob) for i, blob in enumerate(blobs)]
    sources = [(str(p), p.read_bytes()) for p in all_files(*roots)] + list((extra or {}).items())
    lowered = [(where, content, content.lower()) for where, content in sources]
    hits = []
    for where, content, low in lowered:
        for what, needle in needles:
            if needle in content or (what.endswith("(hex)") and needle in low):
                hits.append(f"{where}: {what}")
    return hits
