"""An XLSX written as it is sent (issue 20: large exports stream): the workbook's small parts first, then
each sheet's rows deflated into the zip as they come, through a sink that hands the bytes on.

openpyxl's write-only mode keeps memory flat but builds the whole file before the first byte can leave
(a 100k-case export waited tens of seconds); a zip can be written front to back (entries with data
descriptors, zipfile does it on an unseekable sink), and SpreadsheetML needs nothing from the end of a
sheet at its start. Cells are inline strings, numbers, booleans and dates (one date style), which is
all an export holds; openpyxl, Excel and LibreOffice open the result (tests/sync_server/test_exports.py
reads it with openpyxl)."""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO, cast
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
EPOCH = date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug included)
FLUSH_ROWS = 500
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0
STYLES = (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
          '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class _Sink:
    """Where the zip writes: the bytes wait here until the generator hands them on (no seek, no tell)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, date) and not isinstance(value, datetime):
        return f'<c r="{ref}" s="1"><v>{(value - EPOCH).days}</v></c>'
    text = escape(_ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(number: int, values: list[object], letters: list[str]) -> str:
    cells = "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def workbook(sheets: list[tuple[str, list[str], Iterable[list[object]]]]) -> Iterator[bytes]:
    """The XLSX of (sheet title, header, rows) in pieces; the rows are read as the bytes are sent."""
    sink = _Sink()
    with zipfile.ZipFile(cast(IO[bytes], sink), "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as book:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT}.worksheet+xml"/>'
                            for i in range(1, len(sheets) + 1))
        book.writestr("[Content_Types].xml", HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                      'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                      'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                      f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
                      f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>{overrides}</Types>')
        book.writestr("_rels/.rels", HEAD + f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                      f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        names = "".join(f'<sheet name={quoteattr(title[:31])} sheetId="{i}" r:id="rId{i}"/>'
                        for i, (title, _, _) in enumerate(sheets, start=1))
        book.writestr("xl/workbook.xml", HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{names}'
                      "</sheets></workbook>")
        links = "".join(f'<Relationship Id="rId{i}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                        for i in range(1, len(sheets) + 1))
        book.writestr("xl/_rels/workbook.xml.rels", HEAD + f'<Relationships xmlns="{RELS}">{links}<Relationship '
                      f'Id="rId{len(sheets) + 1}" Type="{DOC_RELS}/styles" Target="styles.xml"/></Relationships>')
        book.writestr("xl/styles.xml", HEAD + STYLES)
        yield sink.take()
        for i, (_, header, rows) in enumerate(sheets, start=1):
            letters = [column_letter(n) for n in range(len(header))]
            with book.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as part:
                part.write((HEAD + f'<worksheet xmlns="{MAIN}"><sheetData>' + _row(1, list(header), letters))
                           .encode())
                for number, values in enumerate(rows, start=2):
                    part.write(_row(number, values, letters).encode())
                    if number % FLUSH_ROWS == 0:
                        yield sink.take()
                part.write(b"</sheetData></worksheet>")
            yield sink.take()
    yield sink.take()
