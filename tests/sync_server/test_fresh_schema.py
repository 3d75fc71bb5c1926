"""An empty database is made at the head in one go from the tables' code (migrations/fresh.py, issue 19), and
that schema is exactly the one the revisions make from 0001: the two databases' catalogues and rows are
compared (tests/sync_server/schema_snapshot.py), on SQLite and a real PostgreSQL cluster. If this fails after a
table change, the revision and the tables' code disagree: fix the code (or fresh.py for what the revisions
make outside it), never a revision that shipped."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, inspect, text

from sync_server.migrations import upgrade
from tests.sync_server.postgres import PostgresCluster
from tests.sync_server.schema_snapshot import differences, snapshot
from tests.sync_server.server_process import REPO

pytestmark = pytest.mark.both_databases


@pytest.fixture
def second_empty_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Another empty database beside `empty_database_url`."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database(prefix="second")
    yield cluster.url(name)
    cluster.drop_database(name)


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


def test_a_fresh_database_is_exactly_the_migrated_one(empty_database_url: str, second_empty_url: str):
    migrated, fresh = create_engine(empty_database_url), create_engine(second_empty_url)
    try:
        upgrade.upgrade(migrated, from_metadata=False)  # 0001 .. head, one revision after the other
        replayed = _statements(fresh)
        upgrade.upgrade(fresh)
        with migrated.connect() as a, fresh.connect() as b:
            want, got = snapshot(a), snapshot(b)
    finally:
        migrated.dispose()
        fresh.dispose()
    assert not any("alembic_version" in s and "UPDATE" in s for s in replayed)  # stamped once, not stepped
    assert want["rows alembic_version"] == [repr((upgrade.head_revision(),))]
    assert len([k for k in want if k.startswith("table ")]) > 50  # the comparison saw the whole schema
    assert differences(want, got) == [], "\n".join(differences(want, got))


def test_the_comparison_sees_a_server_default_a_check_and_an_index_condition(empty_database_url: str,
                                                                             second_empty_url: str):
    """The snapshot is not blind to what SQLAlchemy's reflection leaves out."""
    one, two = create_engine(empty_database_url), create_engine(second_empty_url)
    try:
        with one.begin() as a, two.begin() as b:
            a.execute(text("CREATE TABLE t (x INTEGER NOT NULL DEFAULT 0 CHECK (x >= 0), y VARCHAR)"))
            b.execute(text("CREATE TABLE t (x INTEGER NOT NULL CHECK (x >= 0), y VARCHAR)"))
            base_a, base_b = snapshot(a), snapshot(b)
            assert [d.split(":")[0] for d in differences(base_a, base_b)] == ["table t"]  # the default
            b.execute(text("DROP TABLE t"))
            b.execute(text("CREATE TABLE t (x INTEGER NOT NULL DEFAULT 0 CHECK (x > 0), y VARCHAR)"))
            assert differences(base_a, snapshot(b)) != []  # the CHECK
            b.execute(text("DROP TABLE t"))
            b.execute(text("CREATE TABLE t (x INTEGER NOT NULL DEFAULT 0 CHECK (x >= 0), y VARCHAR)"))
            assert differences(base_a, snapshot(b)) == []
            a.execute(text("CREATE INDEX ix_t ON t (y) WHERE x > 1"))
            b.execute(text("CREATE INDEX ix_t ON t (y) WHERE x > 2"))
            assert differences(snapshot(a), snapshot(b)) != []  # the partial index's condition
            b.execute(text("INSERT INTO t (x, y) VALUES (1, 'a')"))
            b.execute(text("DROP INDEX ix_t"))
            b.execute(text("CREATE INDEX ix_t ON t (y) WHERE x > 1"))
            assert [d.split(":")[0] for d in differences(snapshot(a), snapshot(b))] == ["rows t"]  # the rows
    finally:
        one.dispose()
        two.dispose()


def test_an_empty_database_starts_at_head_without_alembic(empty_database_url: str):
    code = ("import sys; from sqlalchemy import text; from sync_server.db import make_engine; "
            f"e = make_engine({empty_database_url!r}); "
            "print(e.connect().execute(text('SELECT version_num FROM alembic_version')).scalar(), "
            "'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [upgrade.head_revision(), "False"], out.stdout + out.stderr


def test_a_start_stopped_while_making_the_schema_leaves_the_database_empty(empty_database_url: str):
    """All or nothing (on SQLite too, where the driver opens no transaction for DDL): a half-made schema
    would be neither empty nor at any revision, and the next start could not tell what to do with it."""
    engine = create_engine(empty_database_url)
    tables: list[str] = []

    def stop_at_the_twentieth_table(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            tables.append(statement)
            if len(tables) == 20:
                raise RuntimeError("stopped")

    try:
        event.listen(engine, "before_cursor_execute", stop_at_the_twentieth_table)
        with pytest.raises(RuntimeError, match="stopped"):
            upgrade.upgrade(engine)
        event.remove(engine, "before_cursor_execute", stop_at_the_twentieth_table)
        assert inspect(engine).get_table_names() == []
        upgrade.upgrade(engine)  # the next start makes it whole
        with engine.connect() as connection:
            assert upgrade.current_revision(connection) == upgrade.head_revision()
    finally:
        engine.dispose()
