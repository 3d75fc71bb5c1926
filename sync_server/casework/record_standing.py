"""Where each merged record stands after review (R42): counted, returned, or returned and superseded.

A sealed record never changes, so a reviewer's return does not remove it: the record stays in the case,
the archive and the dossier. But a record the reviewer returned is not evidence the office relies on:
it is not counted in the checklist or the report ("邻里访问 3 人"), not printed in 六、补充调查信息, and
it no longer reads "已完成" on screens and in its PDF. Once the team answers the return with a newer
record of the same kind, the returned record is *superseded* by it (and stays excluded).

`standings` is pure over rows already loaded; `case_standings` reads the case's returns (one query).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from schemas.review import ReviewActionKind
from sync_server.tables import ReviewEntry

RETURNED, SUPERSEDED = "returned", "superseded"
STANDING_LABELS = {RETURNED: "已退回（待补充）", SUPERSEDED: "已退回，已由新记录替代"}


class _Row(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...


class _Entry(Protocol):
    @property
    def action(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def at(self) -> datetime: ...


@dataclass(frozen=True)
class Standing:
    """A record that is not counted: why, the reviewer's reason, and the record that replaced it."""

    state: str  # RETURNED or SUPERSEDED
    reason: str
    returned_at: datetime
    superseded_by: str = ""

    @property
    def label(self) -> str:
        """In Chinese, for screens and the record PDF."""
        tail = f"（{self.superseded_by}）" if self.superseded_by else ""
        return f"{STANDING_LABELS[self.state]}{tail}：{self.reason}"


def standings(records: Sequence[_Row], entries: Sequence[_Entry]) -> dict[str, Standing]:
    """The records a reviewer returned, by id (every round: a returned record is never counted again)."""
    by_id = {r.id: r for r in records}
    out: dict[str, Standing] = {}
    for entry in entries:
        if entry.action != ReviewActionKind.RETURN.value or entry.target not in by_id or entry.target in out:
            continue
        returned = by_id[entry.target]
        newer = [r for r in records if r.kind == returned.kind and r.received_at > entry.at]
        if newer:
            out[returned.id] = Standing(SUPERSEDED, entry.reason, entry.at, min(newer, key=lambda r: r.received_at).id)
        else:
            out[returned.id] = Standing(RETURNED, entry.reason, entry.at)
    return out


def counted_ids(records: Sequence[_Row], entries: Sequence[_Entry]) -> set[str]:
    """The records the office counts: every record not returned."""
    out = standings(records, entries)
    return {r.id for r in records if r.id not in out}


def case_standings(session: Session, case_id: str, records: Sequence[_Row]) -> dict[str, Standing]:
    """`standings` of the case's records, reading its return decisions."""
    query = select(ReviewEntry).where(ReviewEntry.case_id == case_id,
                                      ReviewEntry.action == ReviewActionKind.RETURN.value)
    entries: list[ReviewEntry] = list(session.exec(query.order_by(col(ReviewEntry.at), col(ReviewEntry.id))))
    return standings(records, entries)


class _View(Protocol):
    id: str
    outcome: str
    refused: bool


def mark_views(views: Sequence[_View], found: dict[str, Standing]) -> None:
    """A returned record no longer reads "已完成" on the console: its standing replaces the outcome."""
    for view in views:
        if view.id in found:
            view.outcome, view.refused = f"{found[view.id].label}（调查结果：{view.outcome}）", True
