"""Who may know of, cite and read an evidence file (issue 5 §3). Nothing here commits.

A file belongs to the owners that uploaded its bytes (a team, a township's unit, or one person)
and to the cases whose records cite it. Only an owner's record may cite it; a surveyor learns
that a file exists only through a claim of their own team; staff read the files cited in the cases
they may see, through records whose uploaders' teams held the file themselves.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from schemas.protocol import AccountRole
from sync_server.tables import (
    Account,
    Case,
    EvidenceClaim,
    EvidenceFile,
    EvidenceType,
    LetterRequest,
    Record,
    queries,
)
from sync_server.tables.inserts import insert_new


def owner_of(account: Account) -> str:
    """The owner an account's uploads belong to: its team, its unit (township staff), or itself."""
    if account.role == AccountRole.SURVEYOR.value and account.team_id:
        return f"team:{account.team_id}"
    if account.role == AccountRole.TOWNSHIP.value and account.unit:
        return f"unit:{account.unit}"
    return f"user:{account.username}"


def has_claim(session: Session, account: Account, sha256: str) -> bool:
    """Whether the account's owner uploaded this file itself."""
    return session.get(EvidenceClaim, (sha256, owner_of(account))) is not None


def record_files(session: Session, sizes: dict[str, int], username: str, now: datetime) -> None:
    """The evidence rows of stored files, each credited to its first uploader (a concurrent upload of the
    same bytes may record it first); one statement."""
    insert_new(session, EvidenceFile.__table__, [  # type: ignore[attr-defined]
        {"sha256": sha, "size": size, "stored_at": now, "stored_by": username} for sha, size in sizes.items()])


def record_stored(session: Session, account: Account, sizes: dict[str, int], media: dict[str, str | None],
                  now: datetime) -> set[str]:
    """Record stored files (size, what their bytes are) and the account's owner's claim on each, in three
    statements whatever the count; the files the owner had no claim on before."""
    record_files(session, sizes, account.username, now)
    insert_new(session, EvidenceType.__table__, [  # type: ignore[attr-defined]
        {"sha256": sha, "media_type": media[sha], "sniffed_at": now} for sha in sizes])
    owner = owner_of(account)
    return insert_new(session, EvidenceClaim.__table__, [  # type: ignore[attr-defined]
        {"sha256": sha, "owner": owner, "claimed_by": account.username, "claimed_at": now} for sha in sizes],
        key="sha256")


def claimed_sizes(session: Session, account: Account, shas: set[str]) -> dict[str, int]:
    """Size of each of these files that the account's owner holds (what its records may cite)."""
    if not shas:
        return {}
    query = (select(EvidenceFile).join(EvidenceClaim, col(EvidenceClaim.sha256) == col(EvidenceFile.sha256))
             .where(col(EvidenceFile.sha256).in_(shas), EvidenceClaim.owner == owner_of(account)))
    return {row.sha256: row.size for row in session.exec(query)}


def may_read_evidence(session: Session, account: Account, sha256: str) -> bool:
    """Everyone: files their own owner uploaded. Reviewers also: files cited in a case they may see by a
    record whose uploader's team held the file itself (a citation never grants access on its own)."""
    if session.get(EvidenceFile, sha256) is None:
        return False
    if has_claim(session, account, sha256):
        return True
    if account.role != AccountRole.REVIEWER.value:
        return False  # surveyors: other teams' files; township staff and administrators: their duty needs
        # no household photos or signatures (issue 6: only what the duty needs)
    for letter in session.exec(select(LetterRequest).where(LetterRequest.answer_sha256 == sha256)):
        case = session.get(Case, letter.case_id)  # a letter's answer (R17): read through its case
        if case is not None and queries.may_see(account, case):
            return True
    for link in queries.evidence_links(session, sha256):
        record = session.get(Record, link.record_id)
        case = session.get(Case, record.case_id) if record else None
        uploader = session.get(Account, record.received_from) if record else None
        if (case is not None and uploader is not None and queries.may_see(account, case)
                and has_claim(session, uploader, sha256)):
            return True
    return False
