"""Serving evidence bytes so that no browser ever runs them (issue 5 §2).

The type sent is what the leading bytes are, never what the tablet declared; `nosniff` stops the
browser from guessing otherwise; a sandboxing CSP with nothing allowed makes even a document opened
directly an inert, opaque-origin page; only JPEG and PNG are shown inline, everything else downloads.
"""
from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

from schemas.evidence_types import INLINE_TYPES, sniff_head
from sync_server.evidence.sniffing import read_head

EVIDENCE_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
UNKNOWN = "application/octet-stream"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic",
              "audio/mp4": ".m4a", "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm",
              "audio/ogg": ".ogg", "audio/wav": ".wav", "audio/mpeg": ".mp3", "application/pdf": ".pdf"}


def evidence_headers(media_type: str, sha256: str) -> dict[str, str]:
    """The headers every evidence answer carries (originals and previews alike)."""
    disposition = "inline" if media_type in INLINE_TYPES else "attachment"
    return {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": EVIDENCE_CSP,
            "Content-Disposition": f'{disposition}; filename="{sha256[:16]}{EXTENSIONS.get(media_type, ".bin")}"',
            "Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": "private, max-age=3600"}


def evidence_file_response(path: Path, sha256: str) -> FileResponse:
    """A stored file with its sniffed type and the protective headers."""
    media_type = sniff_head(read_head(path)) or UNKNOWN
    return FileResponse(path, media_type=media_type, headers=evidence_headers(media_type, sha256))
