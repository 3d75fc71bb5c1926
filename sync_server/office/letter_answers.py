"""The answer to a letter request, as the other agency sent it (R17, R31): one service for the API's
`PUT .../answer` and the console's upload alike.

Access is checked first, in a short session; the body is then read within the size limit and stored by
its SHA-256 with no database connection held while the bytes arrive; a second short session links the
stored file to the letter and commits (the first answer is kept: office/letters.py)."""
from __future__ import annotations

from collections.abc import AsyncIterator

from schemas.letters import Letter
from sync_server.evidence.staff_uploads import MAX_UPLOAD_BYTES, read_body, store_upload
from sync_server.office import letters
from sync_server.services import Services
from sync_server.tables import Account, queries


async def upload_answer(services: Services, account: Account, case_id: str, letter_id: str,
                        body: AsyncIterator[bytes]) -> Letter:
    """Check access, read the body within the size limit, check and store it, link it."""
    with services.session() as session:
        case = queries.visible_case(session, account, case_id)
        letters.require_reviewer(account)
        letters.letter_of(session, case, letter_id)
    limit = min(services.settings.max_evidence_bytes, MAX_UPLOAD_BYTES)
    stored = await store_upload(services.blobs, await read_body(body, limit), limit)
    with services.session() as session:
        row = letters.letter_of(session, queries.visible_case(session, account, case_id), letter_id)
        letters.attach_answer(session, row, account, stored, services.clock())
        session.commit()
        return letters.letter_view(session, row)
