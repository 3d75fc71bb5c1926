"""The evidence findings of the open record, judged on the tablet before sealing (issue 16).

The same function the server runs at ingest (schemas.findings.record_findings) over the same bytes
(read back from the encrypted evidence store), so the team sees before sealing exactly what the
reviewer will see: a photo from 2008, far from the household, an imported file, no fix (pure, no flet)."""
from __future__ import annotations

from datetime import datetime

from field_app.store.evidence import EvidenceStore
from field_app.viewmodels.capture import case_context
from schemas.findings import Finding, record_findings
from schemas.photo_facts import PhotoFacts, StrokeFacts, read_photo, read_strokes
from schemas.protocol import CaseSummary
from schemas.records import EvidenceKind, Role, SurveyRecord


def judged(record: SurveyRecord, case: CaseSummary | None, evidence: EvidenceStore, now: datetime) -> list[Finding]:
    """Every finding of the draft, its files read from the tablet's store (a missing file is not judged)."""
    photos: dict[str, PhotoFacts] = {}
    strokes: dict[str, StrokeFacts] = {}
    for ref in record.evidence:
        if not evidence.has(ref.sha256):
            continue
        if ref.kind == EvidenceKind.PHOTO:
            photos[ref.sha256] = read_photo(evidence.read(ref.sha256), ref.sha256)
        elif ref.role == Role.SIGNATURE_STROKES:
            found = read_strokes(evidence.read(ref.sha256), ref.sha256)
            if found is not None:
                strokes[ref.sha256] = found
    return record_findings(record, case_context(case), photos, strokes, now=now)
