"""One checklist per case (R1, R9–R19, R23): for each entrusted method what is there and what is missing.

Pure: the server computes it for the console and the API, the tablet shows the same lines from the
case payload. Only the entrusted methods are asked for (§4.1 b: no widening of scope).

What a refusal satisfies (R13) and what it does not:
- A refused home visit, recorded and signed by the team, is a true field result: the home-visit line
  is met as "拒绝入户（已记录）", but it proves nothing about the family's situation.
- If a neighbour interview is entrusted too, the case then needs `NEIGHBOURS_AFTER_REFUSAL` completed
  neighbour interviews with different people (instead of `NEIGHBOURS_NORMALLY`).
- If no neighbour interview is entrusted, the team may not add one: the case's status becomes
  `refused_return` ("拒绝入户 — 退回委托单位") and it is never complete (齐全).
- A later completed home visit (the family let the team in after all) replaces the refusal.
- A neighbour who declines (R15) is recorded but does not count towards the interviews.
- Records the reviewer returned (and lines returned) do not count until the team adds a new record.
- 信息核查 is met only when data-matching results were imported: no data is not "nothing found" (R42).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Protocol

from schemas.methods import METHOD_NAMES, Method
from schemas.records import Outcome, VisitKind
from schemas.text import WireModel

NEIGHBOURS_NORMALLY = 1
NEIGHBOURS_AFTER_REFUSAL = 2

COMPLETE, INCOMPLETE, REFUSED_RETURN = "complete", "incomplete", "refused_return"
STATUS_LABELS = {COMPLETE: "齐全", INCOMPLETE: "未齐全", REFUSED_RETURN: "拒绝入户 — 退回委托单位"}
CHECK_LABELS = {VisitKind.HOME_VISIT: "入户调查", VisitKind.NEIGHBOUR_INTERVIEW: "邻里访问"}
RULES = {Method.INFORMATION_CHECK: "R18", Method.HOME_VISIT: "R9–R13", Method.NEIGHBOUR_INTERVIEW: "R14–R16",
         Method.LETTER_REQUEST: "R17, R31"}


class CheckItem(WireModel):
    """One line of a case's checklist, citing the requirement it checks."""

    code: str
    label: str
    ok: bool
    detail: str = ""
    rule: str = ""  # the R-id(s) this line checks


class CaseCompleteness(WireModel):
    """Whether a case's evidence is complete, line by line, and the case's field status."""

    complete: bool
    items: list[CheckItem]
    status: str = COMPLETE  # COMPLETE, INCOMPLETE or REFUSED_RETURN
    status_label: str = ""


