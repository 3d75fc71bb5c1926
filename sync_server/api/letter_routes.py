"""Letter requests of a case (schemas/letters.py, R17, R31). Thin: see office/letters.py and
office/letter_answers.py."""
from __future__ import annotations

from fastapi import APIRouter, Request

from schemas.letters import FollowUpIn, Letter, LetterIn
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.office import letters
from sync_server.office.letter_answers import upload_answer
from sync_server.tables import queries

router = APIRouter(prefix="/cases/{case_id}/letters", tags=["letters"])
RAW_BODY = {"requestBody": {"required": True, "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("", response_model=list[Letter])
def list_letters(case_id: str, session: DbSession, account: CurrentAccount) -> list[Letter]:
    """The case's letter requests with follow-ups and answers."""
    case = queries.visible_case(session, account, case_id)
    return letters.letters_of(session, case.id)


@router.post("", response_model=Letter)
def add_letter(case_id: str, body: LetterIn, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> Letter:
    """Record a letter request as sent: channel, time, receiver and phone, stamp requested (R17, R31)."""
    case = queries.visible_case(session, account, case_id)
    letters.require_reviewer(account)
    row = letters.add_letter(session, case, account, body, services.clock())
    return letters.letter_view(session, row)


@router.post("/{letter_id}/follow-ups", response_model=Letter)
def follow_up(case_id: str, letter_id: str, body: FollowUpIn, session: Transaction, account: CurrentAccount) -> Letter:
    """Keep a follow-up of the letter (R17)."""
    case = queries.visible_case(session, account, case_id)
    letters.require_reviewer(account)
    row = letters.letter_of(session, case, letter_id)
    letters.add_follow_up(session, row, account, body)
    return letters.letter_view(session, row)


@router.put("/{letter_id}/answer", response_model=Letter, openapi_extra=RAW_BODY)
async def put_answer(case_id: str, letter_id: str, request: Request, account: CurrentAccount,
                     services: ServicesDep) -> Letter:
    """The answer as it arrived: PDF, JPEG or PNG by content, size-limited, hashed and stored (R31)."""
    return await upload_answer(services, account, case_id, letter_id, request.stream())
