"""Case summaries kept as data: what the case list filters, sorts and shows, one row per case.

A summary is rewritten inside the very transaction that changes what it is made of. The session notes,
at each flush, the cases whose records, review entries, rounds, letters, subjects or case row were
added, changed or deleted; just before the commit it rewrites those cases' summaries (a new holiday
notice moves every deadline). So no route has to remember to refresh, and a rolled-back change leaves the
old summary. `fill_missing` computes the rows a database lacks (after the migration that added the table;
run once at a start and recorded, ops/backfills.py). Each row also holds what the case list's search
matches: the subjects' names and ID numbers (casework/case_search.py)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from schemas.checklist import CaseCompleteness
from schemas.records import Outcome, VisitKind
from schemas.workdays import HolidayTable
from sync_server.casework import case_search, review
from sync_server.casework.deadlines import case_deadline, holiday_table
from sync_server.ops.progress import progress
from sync_server.tables import (
    Case,
    CaseSummary,
    FindingAck,
    HolidayNotice,
    LetterRequest,
    Record,
    RecordFindings,
    ReVerificationRound,
    ReviewEntry,
    Subject,
    queries,
)

EVERY_CASE = "*"  # a holiday notice changed: every deadline
_PENDING = "case_summaries.pending"
_CHECKLISTS = "case_summaries.checklists"  # case id -> the checklist its summary was computed with
_CASE_OF: dict[type, str] = {Record: "case_id", ReviewEntry: "case_id", ReVerificationRound: "case_id",
            LetterRequest: "case_id", Subject: "case_id", Case: "id", RecordFindings: "case_id",
            FindingAck: "case_id"}


@cache
def builtin_holidays() -> HolidayTable:
    """chinese-calendar's table (the same the app's services start from), loaded once."""
    return HolidayTable.builtin()


def summary_of(session: Session, case: Case, table: HolidayTable, now: datetime,
               checklists: dict[str, CaseCompleteness] | None = None,
               subjects: list[Subject] | None = None) -> CaseSummary:
    """The case's summary computed from its rows (the same facts and rules as the case page); its
    checklist is also put in `checklists` when given; `subjects`: the case's, when already read."""
    facts = review.case_facts(session, case)
    if subjects is None:
        subjects = queries.case_subjects(session, case.id)
    search_names, search_ids = case_search.search_texts(subjects)
    returns = review.open_returns(facts, {})
    checklist = review.checklist(facts, returns)
    if checklists is not None:
        checklists[case.id] = checklist
    records = facts.records
    return CaseSummary(
        case_id=case.id, records=len(records),
        home_visits=sum(1 for r in records if r.kind == VisitKind.HOME_VISIT.value),
        neighbour_interviews=sum(1 for r in records if r.kind == VisitKind.NEIGHBOUR_INTERVIEW.value),
        refused=sum(1 for r in records if r.outcome == Outcome.REFUSED.value),
        last_record_at=max((r.received_at for r in records), default=None),
        checklist_status=checklist.status, missing=sum(1 for i in checklist.items if not i.ok),
        review_status=review.status_of(facts, returns).value, open_returns=len(returns),
        round=facts.round_number, letters_open=sum(1 for letter in facts.letters if not letter.answered),
        deadline=case_deadline(case, table).due, updated_at=now, search_names=search_names, search_ids=search_ids)


def _store(session: Session, rows: Iterable[CaseSummary]) -> None:
    rows = list(rows)
    if not rows:
        return
    ids = [r.case_id for r in rows]
    kept = {s.case_id: s for s in session.exec(select(CaseSummary).where(col(CaseSummary.case_id).in_(ids)))}
    for row in rows:
        old = kept.get(row.case_id)
        if old is None:
            session.add(row)
            continue
        for name in CaseSummary.model_fields:
            setattr(old, name, getattr(row, name))
        session.add(old)


def refresh(session: Session, case_ids: Iterable[str], now: datetime | None = None,
            checklists: dict[str, CaseCompleteness] | None = None) -> None:
    """Rewrite these cases' summaries (cases that no longer exist are skipped), their checklists put in
    `checklists` when given. Not committed."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    now = now or datetime.now(UTC)
    table = holiday_table(session, builtin_holidays())
    # The case rows are locked first (in id order), so two transactions writing to one case take turns and
    # the second one computes over the first one's committed rows (PostgreSQL, READ COMMITTED). FOR NO KEY
    # UPDATE, not FOR UPDATE: each writer already holds a KEY SHARE lock on the case from inserting a row
    # that references it, and FOR UPDATE waits for the other's KEY SHARE: two ingests into one case at once
    # deadlocked. SQLite serialises writers anyway and ignores the clause.
    query = select(Case).where(col(Case.id).in_(ids)).order_by(col(Case.id)).with_for_update(key_share=True)
    cases = list(session.exec(query.execution_options(populate_existing=True)))
    subjects = queries.subjects_of(session, [case.id for case in cases])
    _store(session, [summary_of(session, case, table, now, checklists, subjects.get(case.id, []))
                     for case in cases])


def refresh_deadlines(session: Session, now: datetime | None = None) -> None:
    """Every summary's deadline again, with the holiday table in force now. Not committed."""
    now = now or datetime.now(UTC)
    table = holiday_table(session, builtin_holidays())
    cases = {c.id: c for c in session.exec(select(Case))}
    for summary in session.exec(select(CaseSummary)):
        case = cases.get(summary.case_id)
        if case is not None:
            summary.deadline, summary.updated_at = case_deadline(case, table).due, now
            session.add(summary)


def fill_missing(session: Session) -> int:
    """Compute the summaries of cases that have none (the backfill); how many. Not committed."""
    query = select(Case.id).where(~select(CaseSummary.case_id)
                                  .where(CaseSummary.case_id == Case.id).exists())
    missing = list(session.exec(query))
    with progress("补算案件列表摘要 / backfilling case summaries", len(missing)) as step:
        for start in range(0, len(missing), 500):
            refresh(session, missing[start:start + 500])
            session.flush()
            step(len(missing[start:start + 500]))
    return len(missing)


def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    pending: set[str] = session.info.setdefault(_PENDING, set())
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, HolidayNotice):
            pending.add(EVERY_CASE)
        elif (attribute := _CASE_OF.get(type(row))) is not None:
            case_id = getattr(row, attribute, None)
            if case_id:
                pending.add(case_id)


def _refresh_before_commit(session: Session) -> None:
    session.flush()  # notes what is still unflushed
    pending: set[str] = session.info.pop(_PENDING, set())
    if EVERY_CASE in pending:
        pending.discard(EVERY_CASE)
        refresh_deadlines(session)
    session.info[_CHECKLISTS] = {}  # only this commit's (a backfill of every case keeps none)
    refresh(session, pending, checklists=session.info[_CHECKLISTS])


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_CHECKLISTS, None)


def checklist_kept(session: Session, case_id: str) -> CaseCompleteness | None:
    """The checklist this session's last summary refresh computed for the case (taken: asked once), or
    None: a caller that just committed a change to the case need not compute it again."""
    return session.info.get(_CHECKLISTS, {}).pop(case_id, None)


def track(session_class: type[Session]) -> None:
    """Keep summaries right in every session of this class (done once, by sync_server.db)."""
    if not event.contains(session_class, "before_commit", _refresh_before_commit):
        event.listen(session_class, "before_flush", _note_changes)
        event.listen(session_class, "before_commit", _refresh_before_commit)
        event.listen(session_class, "after_rollback", _forget)
