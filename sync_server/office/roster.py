"""The 委托名单 (appendix C) read from a spreadsheet: xlsx or CSV, columns 序号, 姓名, 身份证号码,
户籍地址, 备注 (and optionally 与户主关系).

A clerk's spreadsheet always has full-width digits (１２３), stray spaces (also inside an ID number),
a lowercase x as check character, and ID numbers that Excel turned into numbers. What is only typing
is normalised (NFKC, spaces dropped where they cannot belong, X upper-cased); what cannot be repaired
is named row by row in Chinese. `read_roster` sorts the rows into good subjects and rejected rows, so
the clerk can import the good ones and download the rejected ones to fix (R23); `parse_roster` keeps
the all-or-nothing contract of the API's plain import."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from schemas.office import NewSubject, RowError
from schemas.problems import Code, ProblemError
from sync_server.office.id_numbers import id_number_is_valid

COLUMNS = {"序号": "position", "姓名": "name", "身份证号码": "id_number", "户籍地址": "household_address",
           "备注": "note", "与户主关系": "relation", "关系": "relation"}
REQUIRED = ("序号", "姓名", "身份证号码", "户籍地址")
FIELD_LABELS = {"position": "序号", "name": "姓名", "id_number": "身份证号码", "relation": "与户主关系",
                "household_address": "户籍地址", "note": "备注"}
MAX_ROWS = 200
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
NUMERIC_ID = "NUMERIC"  # marks an ID number that the spreadsheet stored as a number (digits lost)


@dataclass
class RejectedRow:
    """A row that cannot be imported: its number as the clerk sees it, its cells, and why."""

    row: int
    cells: dict[str, str]
    message: str


@dataclass
class RosterReading:
    subjects: list[NewSubject] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    def row_errors(self) -> list[RowError]:
        return [RowError(row=r.row, message=r.message) for r in self.rejected]


def normalise(field_name: str, value: str) -> str:
    """One cell as the clerk meant it: NFKC (full-width to half-width, ideographic space to space),
    no spaces where they cannot belong (序号, 身份证号码; between Chinese characters of a name),
    an upper-case X, runs of spaces elsewhere made one."""
    text = unicodedata.normalize("NFKC", value).strip()
    if field_name in ("position", "id_number"):
        return _SPACES.sub("", text).upper()
    if field_name == "name" and _CJK.search(text):
        return _SPACES.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _cell(field_name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if field_name == "id_number" and abs(value) >= 10**15:
            return NUMERIC_ID  # an 18-digit number keeps only 15 significant digits in a spreadsheet
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
    return normalise(field_name, str(value))


def _rows_of(data: bytes) -> list[list[object]]:
    """The sheet's rows (xlsx cells as typed values; CSV as text), xlsx or CSV in UTF-8 (BOM or not) or GB18030."""
    if data.startswith(b"PK"):
        from openpyxl import load_workbook  # openpyxl (and the Pillow it loads) at first use, not at start

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ProblemError(Code.IMPORT_INVALID, "无法读取 xlsx 文件") from error
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 12)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ProblemError(Code.IMPORT_INVALID, "文件既不是 xlsx，也不是 UTF-8 或 GB18030 编码的 CSV")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    """The header row (the first row naming 姓名 and 身份证号码) and each known column's index."""
    for index, row in enumerate(rows[:10]):
        names = [normalise("position", str(v)) if v is not None else "" for v in row]
        if "姓名" in names and "身份证号码" in names:
            return index, {COLUMNS[name]: i for i, name in enumerate(names) if name in COLUMNS}
    raise ProblemError(Code.IMPORT_INVALID, "找不到表头：须包含 " + "、".join(REQUIRED),
                       errors=[RowError(row=1, message="缺少表头 " + "、".join(REQUIRED)).model_dump()])


