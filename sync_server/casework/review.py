"""Reviewing a case's field evidence: the checklist with open returns, and decisions kept forever.

A return stays open until the team merges a new record of the returned kind after the return
(sealed records never change: the answer to a return is always a new record). Nothing here commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from schemas.checklist import CaseCompleteness, LetterFacts, case_completeness
from schemas.findings import Finding
from schemas.methods import METHOD_NAMES, Method
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.records import Outcome, VisitKind
from schemas.review import (
    ReturnedItem,
    ReviewAction,
    ReviewActionKind,
    ReviewState,
    ReviewStatus,
)
from schemas.review import ReviewEntry as ReviewEntryOut
from schemas.staffing import Post
from sync_server.accounts.posts import refuse_own_survey, require_post
from sync_server.casework import findings
from sync_server.casework.record_standing import SUPERSEDED, standings
from sync_server.tables import (
    Account,
    Case,
    FindingAck,
    LetterRequest,
    MatchingResult,
    Record,
    ReVerificationRound,
    ReviewEntry,
    queries,
)
from sync_server.transparency.audit_rows import log_row

FIELD_LINES = {k.value: k for k in VisitKind}


@dataclass
class ReviewFacts:
    """A case's records, entries and current round, loaded once."""

    case: Case
    records: list[Record]
    entries: list[ReviewEntry]
    round: ReVerificationRound | None  # the open or last re-verification round
    letters: list[LetterFacts]
    matching: int = 0  # data-matching lines imported (信息核查): none means nothing was queried (R42)
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by record id: what the server found
    acks: dict[str, list[FindingAck]] = field(default_factory=dict)  # by record id: what reviewers acknowledged

    def open_findings(self, record_id: str) -> list[Finding]:
        """The record's findings no reviewer has acknowledged yet."""
        return findings.unacknowledged(self.findings.get(record_id, []), self.acks.get(record_id, []))

    @property
    def round_number(self) -> int:
        return self.round.number if self.round else 1

    def round_records(self) -> list[Record]:
        """The records of the current round: a re-verification round counts only what came after it opened."""
        if self.round is None:
            return self.records
        opened = self.round.opened_at
        return [r for r in self.records if r.received_at > opened]

    def methods(self) -> list[str]:
        return list(self.round.methods) if self.round else list(self.case.required_checks)


def case_facts(session: Session, case: Case) -> ReviewFacts:
    """Load what the checklist and the review need."""
    return facts_of_cases(session, [case])[case.id]


def facts_of_cases(session: Session, cases: list[Case]) -> dict[str, ReviewFacts]:
    """The facts of several cases in five queries, whatever their number and their records'."""
    ids = [c.id for c in cases]
    if not ids:
        return {}
    records: dict[str, list[Record]] = {i: [] for i in ids}
    for row in session.exec(select(Record).where(col(Record.case_id).in_(ids))  # not the sealed bytes:
                            .options(defer(Record.sealed_json), defer(Record.seal_verdicts))  # type: ignore[arg-type]
                            .order_by(col(Record.received_at), col(Record.id))):  # the checklist reads columns
        records[row.case_id].append(row)
    entries: dict[str, list[ReviewEntry]] = {i: [] for i in ids}
    for entry in session.exec(select(ReviewEntry).where(col(ReviewEntry.case_id).in_(ids))
                              .order_by(col(ReviewEntry.at), col(ReviewEntry.id))):
        entries[entry.case_id].append(entry)
    last_round: dict[str, ReVerificationRound] = {}
    for row_round in session.exec(select(ReVerificationRound).where(col(ReVerificationRound.case_id).in_(ids))
                                  .order_by(col(ReVerificationRound.number))):
        last_round[row_round.case_id] = row_round
    letters: dict[str, list[LetterFacts]] = {i: [] for i in ids}
    for letter in session.exec(select(LetterRequest).where(col(LetterRequest.case_id).in_(ids))):
        letters[letter.case_id].append(LetterFacts(id=letter.id, answered=letter.answer_sha256 is not None))
    matching: dict[str, int] = dict(session.exec(  # type: ignore[arg-type]
        select(MatchingResult.case_id, func.count()).where(col(MatchingResult.case_id).in_(ids))
        .group_by(col(MatchingResult.case_id))).all())
    found, acks = findings.findings_of(session, ids), findings.acks_of(session, ids)
    return {c.id: ReviewFacts(c, records[c.id], entries[c.id], last_round.get(c.id), letters[c.id],
                              matching.get(c.id, 0), found, acks) for c in cases}


