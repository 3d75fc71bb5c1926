"""Upright PNG previews of stored photos, for the evidence grid and the camera screen alike (its own
module, so those two screens need not import each other)."""
from __future__ import annotations

from field_app.viewmodels.previews import Previews
from field_app.views.context import SessionContext

_PREVIEWS: dict[int, Previews] = {}  # per evidence store (one per tablet process)


def thumbnail(ctx: SessionContext, sha: str, side: int = 240) -> bytes:
    """An upright PNG preview of a stored photo (viewmodels/previews.py: bounded cache)."""
    evidence = ctx.model.visit.evidence
    previews = _PREVIEWS.setdefault(id(evidence), Previews(evidence))
    return previews.thumbnail(sha, side)
