"""Schema migrations (issue 9): Alembic's head is exactly the tables in code, and a database made and
filled by the previous release (69d0248, which used create_all) is upgraded by the new server at start
with everything in it intact — accounts, tokens, keys, cases, records, seals, evidence. SQLite and a
real PostgreSQL cluster."""
from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from schemas.protocol import PROTOCOL_HEADER
from sync_server.casework import case_search
from sync_server.migrations import upgrade
from sync_server.transparency import merkle
from tests.field_app.helpers import closed_port
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.server_process import REPO, Server

PREVIOUS_RELEASE = "69d0248"
pytestmark = pytest.mark.both_databases


def test_alembic_head_is_exactly_the_tables_in_code(empty_database_url: str):
    """If this fails after a table change, add a revision (README, "Schema migrations"). The revisions are
    replayed here (an empty database is otherwise made from the tables' code: test_fresh_schema.py)."""
    engine = create_engine(empty_database_url)
    upgrade.upgrade(engine, from_metadata=False)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True,
                                                                 "include_object": case_search.include_object}),
                                    SQLModel.metadata)
            assert upgrade.current_revision(connection) == upgrade.head_revision()
    finally:
        engine.dispose()
    assert diff == [], f"schema differs from the migrations' head: {diff}"


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source, unpacked from git."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE],
                             check=True, capture_output=True).stdout
    target = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


class OldServer(Server):
    """`python -m sync_server` of the previous release, run from its own source tree."""

    def __init__(self, source: Path, data_dir: Path, log: Path, database_url: str) -> None:
        super().__init__(data_dir, log, env={"PYTHONPATH": str(source)})
        self.source = source
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def start(self, seed: bool = True) -> Server:
        """Start from the old tree (cwd), so its packages shadow the new ones."""
        self.port = closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "sync_server", "--host", "127.0.0.1",
                                          "--port", str(self.port), "--data-dir", str(self.data_dir),
                                          "--seed-demo"], cwd=self.source, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT)
        return self._wait()


@pytest.fixture
def old_database(empty_database_url: str, backend: str) -> str:
    """"" for the data dir's own SQLite file, else an empty PostgreSQL database."""
    return "" if backend == "sqlite" else empty_database_url


def test_a_database_of_the_previous_release_is_upgraded_at_start_with_everything_intact(
        previous_release: Path, old_database: str, tmp_path: Path):
    data_dir = tmp_path / "data"
    old = OldServer(previous_release, data_dir, tmp_path / "old.log", old_database).start()
    visit = home_visit("rec-before-upgrade")
    try:
        with httpx.Client(base_url=old.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
            team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            assert team.submit(visit).status_code == 200
    finally:
        old.stop()
    url = old_database or f"sqlite:///{data_dir / 'server.db'}"
    # the previous release left its files to the umask; this one refuses a folder others may read (issue 17)
    # and says to run exactly this
    subprocess.run(["chmod", "-R", "go-rwx", str(data_dir)], check=True)
    probe = create_engine(url)
    with probe.connect() as connection:
        assert "alembic_version" not in inspect(connection).get_table_names()  # made by create_all
    probe.dispose()

    new = Server(data_dir, tmp_path / "new.log", env={"DATABASE_URL": old_database} if old_database else {})
    new.start(seed=False)
    try:
        with httpx.Client(base_url=new.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
            team.client = http  # type: ignore[assignment]  (the old tokens and keys still work)
            assert team.merged_ids() == [visit.record.id]
            detail = http.get("/api/v1/cases/" + visit.record.case_id, headers=team.headers["wangfang"]).json()
            [merged] = detail["records"]
            assert all(s["valid"] for s in merged["seals"]) and len(merged["seals"]) == 2
            for sha, data in visit.files.items():
                assert http.get(f"/api/v1/evidence/{sha}", headers=team.headers["zhangwei"]).content == data
            again = team.post(team.seal(visit.record))  # the same sealed record: known, not doubled
            assert again.status_code == 200 and again.json()["status"] == "already_merged", again.text
    finally:
        new.stop()
    probe = create_engine(url)
    with probe.connect() as connection:
        assert upgrade.current_revision(connection) == upgrade.head_revision()
        # the devices' list keeps its old order (acceptance, then id), and the counter starts after it
        numbered = connection.execute(text("SELECT listed_seq FROM cases ORDER BY accepted_on, id")).scalars().all()
        counter = connection.execute(text("SELECT value FROM counters WHERE name = 'case_listing'")).scalar()
        names = connection.execute(text("SELECT respondent_name FROM records")).scalars().all()
        leaves = [bytes.fromhex(h) for h in connection.execute(
            text("SELECT leaf_hash FROM audit_entries ORDER BY position")).scalars()]
        nodes = connection.execute(text("SELECT count(*) FROM audit_nodes")).scalar()
        top = len(leaves).bit_length() - 1  # the largest full subtree: leaves 0 .. 2^top - 1
        top_hash = connection.execute(text("SELECT node_hash FROM audit_nodes WHERE level = :level AND number = 0"),
                                      {"level": top}).scalar()
    probe.dispose()
    # the old log's subtrees were stored at start (and the new entries' as they were appended)
    assert top >= 1 and nodes == len(leaves) - len(leaves).bit_count()
    assert top_hash == merkle.Tree(leaves).levels[top][0].hex()
    assert list(numbered) == list(range(1, counter + 1)) and counter >= 2
    assert names == [visit.record.respondent.name] and names[0]  # kept at start for the checklist
