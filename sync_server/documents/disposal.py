"""Disposal that is whole and accountable (R35, issue 17).

1. Appraisal: a reviewer or administrator proposes destroying a case's archive, with the reason; a second
   person (not the proposer) approves or rejects it, with theirs. Both are logged.
2. Disposal, once the retention date has passed and on an approved appraisal: every stored file only this
   case cites is destroyed (record evidence, the 委托书, 授权书 and ID-proof scans, township uploads, letter
   answers), wherever it is kept (disk, object store, local cache); every display copy of them and of the
   case's records; every dossier zip of the case in `exports/`. A file another case also cites is kept
   and named as kept. The destroyed files are recorded in `disposed_files`, so backups and checks stop
   expecting them.
3. What remains: the log entry `case.disposed` and the disposal certificate (RFC 8785 JSON naming each
   destroyed file by hash, kind and where it was cited, the exports removed, the appraisal), whose SHA-256
   the log entry carries. Records' signed bytes and issued report versions stay, as before.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import rfc8785
from sqlmodel import Session, col, select

from schemas.disposal import CERTIFICATE_FORMAT, AppraisalInfo
from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.display import DisplayCopies
from sync_server.documents.retention import refuse_if_disposed, retention_of
from sync_server.dossier.whole import case_files
from sync_server.evidence.disk_store import BlobStore
from sync_server.tables import (
    Account,
    Case,
    CaseDocument,
    CaseRetention,
    EvidenceFile,
    LetterRequest,
    Record,
    RecordEvidence,
)
from sync_server.tables.disposal import DisposalAppraisal, DisposalCertificate, DisposedFile
from sync_server.transparency import audit


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def appraisal_info(row: DisposalAppraisal) -> AppraisalInfo:
    """The wire view of an appraisal."""
    return AppraisalInfo(id=row.id, case_id=row.case_id, proposed_by=row.proposed_by, proposed_at=row.proposed_at,
                         reason=row.reason, decision=row.decision, decided_by=row.decided_by,
                         decided_at=row.decided_at, decision_note=row.decision_note)


def appraisals(session: Session, case_id: str) -> list[DisposalAppraisal]:
    """The case's appraisals, oldest first."""
    query = select(DisposalAppraisal).where(DisposalAppraisal.case_id == case_id)
    return list(session.exec(query.order_by(col(DisposalAppraisal.proposed_at), col(DisposalAppraisal.id))))


def propose(session: Session, case: Case, by: Account, reason: str, now: datetime) -> DisposalAppraisal:
    """Open an appraisal as the 机要岗 (logged); refused once the case is disposed."""
    require_post(by, Post.CONFIDENTIAL)
    actor = by.username
    refuse_if_disposed(session, case)
    row = DisposalAppraisal(id=uuid.uuid4().hex, case_id=case.id, proposed_by=actor, proposed_at=now, reason=reason)
    session.add(row)
    audit.log(session, "disposal.proposed", now, actor, case.id, subject=row.id, reason=reason)
    return row


def decide(session: Session, case: Case, appraisal_id: str, by: Account, approve: bool, note: str,
           now: datetime) -> DisposalAppraisal:
    """A second person holding 机要岗 approves or rejects an open appraisal (logged)."""
    require_post(by, Post.CONFIDENTIAL)
    actor = by.username
    refuse_if_disposed(session, case)
    row = session.get(DisposalAppraisal, appraisal_id)
    if row is None or row.case_id != case.id:
        raise ProblemError(Code.NOT_FOUND, "没有该销毁鉴定")
    if row.decision:
        raise ProblemError(Code.VALIDATION, f"该鉴定已{'同意' if row.decision == 'approved' else '否决'}")
    if row.proposed_by == actor:
        raise ProblemError(Code.DISPOSAL_SECOND_PERSON, f"提出人 {actor} 不能审批自己的鉴定")
    row.decision, row.decided_by, row.decided_at, row.decision_note = (
        "approved" if approve else "rejected", actor, now, note)
    session.add(row)
    audit.log(session, "disposal.approved" if approve else "disposal.rejected", now, actor, case.id,
              subject=row.id, note=note)
    return row


def _approved(session: Session, case: Case) -> DisposalAppraisal:
    for row in reversed(appraisals(session, case.id)):
        if row.decision == "approved":
            return row
    raise ProblemError(Code.DISPOSAL_NOT_APPROVED, "尚无经另一人同意的销毁鉴定")


def _cited_elsewhere(session: Session, case_id: str, hashes: set[str]) -> set[str]:
    """Which of these files another case also cites (records, documents, letters)."""
    if not hashes:
        return set()
    others = set(session.exec(select(RecordEvidence.sha256)
                              .join(Record, col(Record.id) == col(RecordEvidence.record_id))
                              .where(col(RecordEvidence.sha256).in_(hashes), Record.case_id != case_id)))
    others |= set(session.exec(select(CaseDocument.sha256).where(col(CaseDocument.sha256).in_(hashes),
                                                                  CaseDocument.case_id != case_id)))
    others |= {s for s in session.exec(select(LetterRequest.answer_sha256).where(
        col(LetterRequest.answer_sha256).in_(hashes), LetterRequest.case_id != case_id)) if s}
    return others


