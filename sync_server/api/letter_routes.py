"""Letter requests of a case (schemas/letters.py, R17, R31). Thin: see letters.py."""
from __future__ import annotations

from fastapi import APIRouter, Request

from schemas.letters import FollowUpIn, Letter, LetterIn
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.evidence.staff_uploads import MAX_UPLOAD_BYTES, read_body, store_upload
from sync_server.office import letters
from sync_server.services import Services
from sync_server.tables import Account, queries

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
def add_letter(case_id: str, body: LetterIn, session: DbSession, account: CurrentAccount,
               services: ServicesDep) -> Letter:
    """Record a letter request as sent: channel, time, receiver and phone, stamp requested (R17, R31)."""
    case = queries.visible_case(session, account, case_id)
    letters.require_reviewer(account)
    row = letters.add_letter(session, case, account, body, services.clock())
    session.commit()
    return letters.letter_view(session, row)


@router.post("/{letter_id}/follow-ups", response_model=Letter)
def follow_up(case_id: str, letter_id: str, body: FollowUpIn, session: DbSession, account: CurrentAccount) -> Letter:
    """Keep a follow-up of the letter (R17)."""
    case = queries.visible_case(session, account, case_id)
    letters.require_reviewer(account)
    row = letters.letter_of(session, case, letter_id)
    letters.add_follow_up(session, row, account, body)
    session.commit()
    return letters.letter_view(session, row)


@router.put("/{letter_id}/answer", response_model=Letter, openapi_extra=RAW_BODY)
async def put_answer(case_id: str, letter_id: str, request: Request, account: CurrentAccount,
                     services: ServicesDep) -> Letter:
    """The answer as it arrived: PDF, JPEG or PNG by content, size-limited, hashed and stored (R31)."""
    return await upload_answer(services, account, case_id, letter_id, request)


async def upload_answer(services: Services, account: Account, case_id: str, letter_id: str,
                        request: Request) -> Letter:
    """Check access, read the body within the size limit, check and store it, link it (API and console)."""
    with services.session() as session:
        case = queries.visible_case(session, account, case_id)
        letters.require_reviewer(account)
        letters.letter_of(session, case, letter_id)
    limit = min(services.settings.max_evidence_bytes, MAX_UPLOAD_BYTES)
    stored = await store_upload(services.blobs, await read_body(request.stream(), limit), limit)
    with services.session() as session:
        row = letters.letter_of(session, queries.visible_case(session, account, case_id), letter_id)
        letters.attach_answer(session, row, account, stored, services.clock())
        session.commit()
        return letters.letter_view(session, row)
