"""The case list's search by a subject's name or (4+ characters) part of an ID number, over the case's own
summary row (issue 19): `casework/summaries.py` keeps each case's subjects' names and upper-cased ID numbers
there, one per line, in the transaction that changes them, so the search reads one table and no join.

On PostgreSQL each of the two columns has a pg_trgm GIN index (revision 0017) that answers `LIKE '%q%'`
(three characters or more; pg_trgm extracts trigrams of CJK characters too) without a scan. Those indexes
exist on PostgreSQL only, so the schema comparison leaves them out (`include_object`). SQLite keeps the
plain path: `LIKE` over the summary rows, one table of short text (within 2x of PostgreSQL at 100k cases,
bench/console_scale.py)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from sync_server.tables import CaseSummary, Subject

ID_SEARCH_MIN = 4  # shorter queries match names only (a 3-digit query would match most ID numbers)
PG_ONLY_INDEXES = frozenset({"ix_case_summaries_search_names_trgm", "ix_case_summaries_search_ids_trgm"})
SEPARATOR = "\n"  # between subjects: a one-line query never spans two of them


def search_texts(subjects: Iterable[Subject]) -> tuple[str, str]:
    """The summary's (search_names, search_ids) for the case's subjects."""
    listed = list(subjects)
    return (SEPARATOR.join(s.name for s in listed), SEPARATOR.join(s.id_number.upper() for s in listed))


def matches(query: str) -> ColumnElement[bool]:
    """A subject's name holds the query, or (4+ characters) their ID number does: over the summary row."""
    query = query.strip().upper()
    match = col(CaseSummary.search_names).contains(query, autoescape=True)
    if len(query) >= ID_SEARCH_MIN:
        match = or_(match, col(CaseSummary.search_ids).contains(query, autoescape=True))
    return match


def include_object(obj: Any, name: str | None, type_: str, *_args: Any) -> bool:
    """For Alembic's schema comparison: the PostgreSQL-only search indexes are not in the tables' code."""
    return not (type_ == "index" and name in PG_ONLY_INDEXES)
