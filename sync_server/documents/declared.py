"""Declared against verified (R18, R32's combined accounting): each line of the family's declaration
(申报情况, from the unit's exchange submission) beside what the data matching established for the item it
is set against. What was not queried says "未查询", never "无" (R42)."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from schemas.methods import Method
from sync_server.documents.appendix_d import NOT_ENTRUSTED, NOT_QUERIED, SECTIONS
from sync_server.tables import Case, ExchangeSubmission, MatchingResult

HEADERS = ["部分", "申报项目", "申报金额", "核查结果"]
NOT_PAIRED = "（申报时未指明对照的核查项目）"


def declared_items(session: Session, case_id: str) -> list[dict]:
    """The declaration submitted with the case ([] when the case did not come through the exchange)."""
    row = session.exec(select(ExchangeSubmission).where(ExchangeSubmission.case_id == case_id)).first()
    return list(row.declared.get("items", [])) if row is not None else []


def declared_rows(session: Session, case: Case) -> list[list[str]]:
    """One row per declared item: part of the report, item (and period), amount in yuan, verified."""
    items = declared_items(session, case.id)
    if not items:
        return []
    entrusted = Method.INFORMATION_CHECK.value in case.required_checks
    found = {(m.section, m.department, m.item): m.summary
             for m in session.exec(select(MatchingResult).where(MatchingResult.case_id == case.id))}
    rows = []
    for item in items:
        section = int(item["section"])
        part = SECTIONS[section - 1][0].split("、", 1)[-1] if 1 <= section <= len(SECTIONS) else str(section)
        label = item["item"] + (f"（{item['period']}）" if item.get("period") else "")
        amount = f"{Decimal(str(item['amount'])):,.2f} 元"
        if not (item.get("department") and item.get("matching_item")):
            verified = NOT_PAIRED
        elif not entrusted:
            verified = NOT_ENTRUSTED
        else:
            key = (section, item["department"], item["matching_item"])
            verified = f"{key[1]}·{key[2]}：" + found.get(key, NOT_QUERIED)
        rows.append([part, label, amount, verified])
    return rows
