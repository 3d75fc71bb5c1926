"""XLSForm workbooks for tests: the neighbour interview v2 the office authors (assets/forms/), and variants."""
from __future__ import annotations

from pathlib import Path

from scripts.xlsform_neighbour_v2 import CHOICES, SETTINGS, SURVEY, workbook_bytes

NEIGHBOUR_V2 = Path(__file__).resolve().parents[2] / "assets" / "forms" / "neighbour_interview.v2.xlsx"
HEADER = SURVEY[0]


def neighbour_v2() -> bytes:
    """The workbook as shipped in assets/forms (authored in Excel's format, read by openpyxl)."""
    return NEIGHBOUR_V2.read_bytes()


def with_rows(*rows: tuple[str, ...], choices=CHOICES, settings=SETTINGS) -> bytes:  # type: ignore[no-untyped-def]
    """A workbook whose survey sheet is the header then these rows (missing cells blank)."""
    padded = [tuple(list(r) + [""] * (len(HEADER) - len(r))) for r in rows]
    return workbook_bytes([HEADER, *padded], choices, settings)


# a neighbour interview v2 answered as a surveyor would (labels, not XLSForm names, are stored)
V2_ANSWERS: dict[str, object] = {
    "acquaintance": "对门邻居", "known_years": 12, "contact_frequency": "经常", "family_basic": "三口之家，户主腿脚不便",
    "income_sources": ["务工", "其他"], "other_income_source": "低保金", "monthly_income_estimate": 1800.5,
    "has_vehicle": True, "vehicles": [{"vehicle_kind": "摩托车", "vehicle_bought_on": "2015-06-01"}],
    "family_property": "旧房一套", "family_spending": "药费较多", "family_daily_life": "节俭",
}