def _kind_of(target: str, records: dict[str, Record]) -> VisitKind | None:
    if target in records:
        return VisitKind(records[target].kind)
    return FIELD_LINES.get(target)


def open_returns(facts: ReviewFacts, names: dict[str, str]) -> list[ReturnedItem]:
    """Returns of the current round not yet answered by a newer record of the same kind."""
    by_id = {r.id: r for r in facts.records}
    out = []
    for entry in facts.entries:
        if entry.action != ReviewActionKind.RETURN.value or entry.round != facts.round_number:
            continue
        kind = _kind_of(entry.target, by_id)
        answered = any(r.kind == (kind.value if kind else None) and r.received_at > entry.at
                       for r in facts.records)
        if not answered:
            out.append(ReturnedItem(entry_id=entry.id or 0, target=entry.target, kind=kind,
                                    label=target_label(entry.target, by_id), reason=entry.reason,
                                    returned_at=entry.at, by_name=names.get(entry.by, entry.by),
                                    findings=list(dict.fromkeys(f.label
                                                                for f in facts.findings.get(entry.target, [])))))
    return out


def target_label(target: str, records: dict[str, Record]) -> str:
    """A Chinese name for what a decision is about."""
    if not target:
        return "本案"
    if target in records:
        row = records[target]
        return f"{METHOD_NAMES[Method(row.kind)]}记录（{row.received_at:%m-%d %H:%M} 收到）"
    if target in FIELD_LINES:
        return f"核查项：{METHOD_NAMES[Method(target)]}"
    return target


@dataclass(frozen=True)
class _Respondent:
    name: str


@dataclass(frozen=True)
class CountedRow:
    """What the checklist reads of a stored record: kind and outcome from its columns, the respondent's
    name from its JSON (a plain JSON read, a tenth of validating the whole sealed record)."""

    id: str
    kind: VisitKind
    outcome: Outcome
    respondent: _Respondent


def counted(row: Record) -> CountedRow:
    """The row as the checklist counts it."""
    name = row.respondent_name if row.respondent_name is not None else respondent_of(row)
    return CountedRow(row.id, VisitKind(row.kind), Outcome(row.outcome), _Respondent(name))


def respondent_of(row: Record) -> str:
    """The respondent's name read from the sealed record (a plain JSON read, not a validation)."""
    respondent = json.loads(row.sealed_json)["record"].get("respondent") or {}
    return str(respondent.get("name", ""))


def fill_respondents(session: Session, batch: int = 500) -> int:
    """Keep the respondent's name of records merged before the column; how many. Not committed."""
    done = 0
    while rows := list(session.exec(select(Record).where(col(Record.respondent_name).is_(None)).limit(batch))):
        for row in rows:
            row.respondent_name = respondent_of(row)
            session.add(row)
        session.flush()
        done += len(rows)
    return done


def checklist(facts: ReviewFacts, returns: list[ReturnedItem]) -> CaseCompleteness:
    """The checklist of the current round, with the open returns taken off and the returned records that a
    newer record superseded left out (R42: a returned record is never counted again)."""
    superseded = {i for i, s in standings(facts.records, facts.entries).items() if s.state == SUPERSEDED}
    records = [counted(r) for r in facts.round_records() if r.id not in superseded]
    ids = {r.id for r in records}
    return case_completeness(
        authorization=facts.case.authorization_recorded, entrustment=facts.case.entrustment_recorded,
        required_checks=facts.methods(), records=records, letters=facts.letters, matching_lines=facts.matching,
        returned_records={r.target: r.reason for r in returns if r.target in ids},
        returned_lines={r.target: r.reason for r in returns if r.target in FIELD_LINES},
        open_findings={i: [f.text() for f in facts.open_findings(i)] for i in ids})


