"""A 委托名单 with bad rows, shown to the clerk before anything is imported: each bad row with its reason in
Chinese, a button that imports only the good rows, and the bad rows as a spreadsheet to fix and import again.

The review is stateless: the good rows travel back in a hidden field and are checked again on import
(`roster.subjects_from_form`), the bad ones in another and come back as xlsx (`roster.rejected_workbook`)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from schemas.office import NewSubject
from sync_server.office import roster
from sync_server.tables import Account, queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RosterReview:
    good: list[NewSubject]
    rejected: list[roster.RejectedRow]

    @classmethod
    def of(cls, reading: roster.RosterReading) -> RosterReview:
        return cls(good=reading.subjects, rejected=reading.rejected)

    @property
    def good_json(self) -> str:
        return json.dumps([s.model_dump(mode="json") for s in self.good], ensure_ascii=False)

    @property
    def rejected_json(self) -> str:
        return json.dumps([asdict(r) for r in self.rejected], ensure_ascii=False)


async def rejected_rows_download(request: Request, staff: Account, session: Session, case_id: str) -> Response:
    """The rejected rows the review page sent back, as an xlsx attachment (only for a case the clerk sees)."""
    queries.visible_case(session, staff, case_id)
    async with request.form() as form:
        rows = form.get("rows")
    body = roster.rejected_workbook(rows if isinstance(rows, str) else "")
    name = quote("委托名单问题行.xlsx")
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}",
                                                    "Cache-Control": "private, no-store"})
