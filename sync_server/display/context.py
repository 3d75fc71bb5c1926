"""The facts a display copy is stamped with, read from the record that cites the photo (no decoding here)."""
from __future__ import annotations

from sqlmodel import Session

from schemas.records import EvidenceKind, EvidenceRef, Location, SealedRecord, SurveyRecord
from sync_server.display.watermark import WatermarkFacts, coordinates
from sync_server.tables import Account, Case, Record, RecordEvidence, queries


def place_of(record: SurveyRecord, ref: EvidenceRef | None, case: Case | None) -> str:
    """The photo's own fix, else the record's, else the visit's start fix; else the household's address."""
    fixes: list[Location | None] = [ref.location if ref else None, record.location,
                                    record.start_fix.location if record.start_fix else None]
    found = next((f for f in fixes if f is not None), None)
    if found is not None:
        return coordinates(found.lat, found.lon)
    return case.address if case is not None else ""


def record_facts(session: Session, record: SurveyRecord) -> dict[str, WatermarkFacts]:
    """The watermark facts of every photo in a record, by SHA-256 (surveyors by real name)."""
    case = session.get(Case, record.case_id)
    names = {u: a.name for u, a in queries.accounts_by_username(session, set(record.surveyors)).items()}
    surveyors = [names.get(u, u) for u in record.surveyors]
    return {ref.sha256: WatermarkFacts(ref.captured_at, place_of(record, ref, case), record.case_id, surveyors)
            for ref in record.evidence if ref.kind == EvidenceKind.PHOTO}


def stored_record(session: Session, record_id: str) -> SurveyRecord | None:
    row = session.get(Record, record_id)
    return SealedRecord.model_validate_json(row.sealed_json).record if row is not None else None


def facts_for(session: Session, sha256: str, record_id: str | None) -> WatermarkFacts:
    """The facts for one photo in one record (no record: nothing known, the EXIF time at most)."""
    record = stored_record(session, record_id) if record_id else None
    if record is None:
        return WatermarkFacts()
    return record_facts(session, record).get(sha256) or WatermarkFacts(case_id=record.case_id)


def citing_record(session: Session, account: Account, sha256: str, wanted: str | None) -> str | None:
    """The record whose facts a viewer's copy carries: the one asked for if it cites the photo in a case
    the viewer may see, else the first such record by id (stable, so the same copy is found again)."""
    if wanted and session.get(RecordEvidence, (wanted, sha256)) is not None and _visible(session, account, wanted):
        return wanted  # the case page names its record: three lookups by key
    ids = sorted({link.record_id for link in queries.evidence_links(session, sha256)})
    return next((record_id for record_id in ids if _visible(session, account, record_id)), None)


def _visible(session: Session, account: Account, record_id: str) -> bool:
    row = session.get(Record, record_id)
    case = session.get(Case, row.case_id) if row is not None else None
    return case is not None and queries.may_see(account, case)
