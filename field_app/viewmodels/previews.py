"""Upright PNG previews of stored photos for tiles and the camera strip (no flet): decrypted and scaled in
memory, never written to disk, kept in a bounded cache (a file never changes under its hash)."""
from __future__ import annotations

import threading
from collections import OrderedDict

from field_app.capture.photo import thumbnail_png
from field_app.store import EvidenceStore

MAX_PREVIEWS = 200  # about 200 x 60 KB: a visit's photos at two sizes, not every photo ever seen


class Previews:
    """PNG previews by (sha256, side), the least recently used dropped past `limit`."""

    def __init__(self, evidence: EvidenceStore, limit: int = MAX_PREVIEWS) -> None:
        self.evidence, self.limit = evidence, limit
        self._cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def thumbnail(self, sha: str, side: int = 240) -> bytes:
        """An upright PNG of the stored photo, no side longer than `side` (OSError/FieldAppError if unreadable)."""
        key = (sha, side)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        png = thumbnail_png(self.evidence.read(sha), side)
        with self._lock:
            self._cache[key] = png
            while len(self._cache) > self.limit:
                self._cache.popitem(last=False)
        return png
