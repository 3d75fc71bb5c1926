"""The exports as files (issue 20): CSV streamed row by row (UTF-8 with a BOM, so Excel reads the Chinese
headers), XLSX streamed as it is written (documents/xlsx_stream.py): the first bytes leave at once, and
memory stays flat however many rows follow.

Each generator opens its own database session: it runs after the route has returned, while the body is
sent, and must not lean on the request's session."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime

from sqlmodel import Session

from sync_server.casework.reviewer_list import Filters
from sync_server.documents.exports import DATASETS, SHEETS, rows
from sync_server.documents.xlsx_stream import workbook
from sync_server.tables import Account

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
    """The export's sheets (SHEETS[export]) as one XLSX, written as it is sent (documents/xlsx_stream.py)."""
    with open_session() as session:
        account = session.get(Account, username)
        assert account is not None

        def values(dataset: str) -> Iterator[list[object]]:
            names = [c.name for c in DATASETS[dataset].columns]
            for row in rows(session, account, dataset, filters, now):
                yield [row[name] for name in names]

        yield from workbook([(DATASETS[d].title, [c.label for c in DATASETS[d].columns], values(d))
                             for d in SHEETS[export]])
