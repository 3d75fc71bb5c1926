"""A dossier is exported whole or not at all (issue 17): before anything is logged or signed, every file
the case cites (record evidence, intake scans and township uploads, letter answers) must be in the store
at its recorded size. A missing one is refused as `dossier.files_missing`, naming each file and where the
case cites it, instead of an agency-signed dossier that silently lacks it."""
from __future__ import annotations

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from sync_server.evidence.disk_store import BlobStore
from sync_server.tables import Case, CaseDocument, EvidenceFile, LetterRequest, Record, RecordEvidence


def case_files(session: Session, case_id: str) -> dict[str, list[str]]:
    """Every stored file the case cites, by hash, with where (record, document, letter)."""
    cited: dict[str, list[str]] = {}
    links = session.exec(select(RecordEvidence.sha256, RecordEvidence.record_id).join(
        Record, col(Record.id) == col(RecordEvidence.record_id)).where(Record.case_id == case_id))
    for sha, record_id in links:
        cited.setdefault(sha, []).append(f"record {record_id}")
    for doc in session.exec(select(CaseDocument).where(CaseDocument.case_id == case_id)):
        cited.setdefault(doc.sha256, []).append(f"document {doc.id} ({doc.kind})")
    for letter in session.exec(select(LetterRequest).where(LetterRequest.case_id == case_id,
                                                           col(LetterRequest.answer_sha256).is_not(None))):
        cited.setdefault(letter.answer_sha256 or "", []).append(f"letter {letter.id}")
    return cited


def refuse_incomplete(session: Session, case: Case, blobs: BlobStore) -> None:
    """Raise `dossier.files_missing` if any file the case cites is not stored whole."""
    missing = []
    for sha, where in sorted(case_files(session, case.id).items()):
        row = session.get(EvidenceFile, sha)
        if row is None or blobs.size(sha) != row.size:
            missing.append({"sha256": sha, "cited_by": where})
    if missing:
        names = "；".join(f"{m['sha256'][:16]}…（{', '.join(m['cited_by'])}）" for m in missing[:10])
        raise ProblemError(Code.DOSSIER_FILES_MISSING, f"缺失 {len(missing)} 个文件：{names}", missing=missing)
