"""Letter requests (R17, R31): sending, follow-ups, and the answer checked by content and stored by hash.

Nothing here commits, except `store_answer`'s file, which the BlobStore writes before the row."""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.checklist import LetterFacts
from schemas.letters import ANSWER_TYPES, Channel, FollowUp, FollowUpIn, Letter, LetterIn
from schemas.methods import Method
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.blobs import BlobStore
from sync_server.tables import Account, Case, EvidenceFile, LetterFollowUp, LetterRequest

SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"\x89PNG\r\n\x1a\n", "image/png"))


def sniff(data: bytes) -> str | None:
    """The media type the bytes really are (by their first bytes), among the accepted ones (R31)."""
    return next((media for magic, media in SIGNATURES if data.startswith(magic)), None)


def require_reviewer(account: Account) -> None:
    """Letter requests are the reviewers' duty (R6)."""
    if account.role != AccountRole.REVIEWER.value:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员可以办理信函索证")


def letter_facts(session: Session, case_id: str) -> list[LetterFacts]:
    """The case's letters as the checklist counts them."""
    rows = session.exec(select(LetterRequest).where(LetterRequest.case_id == case_id))
    return [LetterFacts(id=r.id, answered=r.answer_sha256 is not None) for r in rows]


def letters_of(session: Session, case_id: str) -> list[Letter]:
    """The case's letter requests, oldest first, each with its follow-ups."""
    rows = session.exec(select(LetterRequest).where(LetterRequest.case_id == case_id)
                        .order_by(col(LetterRequest.sent_at), col(LetterRequest.id)))
    return [letter_view(session, r) for r in rows]


def letter_view(session: Session, row: LetterRequest) -> Letter:
    """The wire view of one letter request."""
    follow = session.exec(select(LetterFollowUp).where(LetterFollowUp.letter_id == row.id)
                          .order_by(col(LetterFollowUp.at), col(LetterFollowUp.id)))
    return Letter(id=row.id, case_id=row.case_id, addressee_unit=row.addressee_unit, documents=row.documents,
                  channel=Channel(row.channel), sent_at=row.sent_at, receiver_name=row.receiver_name,
                  receiver_phone=row.receiver_phone, tracking_number=row.tracking_number,
                  stamp_requested=row.stamp_requested, encrypted=row.encrypted, created_by=row.created_by,
                  follow_ups=[FollowUp(at=f.at, note=f.note, by=f.by) for f in follow],
                  answer_sha256=row.answer_sha256 or "", answer_media_type=row.answer_media_type,
                  answer_size=row.answer_size, answered_at=row.answered_at, answered_by=row.answered_by)


def add_letter(session: Session, case: Case, by: Account, body: LetterIn, now: datetime) -> LetterRequest:
    """Record a letter request; only on a case whose entrustment names letter requests (R23)."""
    if Method.LETTER_REQUEST.value not in case.required_checks:
        raise ProblemError(Code.METHOD_NOT_ENTRUSTED, "信函索证")
    row = LetterRequest(id=str(uuid.uuid4()), case_id=case.id, created_by=by.username, created_at=now,
                        **body.model_dump())
    session.add(row)
    session.flush()
    return row


def letter_of(session: Session, case: Case, letter_id: str) -> LetterRequest:
    """One letter of this case, or `request.not_found`."""
    row = session.get(LetterRequest, letter_id)
    if row is None or row.case_id != case.id:
        raise ProblemError(Code.NOT_FOUND, letter_id)
    return row


def add_follow_up(session: Session, letter: LetterRequest, by: Account, body: FollowUpIn) -> None:
    """Keep one follow-up (R17)."""
    session.add(LetterFollowUp(letter_id=letter.id, at=body.at, note=body.note, by=by.username))
    session.flush()


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def store_answer(blobs: BlobStore, data: bytes, max_bytes: int) -> tuple[str, str]:
    """Check the answer's type by content and size (R31), store it by hash; (sha256, media type)."""
    if len(data) > max_bytes:
        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {max_bytes} 字节", max_bytes=max_bytes)
    media = sniff(data)
    if media is None:
        raise ProblemError(Code.UPLOAD_TYPE, "仅接受 " + "、".join(ANSWER_TYPES.values()),
                           accepted=sorted(ANSWER_TYPES))
    sha = hashlib.sha256(data).hexdigest()
    if not blobs.has(sha):
        await blobs.receive(sha, _one(data), expected_size=len(data), max_bytes=max_bytes)
    return sha, media


def attach_answer(session: Session, letter: LetterRequest, by: Account, sha: str, media: str, size: int,
                  now: datetime) -> None:
    """Link the stored answer to the letter (a second answer is refused: the first is kept)."""
    if letter.answer_sha256 is not None:
        raise ProblemError(Code.LETTER_ANSWERED, letter.id)
    if session.get(EvidenceFile, sha) is None:
        session.add(EvidenceFile(sha256=sha, size=size, stored_at=now, stored_by=by.username))
        session.flush()
    letter.answer_sha256, letter.answer_media_type, letter.answer_size = sha, media, size
    letter.answered_at, letter.answered_by = now, by.username
    session.add(letter)
