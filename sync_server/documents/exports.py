"""Exports for analysis (issue 20): cases, records (one row per record; answers and table cells as
long-format rows), evidence lists and review decisions, filtered like the case list
(casework/reviewer_list.py: unit, team, status, due, name or ID number) and within what the account may
see. ID numbers are masked as on screen unless the role may see them in full (R21); in records, any
answer that is an ID number is masked the same way.

Rows are produced lazily, a page of cases at a time in case id order (keyset, not OFFSET), so a CSV
starts streaming at once and memory does not grow with the export. The same datasets feed the OData
feed (documents/odata.py)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from schemas.beijing import beijing_date, beijing_text
from schemas.checklist import STATUS_LABELS
from schemas.masking import masked_id_number
from schemas.review import REVIEW_STATUS_LABELS, ReviewStatus
from sync_server.casework.reviewer_list import ID_NUMBER_ROLES, Filters, list_conditions
from sync_server.office.id_numbers import ID_PATTERN
from sync_server.tables import (
    Account,
    Case,
    CaseSummary,
    EvidenceFile,
    Record,
    RecordEvidence,
    ReviewEntry,
    Subject,
)

PAGE = 500  # cases per query
Value = str | int | float | bool | date | None


@dataclass(frozen=True)
class Column:
    name: str  # the field name (CSV header row 2, OData property)
    label: str  # the Chinese header
    kind: str = "string"  # string, int, date, bool, datetime (Beijing text)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: tuple[Column, ...]


C = Column
DATASETS = {d.name: d for d in (
    Dataset("cases", "案件", (C("case_id", "案件编号"), C("title", "标题"), C("entrusting_unit", "委托单位"),
                            C("team_id", "调查小组"), C("agency_id", "核查机构"), C("accepted_on", "受理日期", "date"),
                            C("deadline", "办理期限", "date"), C("overdue", "已超期", "bool"),
                            C("checklist", "核查清单"), C("review_status", "审核状态"), C("records", "调查记录", "int"),
                            C("refused", "拒绝入户记录", "int"), C("round", "轮次", "int"),
                            C("subjects", "核查对象"))),
    Dataset("records", "调查记录", (C("record_id", "记录编号"), C("case_id", "案件编号"), C("kind", "类型"),
                                C("outcome", "结果"), C("form_id", "表单"), C("form_version", "表单版本", "int"),
                                C("received_at", "接收时间", "datetime"), C("received_from", "提交人"),
                                C("surveyors", "调查人员"), C("respondent", "被调查人"),
                                C("started_at", "开始时间", "datetime"), C("refusal_note", "拒绝入户情况"),
                                C("cannot_sign_reason", "无法签字原因"), C("evidence_files", "留证文件", "int"))),
    Dataset("answers", "记录答项（长表）", (C("record_id", "记录编号"), C("case_id", "案件编号"), C("field", "字段"),
                                    C("value", "值"))),
    Dataset("table_cells", "记录表格（长表）", (C("record_id", "记录编号"), C("case_id", "案件编号"),
                                        C("table", "表格"), C("row", "行", "int"), C("column", "列"),
                                        C("value", "值"))),
    Dataset("evidence", "留证文件", (C("case_id", "案件编号"), C("record_id", "记录编号"), C("sha256", "SHA-256"),
                                 C("kind", "类型"), C("role", "用途"), C("media_type", "媒体类型"),
                                 C("size", "字节数", "int"))),
    Dataset("reviews", "审核决定", (C("entry_id", "编号", "int"), C("case_id", "案件编号"), C("round", "轮次", "int"),
                                C("action", "决定"),
                                C("target", "对象"), C("reason", "理由"), C("by", "审核人"),
                                C("at", "时间", "datetime"))),
)}
SHEETS = {"cases": ("cases",), "records": ("records", "answers", "table_cells"), "evidence": ("evidence",),
          "reviews": ("reviews",)}  # an XLSX download and its sheets


def shown_id(number: str, full: bool) -> str:
    return number if full else masked_id_number(number)


def _cell(value: object, full: bool) -> Value:
    if isinstance(value, str) and not full and ID_PATTERN.match(value.upper()):
        return masked_id_number(value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else json.dumps(value,
                                                                                             ensure_ascii=False)


CASE_COLUMNS = (col(Case.id), col(Case.title), col(Case.entrusting_unit), col(Case.team_id), col(Case.agency_id),
                col(Case.accepted_on), col(CaseSummary.deadline), col(CaseSummary.checklist_status),
                col(CaseSummary.review_status), col(CaseSummary.records), col(CaseSummary.refused),
                col(CaseSummary.round))


def case_pages(session: Session, account: Account, filters: Filters, today: date,
               extra: list[ColumnElement[bool]] | None = None) -> Iterator[list[Row[Any]]]:
    """The matching cases' list columns (CASE_COLUMNS, not ORM objects: an export reads many), a page at
    a time, in case id order."""
    where = list_conditions(session, account, filters, today) + (extra or [])
    last = ""
    while True:
        page = list(session.execute(
            sql_select(*CASE_COLUMNS).select_from(Case).join(CaseSummary, col(CaseSummary.case_id) == col(Case.id))
            .where(*where, col(Case.id) > last).order_by(col(Case.id)).limit(PAGE)))
        if not page:
            return
        yield page
        last = page[-1][0]


def count_cases(session: Session, account: Account, filters: Filters, today: date,
                extra: list[ColumnElement[bool]] | None = None) -> int:
    """How many cases `case_pages` would give, counted in SQL."""
    where = list_conditions(session, account, filters, today) + (extra or [])
    query = (sql_select(func.count()).select_from(Case)
             .join(CaseSummary, col(CaseSummary.case_id) == col(Case.id)).where(*where))
    return int(session.execute(query).scalar_one())


def rows(session: Session, account: Account, dataset: str, filters: Filters, now: datetime,
         extra: list[ColumnElement[bool]] | None = None) -> Iterator[dict[str, Value]]:
    """The dataset's rows (dicts keyed by column name) for the matching cases."""
    today, full = beijing_date(now), account.role in ID_NUMBER_ROLES
    for page in case_pages(session, account, filters, today, extra):
        ids = [row[0] for row in page]
        if dataset == "cases":
            yield from _cases(session, page, today, full)
        elif dataset in ("records", "answers", "table_cells"):
            yield from _records(session, ids, dataset, full)
        elif dataset == "evidence":
            query = (sql_select(col(Record.case_id), col(RecordEvidence.record_id), col(RecordEvidence.sha256),
                                col(RecordEvidence.kind), col(RecordEvidence.role), col(RecordEvidence.media_type),
                                col(EvidenceFile.size))
                     .select_from(RecordEvidence).join(Record, col(Record.id) == col(RecordEvidence.record_id))
                     .join(EvidenceFile, col(EvidenceFile.sha256) == col(RecordEvidence.sha256))
                     .where(col(Record.case_id).in_(ids)).order_by(col(Record.case_id), col(RecordEvidence.record_id)))
            names = ("case_id", "record_id", "sha256", "kind", "role", "media_type", "size")
            for found in session.execute(query):
                yield dict(zip(names, found, strict=True))
        elif dataset == "reviews":
            decisions = select(ReviewEntry).where(col(ReviewEntry.case_id).in_(ids))
            for entry in session.exec(decisions.order_by(col(ReviewEntry.case_id), col(ReviewEntry.id))):
                yield {"entry_id": entry.id, "case_id": entry.case_id, "round": entry.round, "action": entry.action,
                       "target": entry.target, "reason": entry.reason, "by": entry.by,
                       "at": beijing_text(entry.at, seconds=True)}
        else:
            raise KeyError(dataset)


