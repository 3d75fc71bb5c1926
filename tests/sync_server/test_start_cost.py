"""A start does no full-table work (issue 19): the backfills run once and are recorded, so a restart on a
big database reads the `backfills` table and no big one; and `import sync_server.app` does not load the
PDF, image, spreadsheet or geodesy stacks, nor Alembic, httpx (which brings rich, click and pygments) or segno
(they load at first use; a database at head is recognised from the revision files' own lines)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy import Engine, event
from sqlmodel import select

from sync_server.app import create_app
from sync_server.casework import summaries
from sync_server.migrations import upgrade
from sync_server.settings import Settings
from sync_server.tables import Backfill, CaseSummary
from tests.sync_server.bulk import add_cases, templates
from tests.sync_server.server_process import REPO

BIG_TABLES = ("records", "record_findings", "signed_record_bytes", "subjects", "cases", "case_summaries",
              "audit_entries", "audit_nodes", "record_evidence", "evidence_files")
LAZY = ("fpdf", "PIL", "pillow_heif", "openpyxl", "geopy", "fontTools", "alembic", "httpx", "rich", "segno")


class Statements:
    """Every statement any engine runs while listening."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        self.seen.append(statement)

    def touching(self, tables: tuple[str, ...]) -> list[str]:
        pattern = re.compile(r"\b(" + "|".join(tables) + r")\b")
        return [s for s in self.seen if pattern.search(s)]


def start(settings: Settings) -> Statements:
    """Create the app (what a worker does at start); the statements it ran."""
    statements = Statements()
    event.listen(Engine, "before_cursor_execute", statements)
    try:
        app = create_app(settings)
    finally:
        event.remove(Engine, "before_cursor_execute", statements)
    app.state.services.engine.dispose()
    return statements


@pytest.mark.both_databases
def test_a_restart_reads_no_big_table_and_a_backfill_runs_once(settings: Settings):
    app = create_app(settings)
    with app.state.services.session() as session:
        add_cases(session, 0, 30, 2, templates())
        assert {"case_summaries", "seal_verdicts", "respondent_names", "audit_nodes", "record_findings"} <= set(
            session.exec(select(Backfill.name)))
        session.delete(session.get(CaseSummary, "case-bulk-000003"))  # a row a backfill would fill
        session.commit()
    app.state.services.engine.dispose()

    restart = start(settings)
    assert restart.touching(BIG_TABLES) == [], "a restart read a big table"
    assert restart.touching(("backfills",))
    app = create_app(settings)
    with app.state.services.session() as session:
        assert session.get(CaseSummary, "case-bulk-000003") is None  # not re-scanned: the backfill ran once
        assert summaries.fill_missing(session) == 1  # (and the backfill itself still finds it)
    app.state.services.engine.dispose()


def test_importing_the_server_loads_no_pdf_image_or_spreadsheet_stack():
    code = ("import sys, sync_server.app, sync_server.__main__; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(LAZY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"loaded at import: {out.stdout}"


def test_the_lazy_image_module_reads_heic_as_the_eager_one_did():
    code = ("import sys; from schemas.pil import Image; assert 'PIL.Image' not in sys.modules; "
            "print(Image.registered_extensions().get('.heic'), 'pillow_heif' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["HEIF", "True"]


def test_the_head_read_from_the_revision_files_is_alembics():
    assert upgrade.plain_head() == upgrade.head_revision()
