"""Appendix D of DB 50/T 1195—2021 (家庭经济状况核查结果报告) as data, and composing its content.

`compose` is pure: it takes the case's facts, subjects, imported data-matching lines and field records
and returns the report's content as a plain JSON-able dict, which is what the agency key seals and
what the PDF shows.

It states only what was established (R42): a data-matching row nobody imported reads 未查询 (未委托 when
the entrustment excluded 信息核查), never 无; the caller passes only the records the office counts
(returned and superseded ones left out); the persons carry their full ID numbers, as appendix D does
(the unit needs them; screens and lists mask them).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from schemas.beijing import as_beijing
from schemas.records import Outcome, SurveyRecord, VisitKind

NOT_ENTRUSTED = "未委托"
NOT_QUERIED = "未查询"
NOT_RECORDED = "（未记录）"
SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("一、家庭基本情况", [("公安", "户籍信息"), ("公安", "死亡信息"), ("公安", "限制人身自由信息"),
                   ("卫健委", "人口信息"), ("卫健委", "死亡信息"), ("民政", "婚姻信息"), ("民政", "殡葬信息"),
                   ("法院", "婚姻信息"), ("法院", "判刑信息"), ("司法", "服刑信息"), ("财政", "财政供养人员"),
                   ("残联", "残疾人信息"), ("乡村振兴", "返贫监测对象")]),
    ("二、家庭收入情况", [("人社", "领取待遇"), ("税务", "个人所得税"), ("市场监管", "登记注册"),
                   ("市场监管", "投资人信息"), ("公积金", "提取信息")]),
    ("三、家庭财产情况", [("税务", "契税信息"), ("公安", "车辆信息"), ("自然资源", "不动产信息"), ("民政", "社会组织"),
                   ("公积金", "贷款"), ("银行", "存款"), ("银行", "理财"), ("银行", "外汇（贵金属）"),
                   ("保险", "商业保险"), ("证券", "股票"), ("证券", "基金"), ("证券", "债券"), ("证券", "期货"),
                   ("证券", "余额")]),
    ("四、家庭支出情况", [("税务", "个人涉税费"), ("税务", "企业/个体登记及涉税"), ("人社", "社会保险缴纳"),
                   ("公积金", "缴存信息"), ("医疗", "医疗支出"), ("第三方支付", "大额支出"),
                   ("水电气讯部门", "水电气讯支出"), ("教育", "教育支出")]),
    ("五、其他信息类", [("民政", "救助信息"), ("民政", "社会组织信息"), ("教育", "教育信息"), ("公安", "口岸出入境"),
                  ("农委", "涉农信息"), ("退役军人", "优抚信息"), ("总工会", "建档困难职工"),
                  ("应急管理", "救助信息")]),
]
VISIT_NAMES = {VisitKind.HOME_VISIT: "入户调查", VisitKind.NEIGHBOUR_INTERVIEW: "邻里访问"}


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    relation: str = ""


@dataclass(frozen=True)
class Matching:
    """One imported data-matching line."""

    section: int
    department: str
    item: str
    summary: str


def gender_of(id_number: str) -> str:
    """男 or 女 from the 17th digit of an 18-digit ID number (odd: male); blank if not readable."""
    return ("男" if int(id_number[16]) % 2 else "女") if len(id_number) == 18 and id_number[16].isdigit() else ""


def cn_date(day: date) -> str:
    """2026年11月16日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _local(moment: datetime) -> datetime:
    return as_beijing(moment)


def record_paragraph(record: SurveyRecord, names: dict[str, str], address: str) -> str:
    """情况概述 of one record: who, when, where, what was found, refusals and their reasons."""
    when = _local(record.started_at)
    team = "、".join(names.get(u, u) for u in record.surveyors)
    who = record.respondent.name + (f"（{record.respondent.relation}）" if record.respondent.relation else "")
    head = (f"{cn_date(when.date())}{when:%H:%M}，调查人员{team}在{address}对{who or '相关人员'}"
            f"进行{VISIT_NAMES.get(record.kind, record.kind.value)}")
    if record.outcome == Outcome.REFUSED:
        return f"{head}，对方拒绝调查：{record.refusal_note or '未记录原因'}。"
    found = str(record.answers.get("survey_conclusion") or record.answers.get("neighbour_opinion") or "").strip()
    extra = f"（未能签名：{record.cannot_sign_reason}）" if record.cannot_sign_reason else ""
    return f"{head}。{found or '已完成调查，详见调查记录表'}{'' if found.endswith('。') else '。'}{extra}"


def compose(*, number: str, addressee: str, entrusting_unit: str, entrusted_on: date | None, agency: str,
            persons: Sequence[Person], matching: Sequence[Matching] | None, records: Sequence[SurveyRecord],
            names: dict[str, str], address: str, team_organisation: str, summary: str,
            copies: int, issued_on: date, data_period: str, accepted_on: date | None = None) -> dict:
    """The report's content: every line the PDF prints (sections 一–五 from `matching`, None when the
    entrustment excluded data matching; 六 from the counted field records)."""
    lookup = {(m.section, m.department, m.item): m.summary for m in matching or []}
    sections = []
    for n, (title, rows) in enumerate(SECTIONS, 1):
        lines = [[dep, item, NOT_ENTRUSTED if matching is None else lookup.get((n, dep, item), NOT_QUERIED)]
                 for dep, item in rows]
        lines += [[m.department, m.item, m.summary] for m in matching or []
                  if m.section == n and (m.department, m.item) not in rows]
        sections.append({"title": title, "rows": lines})
    counts = {"persons": len(persons), "records": len(records),
              "home_visits": sum(r.kind == VisitKind.HOME_VISIT for r in records),
              "neighbour_interviews": sum(r.kind == VisitKind.NEIGHBOUR_INTERVIEW for r in records),
              "refusals": sum(r.outcome == Outcome.REFUSED for r in records)}
    return {
        "number": number, "addressee": addressee, "entrusting_unit": entrusting_unit,
        "entrusted_on": cn_date(entrusted_on) if entrusted_on else NOT_RECORDED,
        "accepted_on": cn_date(accepted_on) if accepted_on else NOT_RECORDED, "agency": agency, "copies": copies,
        "persons": [[str(i), p.name, gender_of(p.id_number), p.id_number] for i, p in enumerate(persons, 1)],
        "counts": counts, "summary": summary, "sections": sections,
        "supplementary": {"source": team_organisation,
                          "paragraphs": [record_paragraph(r, names, address) for r in records]},
        "data_period": data_period, "issued_on": cn_date(issued_on),
    }


def default_summary(content_counts: dict, matching: Sequence[Matching] | None) -> str:
    """The summary sentence the reviewer starts from (核查结果概述)."""
    text = f"经核查，申请人及相关人员共{content_counts['persons']}人。"
    text += (f"调查小组开展入户调查{content_counts['home_visits']}次、邻里访问"
             f"{content_counts['neighbour_interviews']}次")
    text += f"，其中拒绝调查{content_counts['refusals']}次。" if content_counts["refusals"] else "。"
    if matching is None:
        text += "本次委托未包含信息核查。"
    return text
