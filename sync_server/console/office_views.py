"""What the case page shows of the office side (review, rounds, letters) and how its records are paged."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.letters import CHANNEL_LABELS
from schemas.methods import METHOD_NAMES, Method
from schemas.protocol import AccountRole
from schemas.review import ACTION_LABELS, OBJECTOR_LABELS, REVIEW_STATUS_LABELS
from sync_server.casework import review, rounds
from sync_server.casework.presentation import RecordView
from sync_server.console.finding_views import finding_context
from sync_server.office import letters
from sync_server.tables import Account, Case

PHOTOS_PER_PAGE = 6
RECORDS_PER_PAGE = 20  # a case of 200 records costs what a case of 20 does: only the shown page is read in full


def record_window(record_ids: list[str], open_record: str, asked: int) -> dict[str, int]:
    """Which page of the case's records to show: the asked one, else the one holding the opened record, else
    the first; and how many pages there are."""
    pages = max(1, -(-len(record_ids) // RECORDS_PER_PAGE))
    if not asked and open_record in record_ids:
        asked = record_ids.index(open_record) // RECORDS_PER_PAGE + 1
    return {"page": min(max(asked, 1), pages), "pages": pages}


def page_photos(records: list[RecordView], open_record: str, photo_page: int) -> dict[str, dict[str, int]]:
    """Cut each record's photos to one page (the opened record may be on another page); the pages per record."""
    pages = {}
    for record in records:
        count = max(1, -(-len(record.photos) // PHOTOS_PER_PAGE))
        page = min(max(photo_page, 1), count) if record.id == open_record else 1
        record.photos = record.photos[(page - 1) * PHOTOS_PER_PAGE: page * PHOTOS_PER_PAGE]
        pages[record.id] = {"page": page, "pages": count}
    return pages


def office_context(session: Session, case: Case, staff: Account, table: object) -> dict[str, Any]:
    """Review state, rounds and letters of the case, with the labels the template needs."""
    from schemas.workdays import HolidayTable
    assert isinstance(table, HolidayTable)
    is_reviewer = staff.role == AccountRole.REVIEWER.value
    return {
        **finding_context(session, case),
        "review": review.review_state(session, case),
        "rounds": [rounds.round_view(r, table) for r in rounds.rounds_of(session, case.id)],
        "letters": letters.letters_of(session, case.id),
        "may_review": is_reviewer,
        "methods": [(m, METHOD_NAMES[Method(m)]) for m in case.required_checks],
        "letters_entrusted": Method.LETTER_REQUEST.value in case.required_checks,
        "labels": {"action": {k.value: v for k, v in ACTION_LABELS.items()},
                   "status": {k.value: v for k, v in REVIEW_STATUS_LABELS.items()},
                   "objector": {k.value: v for k, v in OBJECTOR_LABELS.items()},
                   "channel": {k.value: v for k, v in CHANNEL_LABELS.items()}},
    }

