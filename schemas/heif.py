"""HEIF/HEIC decoding for Pillow, where pillow-heif (libheif) is installed.

The server always has it (the `server` extra requires it: iPhone photos arrive as HEIC from office uploads and
older tablets). An Android build of the tablet has none: Flet's mobile package index builds no pillow-heif
(docs/ANDROID.md). There the tablet's own camera writes JPEG, and a HEIC file offered from the gallery is
refused with its own message (field_app/capture/photo.py NO_HEIF), instead of the app failing to start.
"""
from __future__ import annotations

try:
    from pillow_heif import register_heif_opener
except ImportError:  # Android: no libheif build (docs/ANDROID.md)
    AVAILABLE = False
else:
    register_heif_opener()
    AVAILABLE = True
