"""The 委托名单 (appendix C) read from a spreadsheet: xlsx or CSV, columns 序号, 姓名, 身份证号码,
户籍地址, 备注 (and optionally 与户主关系). All rows are checked before any is used: one bad row and
nothing is imported, with every row's problem in Chinese (R23)."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable

from openpyxl import load_workbook
from pydantic import ValidationError

from schemas.office import NewSubject, RowError
from schemas.problems import Code, ProblemError
from sync_server.office.id_numbers import id_number_is_valid

COLUMNS = {"序号": "position", "姓名": "name", "身份证号码": "id_number", "户籍地址": "household_address",
           "备注": "note", "与户主关系": "relation", "关系": "relation"}
REQUIRED = ("序号", "姓名", "身份证号码", "户籍地址")
MAX_ROWS = 200


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_of(data: bytes) -> list[list[str]]:
    """The sheet's rows as text: xlsx (a zip) or CSV in UTF-8 (with or without BOM) or GB18030."""
    if data.startswith(b"PK"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ProblemError(Code.IMPORT_INVALID, "无法读取 xlsx 文件") from error
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
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
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row (the first row naming 姓名 and 身份证号码) and each known column's index."""
    for index, row in enumerate(rows[:10]):
        if "姓名" in row and "身份证号码" in row:
            return index, {COLUMNS[name]: i for i, name in enumerate(row) if name in COLUMNS}
    raise ProblemError(Code.IMPORT_INVALID, "找不到表头：须包含 " + "、".join(REQUIRED),
                       errors=[RowError(row=1, message="缺少表头 " + "、".join(REQUIRED)).model_dump()])


def parse_roster(data: bytes, existing_ids: Iterable[str] = ()) -> list[NewSubject]:
    """Every subject of the sheet, or `import.invalid` listing each row's problem."""
    rows = _rows_of(data)
    start, columns = _header(rows)
    missing = [name for name in REQUIRED if COLUMNS[name] not in columns]
    if missing:
        raise ProblemError(Code.IMPORT_INVALID, "缺少列：" + "、".join(missing))
    subjects: list[NewSubject] = []
    errors: list[RowError] = []
    seen = {n.upper() for n in existing_ids}
    for offset, row in enumerate(rows[start + 1:], start=start + 2):
        if not any(row):
            continue
        values = {field: row[i] if i < len(row) else "" for field, i in columns.items()}
        problems = _row_problems(values, seen)
        if problems:
            errors.append(RowError(row=offset, message="；".join(problems)))
            continue
        try:
            subjects.append(NewSubject.model_validate(values | {"id_number": values["id_number"].upper()}))
        except ValidationError as error:
            errors.append(RowError(row=offset, message="；".join(str(e["msg"]) for e in error.errors())))
    if len(subjects) + len(errors) > MAX_ROWS:
        raise ProblemError(Code.IMPORT_INVALID, f"一次最多导入 {MAX_ROWS} 人")
    if errors:
        raise ProblemError(Code.IMPORT_INVALID, "；".join(f"第 {e.row} 行：{e.message}" for e in errors),
                           errors=[e.model_dump() for e in errors])
    if not subjects:
        raise ProblemError(Code.IMPORT_INVALID, "名单中没有人员")
    return subjects


def _row_problems(values: dict[str, str], seen: set[str]) -> list[str]:
    out = []
    if not values["position"].isdigit() or int(values["position"]) < 1:
        out.append("序号须为正整数")
    if not values["name"]:
        out.append("姓名为空")
    number = values["id_number"].upper()
    if not id_number_is_valid(number):
        out.append(f"身份证号码 {number or '（空）'} 无效（位数、出生日期或校验码不符）")
    elif number in seen:
        out.append(f"身份证号码 {number} 重复")
    seen.add(number)
    if not values["household_address"]:
        out.append("户籍地址为空")
    return out
