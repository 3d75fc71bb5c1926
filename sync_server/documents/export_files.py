"""The exports as files (issue 20): CSV streamed row by row (UTF-8 with a BOM, so Excel reads the Chinese
headers), XLSX written by openpyxl in write-only mode (rows go to disk as they come, memory stays flat)
into a temporary file that is then streamed out in 64 KiB pieces.

Each generator opens its own database session: it runs after the route has returned, while the body is
sent, and must not lean on the request's session."""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime

from sqlmodel import Session

from sync_server.casework.reviewer_list import Filters
from sync_server.documents.exports import DATASETS, SHEETS, rows
from sync_server.tables import Account

CHUNK = 64 * 1024
FLUSH_ROWS = 200  # CSV rows per piece sent
OpenSession = Callable[[], AbstractContextManager[Session]]


def csv_stream(open_session: OpenSession, username: str, dataset: str, filters: Filters,
               now: datetime) -> Iterator[bytes]:
    """The dataset as CSV: the BOM and header at once, then the rows in pieces."""
    columns = DATASETS[dataset].columns
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.label for c in columns])
    yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    with open_session() as session:
        account = session.get(Account, username)
        assert account is not None
        for n, row in enumerate(rows(session, account, dataset, filters, now), start=1):
            writer.writerow(["" if row[c.name] is None else row[c.name] for c in columns])
            if n % FLUSH_ROWS == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_stream(open_session: OpenSession, username: str, export: str, filters: Filters,
                now: datetime) -> Iterator[bytes]:
    """The export's sheets (SHEETS[export]) as one XLSX, streamed from a temporary file."""
    from openpyxl import Workbook  # loaded when a workbook is asked for

    book = Workbook(write_only=True)
    with open_session() as session:
        account = session.get(Account, username)
        assert account is not None
        for dataset in SHEETS[export]:
            spec = DATASETS[dataset]
            sheet = book.create_sheet(title=spec.title)
            sheet.append([c.label for c in spec.columns])
            for row in rows(session, account, dataset, filters, now):
                sheet.append([row[c.name] for c in spec.columns])
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        while piece := out.read(CHUNK):
            yield piece
