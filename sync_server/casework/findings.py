"""The server judges the evidence itself (issue 16; R10, R30, R42), and keeps the judgement with the record.

At ingest the facts of every photo and signature-stroke file are read from the stored ORIGINAL bytes
(schemas.photo_facts) and `schemas.findings.record_findings` (the same function the tablet runs before
sealing) judges the record against its case: the household's place, the release time, the deadline and
the case's other signatures. Facts and findings are kept in `record_findings`; when the household's
place is set later, the case's records are judged again from the kept facts (no file is read again).

A reviewer acknowledges a finding with a reason (`finding_acks`, logged in the audit log); the case's
checklist is 齐全 only when every finding of its counted records is acknowledged (sync_server.casework.review).
Nothing here commits.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.findings import SIGNATURE_ROLES, CaseContext, Finding, FindingView, record_findings
from schemas.photo_facts import PhotoFacts, StrokeFacts, read_photo, read_strokes
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.records import EvidenceKind, Role, SealedRecord, SurveyRecord
from schemas.staffing import Post
from schemas.text import clean_text
from schemas.workdays import HolidayTable
from sync_server.accounts.posts import refuse_own_survey, require_post
from sync_server.casework.deadlines import case_deadline
from sync_server.evidence.disk_store import BlobStore
from sync_server.ops.progress import progress
from sync_server.tables import Account, Case, Entrustment, FindingAck, Record, RecordEvidence, RecordFindings
from sync_server.transparency import audit

Facts = tuple[dict[str, PhotoFacts], dict[str, StrokeFacts]]


def read_facts(blobs: BlobStore, record: SurveyRecord) -> Facts:
    """The facts of the record's photos and signature strokes, from the stored bytes (absent files: none)."""
    photos: dict[str, PhotoFacts] = {}
    strokes: dict[str, StrokeFacts] = {}
    for ref in record.evidence:
        if not blobs.has(ref.sha256):
            continue
        if ref.kind == EvidenceKind.PHOTO and ref.sha256 not in photos:
            photos[ref.sha256] = read_photo(blobs.local_path(ref.sha256), ref.sha256)
        elif ref.role == Role.SIGNATURE_STROKES and ref.sha256 not in strokes:
            found = read_strokes(blobs.local_path(ref.sha256).read_bytes(), ref.sha256)
            if found is not None:
                strokes[ref.sha256] = found
    return photos, strokes


def context_of(session: Session, case: Case, table: HolidayTable, record_id: str) -> CaseContext:
    """The case as the judgement of one of its records needs it."""
    entrustment = session.get(Entrustment, case.id)
    others = select(RecordEvidence.sha256).join(Record, col(Record.id) == col(RecordEvidence.record_id)).where(
        Record.case_id == case.id, Record.id != record_id, RecordEvidence.kind == EvidenceKind.SIGNATURE.value,
        col(RecordEvidence.role).in_([r.value for r in SIGNATURE_ROLES]))
    household = (case.lat, case.lon) if case.lat is not None and case.lon is not None else None
    return CaseContext(household=household, released_at=entrustment.released_at if entrustment else None,
                       deadline=case_deadline(case, table).due, other_signatures=frozenset(session.exec(others)))


def _dump(facts: Facts, findings: list[Finding]) -> tuple[str, str]:
    photos, strokes = facts
    kept = {"photos": [p.model_dump(mode="json") for p in photos.values()],
            "strokes": [s.model_dump(mode="json") for s in strokes.values()]}
    return json.dumps(kept, ensure_ascii=False), json.dumps([f.model_dump() for f in findings], ensure_ascii=False)


def _load_facts(text: str) -> Facts:
    kept = json.loads(text)
    photos = {p.sha256: p for p in (PhotoFacts.model_validate(x) for x in kept.get("photos", []))}
    strokes = {s.sha256: s for s in (StrokeFacts.model_validate(x) for x in kept.get("strokes", []))}
    return photos, strokes


def judge(session: Session, blobs: BlobStore, record: SurveyRecord, case: Case, table: HolidayTable,
          now: datetime) -> list[Finding]:
    """Judge a merged record from its stored bytes and keep the result with it (at ingest)."""
    facts = read_facts(blobs, record)
    found = record_findings(record, context_of(session, case, table, record.id), *facts)
    facts_json, findings_json = _dump(facts, found)
    row = session.get(RecordFindings, record.id) or RecordFindings(
        record_id=record.id, case_id=case.id, facts_json=facts_json, findings_json=findings_json, judged_at=now)
    row.facts_json, row.findings_json, row.judged_at = facts_json, findings_json, now
    session.add(row)
    return found


def rejudge_case(session: Session, case: Case, table: HolidayTable, now: datetime) -> int:
    """Judge the case's records again from their kept facts (the household's place changed); how many."""
    rows = {r.record_id: r for r in session.exec(select(RecordFindings).where(RecordFindings.case_id == case.id))}
    records = session.exec(select(Record).where(Record.case_id == case.id, col(Record.id).in_(list(rows))))
    for stored in records:
        record = SealedRecord.model_validate_json(stored.sealed_json).record
        row = rows[stored.id]
        facts = _load_facts(row.facts_json)
        found = record_findings(record, context_of(session, case, table, record.id), *facts)
        row.facts_json, row.findings_json = _dump(facts, found)
        row.judged_at = now
        session.add(row)
    return len(rows)


