"""Importing data-matching results (信息核查, sections 一–五 of the report): the 信息交换岗's duty (§4.3.1).

What was imported is what the report states; a line never imported reads 未查询 (R42)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from schemas.archive import MatchingLine
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.tables import Account, Case, MatchingResult
from sync_server.transparency import audit


def import_lines(session: Session, case: Case, by: Account, lines: Sequence[MatchingLine], now: datetime) -> int:
    """Keep the lines (信息交换岗 only), logged; how many. Not committed."""
    require_post(by, Post.INFORMATION_EXCHANGE)
    for line in lines:
        session.add(MatchingResult(case_id=case.id, imported_at=now, **line.model_dump()))
    audit.log(session, "matching.imported", now, by.username, case.id, subject=case.id, lines=len(lines))
    return len(lines)
