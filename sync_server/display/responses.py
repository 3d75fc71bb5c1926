"""Serving a display copy: find the record it stands for, make it once if needed, send the file."""
from __future__ import annotations

from fastapi.responses import FileResponse
from sqlmodel import Session

from sync_server.display.context import citing_record, facts_for
from sync_server.display.copies import DisplayCopies, Variant
from sync_server.display.watermark import WatermarkFacts
from sync_server.evidence.responses import evidence_headers
from sync_server.tables import Account


def display_response(session: Session, viewer: Account, copies: DisplayCopies, sha256: str,
                     wanted_record: str | None, variant: Variant) -> FileResponse:
    """The copy for a viewer already allowed to read the original; made from the record's facts on first
    view (the facts are read, then the session lets go of its connection before the decoding starts)."""
    record_id = citing_record(session, viewer, sha256, wanted_record)

    def facts() -> WatermarkFacts:
        found = facts_for(session, sha256, record_id)
        session.close()  # the request's connection goes back to the pool while the photo is decoded
        return found

    path = copies.get(sha256, record_id, variant, facts)
    headers = evidence_headers("image/jpeg", sha256)
    headers["Content-Disposition"] = f'inline; filename="{sha256[:16]}-{variant.value}.jpg"'
    return FileResponse(path, media_type="image/jpeg", headers=headers)