def _cases(session: Session, page: list[Row[Any]], today: date, full: bool) -> Iterator[dict[str, Value]]:
    subjects: dict[str, list[tuple[str, str]]] = {}
    query = (sql_select(col(Subject.case_id), col(Subject.name), col(Subject.id_number))
             .where(col(Subject.case_id).in_([row[0] for row in page])).order_by(col(Subject.position)))
    for case_id, name, number in session.execute(query):
        subjects.setdefault(case_id, []).append((name, number))
    for row in page:
        (case_id, title, unit, team_id, agency_id, accepted_on, deadline, checklist, review_status, records,
         refused, round_) = tuple(row)
        status = ReviewStatus(review_status)
        yield {"case_id": case_id, "title": title, "entrusting_unit": unit, "team_id": team_id,
               "agency_id": agency_id or "", "accepted_on": accepted_on, "deadline": deadline,
               "overdue": deadline < today and status != ReviewStatus.ACCEPTED, "checklist": STATUS_LABELS[checklist],
               "review_status": REVIEW_STATUS_LABELS[status], "records": records, "refused": refused,
               "round": round_,
               "subjects": "；".join(f"{n}（{shown_id(num, full)}）" for n, num in subjects.get(case_id, []))}


def _records(session: Session, ids: list[str], dataset: str, full: bool) -> Iterator[dict[str, Value]]:
    query = (sql_select(col(Record.id), col(Record.case_id), col(Record.kind), col(Record.outcome),
                        col(Record.form_id), col(Record.form_version), col(Record.received_at),
                        col(Record.received_from), col(Record.sealed_json))
             .where(col(Record.case_id).in_(ids)).order_by(col(Record.case_id), col(Record.id)))
    for row in session.execute(query):
        record = json.loads(row.sealed_json)["record"]
        if dataset == "records":
            respondent = record.get("respondent") or {}
            yield {"record_id": row.id, "case_id": row.case_id, "kind": row.kind, "outcome": row.outcome,
                   "form_id": row.form_id, "form_version": row.form_version,
                   "received_at": beijing_text(row.received_at, seconds=True), "received_from": row.received_from,
                   "surveyors": "、".join(record.get("surveyors", [])), "respondent": respondent.get("name", ""),
                   "started_at": beijing_text(datetime.fromisoformat(record["started_at"]), seconds=True),
                   "refusal_note": record.get("refusal_note", ""),
                   "cannot_sign_reason": record.get("cannot_sign_reason", ""),
                   "evidence_files": len(record.get("evidence", []))}
            continue
        for field, answer in (record.get("answers") or {}).items():
            if isinstance(answer, list) and dataset == "table_cells":
                for number, cells in enumerate(answer, start=1):
                    for column, value in cells.items():
                        yield {"record_id": row.id, "case_id": row.case_id, "table": field, "row": number,
                               "column": column, "value": _cell(value, full)}
            elif not isinstance(answer, list) and dataset == "answers":
                yield {"record_id": row.id, "case_id": row.case_id, "field": field, "value": _cell(answer, full)}
