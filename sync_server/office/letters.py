"""Letter requests (R17, R31): sending, follow-ups, and the answer (checked and stored by
evidence/staff_uploads.py).

Nothing here commits."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.letters import Channel, FollowUp, FollowUpIn, Letter, LetterIn
from schemas.methods import Method
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.evidence.staff_uploads import StoredUpload, remember_file
from sync_server.tables import Account, Case, LetterFollowUp, LetterRequest
from sync_server.transparency.audit_rows import log_row


def require_reviewer(account: Account) -> None:
    """Letter requests are the reviewers' duty (R6)."""
    if account.role != AccountRole.REVIEWER.value:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员可以办理信函索证")
    require_post(account, Post.VERIFICATION)  # §4.3.1: 核证岗


def letters_of(session: Session, case_id: str) -> list[Letter]:
    """The case's letter requests, oldest first, each with its follow-ups: two queries however many."""
    rows = list(session.exec(select(LetterRequest).where(LetterRequest.case_id == case_id)
                             .order_by(col(LetterRequest.sent_at), col(LetterRequest.id))))
    follow = _follow_ups(session, [r.id for r in rows])
    return [_view(r, follow.get(r.id, [])) for r in rows]


def letter_view(session: Session, row: LetterRequest) -> Letter:
    """The wire view of one letter request."""
    return _view(row, _follow_ups(session, [row.id]).get(row.id, []))


def _follow_ups(session: Session, letter_ids: list[str]) -> dict[str, list[FollowUp]]:
    out: dict[str, list[FollowUp]] = {}
    if letter_ids:
        for f in session.exec(select(LetterFollowUp).where(col(LetterFollowUp.letter_id).in_(letter_ids))
                              .order_by(col(LetterFollowUp.at), col(LetterFollowUp.id))):
            out.setdefault(f.letter_id, []).append(FollowUp(at=f.at, note=f.note, by=f.by))
    return out


def _view(row: LetterRequest, follow_ups: list[FollowUp]) -> Letter:
    return Letter(id=row.id, case_id=row.case_id, addressee_unit=row.addressee_unit, documents=row.documents,
                  channel=Channel(row.channel), sent_at=row.sent_at, receiver_name=row.receiver_name,
                  receiver_phone=row.receiver_phone, tracking_number=row.tracking_number,
                  stamp_requested=row.stamp_requested, encrypted=row.encrypted, created_by=row.created_by,
                  follow_ups=follow_ups, answer_sha256=row.answer_sha256 or "",
                  answer_media_type=row.answer_media_type, answer_size=row.answer_size,
                  answered_at=row.answered_at, answered_by=row.answered_by)


def add_letter(session: Session, case: Case, by: Account, body: LetterIn, now: datetime) -> LetterRequest:
    """Record a letter request; only on a case whose entrustment names letter requests (R23)."""
    if Method.LETTER_REQUEST.value not in case.required_checks:
        raise ProblemError(Code.METHOD_NOT_ENTRUSTED, "信函索证")
    row = LetterRequest(id=str(uuid.uuid4()), case_id=case.id, created_by=by.username, created_at=now,
                        **body.model_dump())
    session.add(row)
    log_row(session, "letter.sent", row, actor=by.username, at=now, case_id=case.id, subject=row.id)
    return row


def letter_of(session: Session, case: Case, letter_id: str) -> LetterRequest:
    """One letter of this case, or `request.not_found`."""
    row = session.get(LetterRequest, letter_id)
    if row is None or row.case_id != case.id:
        raise ProblemError(Code.NOT_FOUND, letter_id)
    return row


def add_follow_up(session: Session, letter: LetterRequest, by: Account, body: FollowUpIn) -> None:
    """Keep one follow-up (R17)."""
    follow_up = LetterFollowUp(letter_id=letter.id, at=body.at, note=body.note, by=by.username)
    session.add(follow_up)
    log_row(session, "letter.followed_up", follow_up, actor=by.username, case_id=letter.case_id, subject=letter.id)


def attach_answer(session: Session, letter: LetterRequest, by: Account, stored: StoredUpload,
                  now: datetime) -> None:
    """Link the stored answer (checked by content and size in staff_uploads.py, R31) to the letter; a second
    answer is refused: the first is kept."""
    if letter.answer_sha256 is not None:
        raise ProblemError(Code.LETTER_ANSWERED, letter.id)
    remember_file(session, stored, by.username, now)
    session.flush()
    letter.answer_sha256, letter.answer_media_type = stored.sha256, stored.media_type
    letter.answer_size = stored.size
    letter.answered_at, letter.answered_by = now, by.username
    session.add(letter)
    log_row(session, "letter.answered", letter, actor=by.username, at=now, case_id=letter.case_id, subject=letter.id)
