"""The streamed XLSX (issue 20: large exports stream): its first bytes leave before any row is read, and
openpyxl reads back every kind of cell an export holds (text, numbers, booleans, dates, empty cells,
control characters dropped, columns past Z) on several sheets."""
from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import openpyxl

from sync_server.documents.xlsx_stream import column_letter, workbook


def test_the_first_bytes_leave_before_the_rows_are_read_and_openpyxl_reads_every_cell():
    read: list[int] = []

    def rows() -> Iterator[list[object]]:
        for n in range(1200):
            read.append(n)
            yield [f"案件-{n}", n, n * 1.5, n % 2 == 0, date(2026, 1, 1 + n % 28), None, "a\x01b<&>"]

    pieces = workbook([("案件", ["编号", "数", "小数", "是否", "日期", "空", "文字"], rows()),
                       ("宽表", [f"列{i}" for i in range(30)], iter([list(range(30))]))])
    first = next(pieces)
    assert first.startswith(b"PK") and read == []  # the workbook's parts, no row yet
    data = first + b"".join(pieces)
    assert len(read) == 1200
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["案件", "宽表"]
    sheet = list(book["案件"].iter_rows(values_only=True))
    assert sheet[0] == ("编号", "数", "小数", "是否", "日期", "空", "文字") and len(sheet) == 1201
    name, number, decimal, flag, day, empty, text = sheet[8]
    assert (name, number, decimal, flag, empty, text) == ("案件-7", 7, 10.5, False, None, "ab<&>")
    assert day.date() == date(2026, 1, 8)
    assert list(book["宽表"].iter_rows(min_row=2, values_only=True))[0] == tuple(range(30))
    assert [column_letter(n) for n in (0, 25, 26, 29, 701, 702)] == ["A", "Z", "AA", "AD", "ZZ", "AAA"]