def review_state(session: Session, case: Case) -> ReviewState:
    """The checklist, the open returns and every decision of the case."""
    facts = case_facts(session, case)
    names = {u: a.name for u, a in queries.accounts_by_username(session, {e.by for e in facts.entries}).items()}
    returns = open_returns(facts, names)
    by_id = {r.id: r for r in facts.records}
    history = [ReviewEntryOut(id=e.id or 0, case_id=e.case_id, round=e.round, action=ReviewActionKind(e.action),
                              target=e.target, target_label=target_label(e.target, by_id), reason=e.reason,
                              by=e.by, by_name=names.get(e.by, e.by), at=e.at) for e in facts.entries]
    return ReviewState(case_id=case.id, round=facts.round_number, status=status_of(facts, returns),
                       checklist=checklist(facts, returns), open_returns=returns, history=history)


def status_of(facts: ReviewFacts, returns: list[ReturnedItem]) -> ReviewStatus:
    """Returned while a return is open; accepted if the last decision of the round accepted and no record
    came after it; else pending."""
    if returns:
        return ReviewStatus.RETURNED
    decisions = [e for e in facts.entries if e.round == facts.round_number
                 and e.action in (ReviewActionKind.ACCEPT.value, ReviewActionKind.RETURN.value)]
    if decisions and decisions[-1].action == ReviewActionKind.ACCEPT.value:
        last = decisions[-1].at
        if not any(r.received_at > last for r in facts.round_records()):
            return ReviewStatus.ACCEPTED
    return ReviewStatus.PENDING


def decide(session: Session, case: Case, reviewer: Account, action: ReviewAction, now: datetime) -> ReviewEntry:
    """Keep one decision of a reviewer (not committed). Returns need a reason and a target of this case;
    accepting needs a complete checklist (or a refusal to return to the unit) and no open return."""
    if reviewer.role != AccountRole.REVIEWER.value:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员可以审核")
    require_post(reviewer, Post.VERIFICATION)
    refuse_own_survey(session, reviewer, case)
    facts = case_facts(session, case)
    reason, target = action.reason.strip(), action.target.strip()
    by_id = {r.id: r for r in facts.records}
    if target and target not in by_id and target not in FIELD_LINES:
        raise ProblemError(Code.REVIEW_INVALID, f"本案没有“{target}”", target=target)
    if action.action == ReviewActionKind.RETURN:
        if not reason or not target:
            raise ProblemError(Code.REVIEW_INVALID, "退回须指明记录或核查项，并写明理由")
        if target in FIELD_LINES and target not in facts.methods():
            raise ProblemError(Code.METHOD_NOT_ENTRUSTED, METHOD_NAMES[Method(target)])
    if action.action == ReviewActionKind.COMMENT and not reason:
        raise ProblemError(Code.REVIEW_INVALID, "意见不能为空")
    if action.action == ReviewActionKind.ACCEPT:
        returns = open_returns(facts, {})
        result = checklist(facts, returns)
        if returns or not (result.complete or result.status == "refused_return"):
            raise ProblemError(Code.REVIEW_NOT_COMPLETE, result.status_label,
                               missing=[i.label for i in result.items if not i.ok])
    entry = ReviewEntry(case_id=case.id, round=facts.round_number, action=action.action.value, target=target,
                        reason=reason, by=reviewer.username, at=now)
    session.add(entry)
    session.flush()  # its id names the decision: the subject its dossier item is found by (the target is in the row)
    log_row(session, "review.decided", entry, actor=reviewer.username, at=now, case_id=case.id,
            subject=f"{case.id}/review/{entry.id}")
    return entry
