"""Writes assets/forms/neighbour_interview.v2.xlsx: the neighbour interview's second version, authored as an
XLSForm the way an office would in Excel (`python -m scripts.xlsform_neighbour_v2`). The office imports
it in the console (表单), checks the preview and the changes, and publishes it."""
from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

SURVEY = [
    ("type", "name", "label", "hint", "required", "constraint", "relevant", "appearance"),
    ("start", "start", "", "", "", "", "", ""),
    ("end", "end", "", "", "", "", "", ""),
    ("begin group", "relationship", "受访人情况", "", "", "", "", ""),
    ("text", "acquaintance", "与核查对象家庭的关系", "如：邻居、村干部", "yes", "string-length(.) <= 100", "", ""),
    ("integer", "known_years", "认识年数", "", "yes", ". >= 0 and . <= 100", "", ""),
    ("select_one frequency", "contact_frequency", "接触频率", "", "yes", "", "", ""),
    ("end group", "", "", "", "", "", "", ""),
    ("begin group", "family_situation", "家庭情况", "", "", "", "", ""),
    ("note", "family_note", "请受访人按所知情况回答，不清楚的如实说明", "", "", "", "", ""),
    ("text", "family_basic", "家庭基本情况", "", "yes", "", "", "multiline"),
    ("select_multiple income_source", "income_sources", "主要收入来源", "可多选", "yes", "", "", ""),
    ("text", "other_income_source", "其他收入来源", "", "yes", "", "selected(${income_sources}, 'other')", ""),
    ("decimal", "monthly_income_estimate", "估计家庭月收入（元）", "", "", ". >= 0 and . <= 1000000", "", ""),
    ("select_one yes_no", "has_vehicle", "是否有机动车辆", "", "yes", "", "", ""),
    ("begin repeat", "vehicles", "车辆情况", "每辆车一行", "", "", "${has_vehicle} = 'yes'", ""),
    ("select_one vehicle_kind", "vehicle_kind", "车辆类型", "", "yes", "", "", ""),
    ("date", "vehicle_bought_on", "购买日期", "", "", ". >= '1990-01-01'", "", ""),
    ("end repeat", "", "", "", "", "", "", ""),
    ("text", "family_property", "财产情况", "", "yes", "", "", "multiline"),
    ("text", "family_spending", "支出情况", "", "yes", "", "", "multiline"),
    ("text", "family_daily_life", "日常实际生活状况", "", "yes", "", "", "multiline"),
    ("date", "last_seen_on", "最近一次见到该家庭成员的日期", "", "", ". >= '2000-01-01'", "", ""),
    ("end group", "", "", "", "", "", "", ""),
]
CHOICES = [
    ("list_name", "name", "label"),
    ("frequency", "often", "经常"), ("frequency", "sometimes", "偶尔"), ("frequency", "rarely", "很少"),
    ("income_source", "wages", "务工"), ("income_source", "farming", "务农"),
    ("income_source", "business", "经营"), ("income_source", "pension", "退休金"),
    ("income_source", "relatives", "亲属资助"), ("income_source", "other", "其他"),
    ("yes_no", "yes", "是"), ("yes_no", "no", "否"),
    ("vehicle_kind", "car", "轿车"), ("vehicle_kind", "truck", "货车"),
    ("vehicle_kind", "motorcycle", "摩托车"), ("vehicle_kind", "other", "其他"),
]
SETTINGS = [("form_title", "form_id", "version"), ("邻里访问记录表", "neighbour_interview", "2026120601")]


def workbook_bytes(survey=SURVEY, choices=CHOICES, settings=SETTINGS) -> bytes:  # type: ignore[no-untyped-def]
    """An XLSForm workbook with these sheets (rows of cells, the first row the header)."""
    from io import BytesIO
    book = Workbook()
    book.remove(book.active)
    for name, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows is None:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("assets/forms/neighbour_interview.v2.xlsx")
    target.write_bytes(workbook_bytes())
    print(f"wrote {target}")