def _export_pattern(case_id: str) -> re.Pattern[str]:
    """The case's dossier zips (dossier/export.py names them) and their unfinished temporary files."""
    return re.compile(rf"\.?{re.escape(case_id)}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}\.zip(\..+\.tmp)?")


def remove_exports(exports: Path, case_id: str) -> list[str]:
    """Delete every dossier zip of the case; their names."""
    if not exports.is_dir():
        return []
    pattern, removed = _export_pattern(case_id), []
    for path in sorted(exports.iterdir()):
        if pattern.fullmatch(path.name) and path.is_file():
            path.unlink()
            removed.append(path.name)
    return removed


def _forget_copies(display: DisplayCopies | None, blobs: BlobStore, sha: str, record_ids: list[str]) -> int:
    """Every display copy of a file: those made for these records, unlinked ones, and any left on disk."""
    removed = 0
    if display is not None:
        for record_id in [*record_ids, None]:
            removed += display.forget(sha, record_id)
    for path in (blobs.root / "derived").glob(f"*/*/{sha[:2]}/{sha}-*.jpg"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def dispose(session: Session, case: Case, *, blobs: BlobStore, exports: Path, by: Account, note: str,
            now: datetime, today: date, display: DisplayCopies | None = None) -> tuple[CaseRetention, dict[str, Any]]:
    """Destroy the case's archive (see the module's docstring) as its 机要岗 (§4.3.1); returns the retention row
    and the certificate. The caller commits; files are removed first, so a failure half-way leaves the case
    not disposed and a second attempt removes the rest."""
    require_post(by, Post.CONFIDENTIAL)
    actor = by.username
    refuse_if_disposed(session, case)
    row = retention_of(session, case)
    if today < row.disposal_date:
        raise ProblemError(Code.RETENTION_NOT_DUE, f"保管至 {row.disposal_date.isoformat()}",
                           disposal_date=row.disposal_date.isoformat())
    appraisal = _approved(session, case)
    cited = case_files(session, case.id)
    shared = _cited_elsewhere(session, case.id, set(cited))
    records = {sha: [w.split(" ", 1)[1] for w in where if w.startswith("record ")] for sha, where in cited.items()}
    destroyed, kept, copies = [], [], 0
    for sha in sorted(cited):
        if sha in shared:
            for record_id in records[sha]:  # this case's copies show its facts: they go all the same
                copies += display.forget(sha, record_id) if display is not None else 0
            kept.append({"sha256": sha, "cited_by": cited[sha], "why": "另案仍引用 / cited by another case"})
            continue
        stored = session.get(EvidenceFile, sha)
        was_there = blobs.delete(sha)
        copies += _forget_copies(display, blobs, sha, records[sha])
        destroyed.append({"sha256": sha, "size": stored.size if stored else None, "cited_by": cited[sha],
                          "was_stored": was_there})
        if session.get(DisposedFile, sha) is None:
            session.add(DisposedFile(sha256=sha, case_id=case.id, disposed_at=now))
    removed_exports = remove_exports(exports, case.id)
    certificate: dict[str, Any] = {
        "format": CERTIFICATE_FORMAT, "case_id": case.id, "disposed_at": _iso(now), "disposed_by": actor,
        "note": note, "retention": {"years": row.retention_years, "disposal_date": row.disposal_date.isoformat()},
        "appraisal": {"id": appraisal.id, "proposed_by": appraisal.proposed_by,
                      "proposed_at": _iso(appraisal.proposed_at), "reason": appraisal.reason,
                      "approved_by": appraisal.decided_by,
                      "approved_at": _iso(appraisal.decided_at) if appraisal.decided_at else None,
                      "approval_note": appraisal.decision_note},
        "destroyed_files": destroyed, "display_copies_removed": copies, "exports_removed": removed_exports,
        "kept_files": kept, "retained": ["audit log", "disposal certificate", "records' signed bytes",
                                         "issued report versions"]}
    body = rfc8785.dumps(certificate)
    digest = hashlib.sha256(body).hexdigest()
    session.add(DisposalCertificate(case_id=case.id, appraisal_id=appraisal.id, issued_at=now, body=body.decode(),
                                    sha256=digest))
    row.disposed_at, row.disposed_by, row.disposal_note = now, actor, note
    session.add(row)
    audit.log(session, "case.disposed", now, actor, case.id, subject=case.id, note=note, appraisal=appraisal.id,
              certificate_sha256=digest, files_removed=sum(d["was_stored"] for d in destroyed),
              evidence=[d["sha256"] for d in destroyed], exports_removed=removed_exports)
    return row, certificate


def certificate_of(session: Session, case_id: str) -> DisposalCertificate | None:
    """The case's disposal certificate, if it was disposed."""
    return session.get(DisposalCertificate, case_id)
