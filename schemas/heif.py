"""HEIF/HEIC decoding for Pillow, where pillow-heif (libheif) is installed.

The server always has it (the `server` extra requires it: iPhone photos arrive as HEIC from office uploads and
older tablets). An Android build of the tablet has none: Flet's mobile package index builds no pillow-heif
(docs/ANDROID.md). There the tablet's own camera writes JPEG, and a HEIC file offered from the gallery is
refused with its own message (field_app/capture/photo.py NO_HEIF), instead of the app failing to start.

`AVAILABLE` is known without importing it (the server's start stays light: issue 19); `register()` installs the
opener once, before the first image is opened (schemas/pil.py does so for every lazily imported Pillow module).
"""
from __future__ import annotations

import importlib.util
import threading

AVAILABLE = importlib.util.find_spec("pillow_heif") is not None
_lock = threading.Lock()
_registered = False


def register() -> bool:
    """Register pillow-heif's opener with Pillow once, where it is installed; whether HEIF can be opened."""
    global _registered
    if not AVAILABLE:
        return False
    with _lock:
        if not _registered:
            try:
                from pillow_heif import register_heif_opener
            except ImportError:  # found but not importable (a broken install): as if absent
                return False
            register_heif_opener()
            _registered = True
    return True
