"""Wire models of the office side of a case: review decisions (R11–R16), re-verification rounds (R19, R28),
letter requests (R17, R31) and the reviewer's case list. Every decision is kept: who, when, why.

Routes (all under /api/v1, see sync_server/api/review_routes.py and letter_routes.py):
  GET  /review/cases                        -> CasePage       filters, search, marks, pages
  GET  /cases/{id}/review                   -> ReviewState    checklist, open returns, history
  POST /cases/{id}/review   ReviewAction    -> ReviewEntry    accept, return an item, comment
  GET  /cases/{id}/rounds                   -> list[Round]
  POST /cases/{id}/rounds   Objection       -> Round          record the objection, open a round
  POST /cases/{id}/rounds/{n}/result  RoundResult -> Round    the result, fed back to the unit
  GET  /cases/{id}/letters                  -> list[Letter]
  POST /cases/{id}/letters  LetterIn        -> Letter
  POST /cases/{id}/letters/{lid}/follow-ups FollowUpIn -> Letter
  PUT  /cases/{id}/letters/{lid}/answer     raw PDF/JPEG/PNG body -> Letter
"""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import Field

from schemas.checklist import CaseCompleteness
from schemas.methods import Method
from schemas.records import VisitKind
from schemas.text import WireModel


class ReviewActionKind(str, Enum):
    ACCEPT = "accept"  # 审核通过: the case's field evidence is accepted
    RETURN = "return"  # 退回: a record or a checklist line goes back to the team, with a reason
    COMMENT = "comment"  # 意见: a remark on the case or on a record, changes nothing


ACTION_LABELS = {ReviewActionKind.ACCEPT: "审核通过", ReviewActionKind.RETURN: "退回补充",
                 ReviewActionKind.COMMENT: "审核意见"}


class ReviewAction(WireModel):
    """A reviewer's decision. `target`: "" for the case, a record id, or a checklist line code."""

    action: ReviewActionKind
    target: str = Field(default="", max_length=80)
    reason: str = Field(default="", max_length=2000)


class ReviewEntry(WireModel):
    """One kept decision (never changed afterwards)."""

    id: int
    case_id: str
    round: int
    action: ReviewActionKind
    target: str
    target_label: str = ""
    reason: str
    by: str
    by_name: str
    at: datetime


class ReturnedItem(WireModel):
    """An item the reviewer returned and the team has not yet answered with a new record."""

    entry_id: int
    target: str
    kind: VisitKind | None  # the kind of record the team should add
    label: str
    reason: str
    returned_at: datetime
    by_name: str
    findings: list[str] = Field(default_factory=list)  # a returned record's findings, in Chinese (issue 16)


class ReviewStatus(str, Enum):
    PENDING = "pending"
    RETURNED = "returned"
    ACCEPTED = "accepted"


REVIEW_STATUS_LABELS = {ReviewStatus.PENDING: "待审核", ReviewStatus.RETURNED: "已退回补充",
                        ReviewStatus.ACCEPTED: "审核通过"}


class ReviewState(WireModel):
    case_id: str
    round: int
    status: ReviewStatus
    checklist: CaseCompleteness
    open_returns: list[ReturnedItem]
    history: list[ReviewEntry]


class Objector(str, Enum):
    UNIT = "unit"  # 委托单位
    FAMILY = "family"  # 核查对象家庭


OBJECTOR_LABELS = {Objector.UNIT: "委托单位", Objector.FAMILY: "核查对象家庭"}


class Objection(WireModel):
    """R28: who objected, on what grounds, when; and the methods of the new round (R19: the same ones)."""

    objected_by: Objector
    objector_name: str = Field(min_length=1, max_length=100)
    grounds: str = Field(min_length=1, max_length=4000)
    objected_on: date
    methods: list[Method] = Field(min_length=1)


class RoundResult(WireModel):
    """The round's result and to whom in the unit it was fed back (R19, R28)."""

    result: str = Field(min_length=1, max_length=4000)
    fed_back_to: str = Field(min_length=1, max_length=100)
    fed_back_on: date


class Round(WireModel):
    case_id: str
    number: int  # 2 for the first re-verification
    objected_by: Objector
    objector_name: str
    grounds: str
    objected_on: date
    methods: list[Method]
    opened_on: date
    due: date
    due_warning: str = ""
    opened_by: str
    result: str = ""
    fed_back_to: str = ""
    fed_back_on: date | None = None
    closed_by: str = ""


class CaseRow(WireModel):
    """One line of the reviewer's case list."""

    id: str
    title: str
    entrusting_unit: str
    team_id: str
    accepted_on: date
    deadline: date
    overdue: bool
    due_soon: bool
    checklist_status: str
    checklist_label: str
    review_status: ReviewStatus
    records: int
    subjects: str  # names, with ID numbers masked unless the role may see them


class CasePage(WireModel):
    rows: list[CaseRow]
    total: int  # matching cases, counted up to a few pages past this one ...
    page: int
    pages: int
    more: bool = False  # ... and more match than `total` (pages beyond `pages` exist)