def read_roster(data: bytes, existing_ids: Iterable[str] = ()) -> RosterReading:
    """Every row of the sheet, sorted into importable subjects and rejected rows with their reasons."""
    rows = _rows_of(data)
    start, columns = _header(rows)
    missing = [name for name in REQUIRED if COLUMNS[name] not in columns]
    if missing:
        raise ProblemError(Code.IMPORT_INVALID, "缺少列：" + "、".join(missing))
    reading = RosterReading()
    seen = {n.upper() for n in existing_ids}
    for offset, row in enumerate(rows[start + 1:], start=start + 2):
        values = {name: _cell(name, row[i] if i < len(row) else None) for name, i in columns.items()}
        if not any(values.values()):
            continue
        problems = _row_problems(values, seen)
        if not problems:
            try:
                reading.subjects.append(NewSubject.model_validate(values))
                continue
            except ValidationError as error:
                problems = [_validation_message(e) for e in error.errors()]
        reading.rejected.append(RejectedRow(row=offset, cells=values, message="；".join(problems)))
    if len(reading.subjects) + len(reading.rejected) > MAX_ROWS:
        raise ProblemError(Code.IMPORT_INVALID, f"一次最多导入 {MAX_ROWS} 人")
    if not reading.subjects and not reading.rejected:
        raise ProblemError(Code.IMPORT_INVALID, "名单中没有人员")
    return reading


def parse_roster(data: bytes, existing_ids: Iterable[str] = ()) -> list[NewSubject]:
    """Every subject of the sheet, or `import.invalid` listing each row's problem (nothing imported)."""
    reading = read_roster(data, existing_ids)
    if reading.rejected:
        errors = reading.row_errors()
        raise ProblemError(Code.IMPORT_INVALID, "；".join(f"第 {e.row} 行：{e.message}" for e in errors),
                           errors=[e.model_dump() for e in errors])
    return reading.subjects


def _validation_message(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    where = details.get("loc", ("",))[0]
    return f"{FIELD_LABELS.get(str(where), str(where))}：{details.get('msg', '')}"


def _row_problems(values: dict[str, str], seen: set[str]) -> list[str]:
    out = []
    if not values["position"].isdigit() or int(values["position"]) < 1:
        out.append(f"序号 {values['position'] or '（空）'} 须为正整数")
    if not values["name"]:
        out.append("姓名为空")
    number = values["id_number"]
    if number == NUMERIC_ID:
        out.append("身份证号码被表格存成了数字，后几位已丢失：请把该列设为“文本”后重新填写")
    elif not id_number_is_valid(number):
        out.append(f"身份证号码 {number or '（空）'} 无效（位数、出生日期或校验码不符）")
    elif number in seen:
        out.append(f"身份证号码 {number} 重复")
    seen.add(number)
    if not values["household_address"]:
        out.append("户籍地址为空")
    return out


def subjects_from_form(rows_json: str, existing_ids: Iterable[str] = ()) -> list[NewSubject]:
    """The good rows a clerk confirmed (sent back from the review form): checked again, every one."""
    try:
        rows = json.loads(rows_json)
        cells = [{name: normalise(name, str(row.get(name, ""))) for name in FIELD_LABELS} for row in rows]
    except (ValueError, TypeError, AttributeError) as error:
        raise ProblemError(Code.IMPORT_INVALID, "名单数据无效，请重新上传文件") from error
    seen = {n.upper() for n in existing_ids}
    subjects = []
    for position, values in enumerate(cells, start=1):
        problems = _row_problems(values, seen)
        if problems:
            raise ProblemError(Code.IMPORT_INVALID, f"第 {position} 条：" + "；".join(problems))
        subjects.append(NewSubject.model_validate(values))
    if not subjects:
        raise ProblemError(Code.IMPORT_INVALID, "名单中没有人员")
    return subjects


def rejected_workbook(rows_json: str) -> bytes:
    """The rejected rows as an xlsx the clerk fixes and imports again: the roster's own columns (ID numbers as
    text, so the spreadsheet cannot turn them into numbers), then 原行号 and 问题 (ignored on import)."""
    try:
        rows = [RejectedRow(**row) for row in json.loads(rows_json)]
    except (ValueError, TypeError) as error:
        raise ProblemError(Code.IMPORT_INVALID, "问题行数据无效，请重新上传文件") from error
    from openpyxl import Workbook  # at first use, not at start

    book = Workbook()
    sheet = book.active
    sheet.title = "问题行"
    sheet.append([*FIELD_LABELS.values(), "原行号", "问题"])
    for rejected in rows:
        cells = [rejected.cells.get(name, "") for name in FIELD_LABELS]
        cells = ["" if value == NUMERIC_ID else value for value in cells]
        sheet.append([*cells, rejected.row, rejected.message])
    for cell in sheet["C"]:
        cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