class LetterFacts(WireModel):
    """A letter request as the checklist needs it (R17)."""

    id: str
    answered: bool


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class CountedRecord(Protocol):
    """What the checklist reads of a record (a SurveyRecord has it; the server passes lighter rows)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> VisitKind: ...
    @property
    def outcome(self) -> Outcome: ...
    @property
    def respondent(self) -> _Named: ...


def _method(value: str | Enum) -> Method:
    return Method(value.value if isinstance(value, Enum) else value)


def _distinct_people(records: Sequence[CountedRecord]) -> int:
    return len({(r.respondent.name.strip() or r.id) for r in records})


def case_completeness(*, authorization: bool, entrustment: bool, required_checks: Sequence[str | Enum],
                      records: Sequence[CountedRecord], letters: Sequence[LetterFacts] = (),
                      returned_records: Mapping[str, str] | None = None,
                      returned_lines: Mapping[str, str] | None = None,
                      open_findings: Mapping[str, Sequence[str]] | None = None,
                      matching_lines: int = 0) -> CaseCompleteness:
    """The case's checklist. `required_checks` are the entrusted methods (Method values); `returned_*`
    map a returned record id or line code to the reviewer's reason, for returns still open;
    `open_findings` maps a record id to its evidence findings no reviewer has acknowledged yet (issue 16:
    齐全 means complete AND every finding absent or acknowledged); `matching_lines` is how many
    data-matching lines were imported (信息核查 is met only with data, R42)."""
    returned_records, returned_lines = returned_records or {}, returned_lines or {}
    methods = list(dict.fromkeys(_method(m) for m in required_checks))
    counted = [r for r in records if r.id not in returned_records]
    items = [CheckItem(code="authorization", label="家庭授权书", ok=authorization, rule="R1"),
             CheckItem(code="entrustment", label="单位委托书", ok=entrustment, rule="R1")]
    homes = [r for r in counted if r.kind == VisitKind.HOME_VISIT]
    home_done = [r for r in homes if r.outcome == Outcome.COMPLETED]
    home_refused = bool(homes) and not home_done and Method.HOME_VISIT in methods
    status = COMPLETE
    for method in methods:
        if method == Method.HOME_VISIT:
            item = _home_line(home_done, homes, neighbour_entrusted=Method.NEIGHBOUR_INTERVIEW in methods)
            if home_refused and Method.NEIGHBOUR_INTERVIEW not in methods:
                status = REFUSED_RETURN
        elif method == Method.NEIGHBOUR_INTERVIEW:
            item = _neighbour_line([r for r in counted if r.kind == VisitKind.NEIGHBOUR_INTERVIEW],
                                   NEIGHBOURS_AFTER_REFUSAL if home_refused else NEIGHBOURS_NORMALLY)
        elif method == Method.LETTER_REQUEST:
            answered = sum(1 for letter in letters if letter.answered)
            item = CheckItem(code=method.value, label=METHOD_NAMES[method], ok=answered > 0,
                             detail=f"已发出 {len(letters)} 份，已收到回复 {answered} 份" if letters else "尚未发函")
        else:
            item = CheckItem(code=method.value, label=METHOD_NAMES[method], ok=matching_lines > 0,
                             detail=f"已导入数据比对结果 {matching_lines} 条" if matching_lines
                             else "尚未导入数据比对结果（未查询）")
        item.rule = RULES[method]
        if item.code in returned_lines:
            item.ok, item.detail = False, f"{item.detail}；审核退回：{returned_lines[item.code]}"
        items.append(item)
    for record_id, reason in returned_records.items():
        items.append(CheckItem(code=f"returned.{record_id}", label="退回的调查记录", ok=False, rule="R11",
                               detail=f"{reason}（请补充新的调查记录）"))
    for record in counted:
        texts = (open_findings or {}).get(record.id)
        if texts:
            who = record.respondent.name.strip() or record.id[:8]
            items.append(CheckItem(code=f"findings.{record.id}",
                                   label=f"证据提示待审核确认：{CHECK_LABELS[record.kind]}（{who}）",
                                   ok=False, rule="R10, R30", detail="；".join(texts)))
    complete = status == COMPLETE and all(i.ok for i in items)
    if status == COMPLETE and not complete:
        status = INCOMPLETE
    return CaseCompleteness(complete=complete, items=items, status=status, status_label=STATUS_LABELS[status])


def _home_line(done: Sequence[CountedRecord], homes: Sequence[CountedRecord], *,
               neighbour_entrusted: bool) -> CheckItem:
    label = CHECK_LABELS[VisitKind.HOME_VISIT]
    if done:
        refused = len(homes) - len(done)
        detail = f"{len(homes)} 份记录" + (f"，其中 {refused} 份为拒绝入户" if refused else "")
        return CheckItem(code=Method.HOME_VISIT.value, label=label, ok=True, detail=detail)
    if homes:
        then = (f"须以至少 {NEIGHBOURS_AFTER_REFUSAL} 份邻里访问补充" if neighbour_entrusted
                else "委托未含邻里访问，不得扩大核查范围，应退回委托单位")
        return CheckItem(code=Method.HOME_VISIT.value, label=label, ok=True,
                         detail=f"拒绝入户已记录并经调查小组签名（R13）；{then}")
    return CheckItem(code=Method.HOME_VISIT.value, label=label, ok=False, detail="尚无记录")


def _neighbour_line(records: Sequence[CountedRecord], need: int) -> CheckItem:
    done = [r for r in records if r.outcome == Outcome.COMPLETED]
    declined = len(records) - len(done)
    people = _distinct_people(done)
    detail = f"已访问 {people} 人，需至少 {need} 人" + (f"；{declined} 人拒绝受访（R15，不计入）" if declined else "")
    return CheckItem(code=Method.NEIGHBOUR_INTERVIEW.value, label=CHECK_LABELS[VisitKind.NEIGHBOUR_INTERVIEW],
                     ok=people >= need, detail=detail)