def fill_missing(session: Session, blobs: BlobStore, table: HolidayTable, now: datetime, batch: int = 200) -> int:
    """Judge the records merged before findings were kept (after revision 0011); how many. Not committed."""
    done = 0
    with progress("补算记录的留证核查结果 / backfilling evidence findings") as step:
        while True:
            judged = select(RecordFindings.record_id)
            rows = list(session.exec(select(Record).where(col(Record.id).not_in(judged)).limit(batch)))
            if not rows:
                return done
            for row in rows:
                case = session.get(Case, row.case_id)
                if case is not None:
                    judge(session, blobs, SealedRecord.model_validate_json(row.sealed_json).record, case, table, now)
                step()
            session.flush()
            done += len(rows)


def findings_of(session: Session, case_ids: Iterable[str]) -> dict[str, list[Finding]]:
    """The kept findings of the cases' records, by record id."""
    ids = list(case_ids)
    if not ids:
        return {}
    rows = session.exec(select(RecordFindings).where(col(RecordFindings.case_id).in_(ids)))
    return {r.record_id: [Finding.model_validate(f) for f in json.loads(r.findings_json)] for r in rows}


def acks_of(session: Session, case_ids: Iterable[str]) -> dict[str, list[FindingAck]]:
    """The acknowledgements of the cases' findings, by record id, oldest first."""
    ids = list(case_ids)
    out: dict[str, list[FindingAck]] = {}
    if not ids:
        return out
    query = select(FindingAck).where(col(FindingAck.case_id).in_(ids)).order_by(col(FindingAck.at), col(FindingAck.id))
    for ack in session.exec(query):
        out.setdefault(ack.record_id, []).append(ack)
    return out


def unacknowledged(findings: list[Finding], acks: list[FindingAck]) -> list[Finding]:
    """The findings no reviewer has acknowledged yet."""
    seen = {(a.code, a.target) for a in acks}
    return [f for f in findings if f.key not in seen]


def acknowledge(session: Session, case: Case, reviewer: Account, record_id: str, code: str, target: str,
                reason: str, now: datetime) -> FindingAck:
    """A reviewer saw a finding and says why it does not stop the case (kept, logged in the audit log)."""
    if reviewer.role != AccountRole.REVIEWER.value:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员可以确认证据提示")
    require_post(reviewer, Post.VERIFICATION)  # a decision on the evidence: 核证岗 (§4.3.1)
    refuse_own_survey(session, reviewer, case)
    try:
        reason = clean_text(reason).strip()
    except ValueError as error:
        raise ProblemError(Code.VALIDATION, str(error)) from None
    if not reason:
        raise ProblemError(Code.REVIEW_INVALID, "确认证据提示须写明理由")
    record = session.get(Record, record_id)
    found = (findings_of(session, [case.id]).get(record_id, [])
             if record is not None and record.case_id == case.id else [])
    finding = next((f for f in found if f.key == (code, target)), None)
    if finding is None:
        raise ProblemError(Code.REVIEW_INVALID, f"本案记录没有该证据提示：{code}", target=record_id)
    if any((a.code, a.target) == finding.key for a in acks_of(session, [case.id]).get(record_id, [])):
        raise ProblemError(Code.REVIEW_INVALID, f"该证据提示已确认：{finding.label}", target=record_id)
    ack = FindingAck(case_id=case.id, record_id=record_id, code=code, target=target, reason=reason[:2000],
                     by=reviewer.username, at=now)
    session.add(ack)
    audit.log(session, "finding.acknowledged", now, reviewer.username, case.id, record_id, code=code,
              target=target, finding=finding.text(), reason=ack.reason)
    return ack


def views_of(session: Session, case: Case) -> list[FindingView]:
    """Every kept finding of the case's records, in arrival order, each with its acknowledgement."""
    found, acks = findings_of(session, [case.id]), acks_of(session, [case.id])
    names = {a.username: a.name for a in session.exec(select(Account).where(
        col(Account.username).in_({a.by for x in acks.values() for a in x})))}
    order = session.exec(select(Record.id).where(Record.case_id == case.id)
                         .order_by(col(Record.received_at), col(Record.id)))
    out = []
    for record_id in order:
        given = {(a.code, a.target): a for a in acks.get(record_id, [])}
        for f in found.get(record_id, []):
            ack = given.get(f.key)
            out.append(FindingView(record_id=record_id, code=f.code, target=f.target, label=f.label, detail=f.detail,
                                   acknowledged=ack is not None, ack_reason=ack.reason if ack else "",
                                   ack_by=names.get(ack.by, ack.by) if ack else "", ack_at=ack.at if ack else None))
    return out
