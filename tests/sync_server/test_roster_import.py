"""The 委托名单 as a clerk's spreadsheet really is (R23): full-width digits, stray spaces, a lowercase x and ID
numbers Excel turned into numbers. Typing is normalised; each row that cannot be repaired is named with its
reason in Chinese; the good rows can be imported alone and the bad ones downloaded as xlsx to fix."""
from __future__ import annotations

import html
import io
import json
import re
from dataclasses import asdict
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from schemas.problems import ProblemError
from sync_server.office import roster
from sync_server.office.id_numbers import make_id_number
from tests.sync_server.console_client import console_post
from tests.sync_server.helpers import FieldTeam, password_login, problem_of
from tests.sync_server.test_console import console_login
from tests.sync_server.test_intake_api import API, create

GOOD = make_id_number("500112", date(1980, 1, 2), 5, True)
WITH_X = next(n for n in (make_id_number("500112", date(1970, 3, d), 3, False) for d in range(1, 29))
              if n.endswith("X"))
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(("field", "typed", "meant"), [
    ("id_number", GOOD.translate(FULL_WIDTH), GOOD),
    ("id_number", f" {GOOD[:6]} {GOOD[6:14]}\u3000{GOOD[14:]} ", GOOD),
    ("id_number", WITH_X.lower(), WITH_X),
    ("id_number", WITH_X[:-1] + "ｘ", WITH_X),
    ("position", "１２", "12"),
    ("name", "王 建国", "王建国"),
    ("name", "\u3000李\u3000娜\u200b", "李娜"),
    ("name", "  Anna   Li ", "Anna Li"),
    ("household_address", "重庆市渝北区  龙溪街道 ５ 号", "重庆市渝北区 龙溪街道 5 号"),
])
def test_typing_is_normalised(field: str, typed: str, meant: str):
    assert roster.normalise(field, typed) == meant


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号码", "户籍地址", "备注"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIXED = _xlsx([
    [1, "周 红", GOOD.translate(FULL_WIDTH), "重庆市渝北区", "户主"],  # good once normalised
    [2, "周军", int(GOOD[:-1] + "0"), "重庆市渝北区", ""],  # Excel made a number of it
    [None, None, None, None, None],  # an empty row is skipped, not an error
    ["三", "周丽", GOOD[:-1] + "0", "", ""],  # three problems in one row
    [4, "周强", WITH_X.lower(), "重庆市渝北区", ""],  # good
    [5, "周强二", WITH_X, "重庆市渝北区", ""],  # the same person twice
])


def test_a_mixed_sheet_is_sorted_into_good_subjects_and_named_rejected_rows():
    reading = roster.read_roster(MIXED)
    assert [(s.name, s.id_number) for s in reading.subjects] == [("周红", GOOD), ("周强", WITH_X)]
    assert [r.row for r in reading.rejected] == [3, 5, 7]
    numeric, three, twice = (r.message for r in reading.rejected)
    assert "存成了数字" in numeric and "文本" in numeric
    assert "序号 三 须为正整数" in three and "校验码" in three and "户籍地址为空" in three
    assert "重复" in twice
    with pytest.raises(ProblemError) as refused:
        roster.parse_roster(MIXED)  # the all-or-nothing contract of the plain import holds
    assert "第 3 行" in refused.value.detail and "第 7 行" in refused.value.detail


def test_the_rejected_rows_come_back_as_an_xlsx_that_imports_once_fixed():
    review_rows = [asdict(r) for r in roster.read_roster(MIXED).rejected]
    data = roster.rejected_workbook(json.dumps(review_rows, ensure_ascii=False))
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "姓名", "身份证号码", "与户主关系", "户籍地址", "备注", "原行号", "问题")
    assert [r[6] for r in rows[1:]] == [3, 5, 7] and "文本" in rows[1][7]
    assert rows[1][2] in ("", None)  # the digits Excel lost are not offered back as if they were right
    assert sheet["C2"].number_format == "@"
    sheet["C2"] = make_id_number("500112", date(1981, 2, 3), 6, False)  # the clerk fixes two rows
    sheet["A3"], sheet["C3"], sheet["E3"] = 3, make_id_number("500112", date(1982, 4, 5), 7, True), "渝北区"
    sheet.delete_rows(4)  # and drops the duplicate
    buffer = io.BytesIO()
    book.save(buffer)
    reading = roster.read_roster(buffer.getvalue())
    assert reading.rejected == [] and [s.name for s in reading.subjects] == ["周军", "周丽"]


def test_the_api_imports_the_good_rows_when_asked_and_reports_the_rest(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk, subjects=[])
    url = f"{API}/cases/{case['case_id']}/subjects/import"
    refused = team.client.post(url, content=MIXED, headers=clerk)
    assert problem_of(refused)["code"] == "import.invalid"
    assert team.client.get(f"{API}/cases/{case['case_id']}", headers=clerk).json()["subjects"] == []
    partial = team.client.post(url, params={"partial": "true"}, content=MIXED, headers=clerk)
    assert partial.status_code == 200, partial.text
    body = partial.json()
    assert body["imported"] == 2 and [r["row"] for r in body["rejected"]] == [3, 5, 7]
    assert {s["name"] for s in body["intake"]["subjects"]} == {"周红", "周强"}


_ROWS = re.compile(r'action="[^"]*/(roster-good|roster-rejected)">\s*<input type="hidden" name="csrf" '
                   r'value="[0-9a-f]+"><input type="hidden" name="rows" value="([^"]*)">')


def test_the_clerk_reviews_imports_the_good_rows_and_downloads_the_bad_ones(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case_id = create(team, clerk, subjects=[])["case_id"]
    console_login(team, "chenjing")
    url = f"/console/intake/{case_id}"
    review = console_post(team.client, f"{url}/roster", data={},
                          files={"file": ("名单.xlsx", MIXED, "application/octet-stream")})
    assert review.status_code == 422
    assert "有 3 行有问题" in review.text and "尚未导入任何人" in review.text and "第 5 行" in review.text
    forms = {action: html.unescape(rows) for action, rows in _ROWS.findall(review.text)}
    assert set(forms) == {"roster-good", "roster-rejected"}, review.text
    tampered = forms["roster-good"].replace(GOOD, GOOD[:-1] + "0")
    refused = console_post(team.client, f"{url}/roster-good", data={"rows": tampered})
    assert refused.status_code == 422 and "校验码" in refused.text  # the good rows are checked again
    imported = console_post(team.client, f"{url}/roster-good", data={"rows": forms["roster-good"]})
    assert imported.status_code == 200 and "有效的 2 人" in imported.text
    subjects = team.client.get(f"{API}/cases/{case_id}", headers=clerk).json()["subjects"]
    assert sorted(s["name"] for s in subjects) == ["周强", "周红"]
    download = console_post(team.client, f"{url}/roster-rejected", data={"rows": forms["roster-rejected"]})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert [r[6] for r in rows[1:]] == [3, 5, 7]
