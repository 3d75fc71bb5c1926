"""`python -m sync_server check` (issue 17): the database's own integrity check, every stored file's hash
and the audit log recomputed. A copy of the SQLite file with a corrupted page, an altered evidence file
and shortened or rewritten log entries are each found and named; the result is kept for the console."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import make_url, text

from sync_server.ops import checking
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.postgres import APP_ROLE
from tests.sync_server.server_process import REPO


def _check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync_server", "check", "--data-dir", str(data_dir)], cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})


def _merged(team: FieldTeam) -> tuple[str, list[str]]:
    visit = home_visit("rec-check-1")
    assert team.submit(visit).status_code == 200
    assert team.client.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"]).status_code \
        == 200  # a signed checkpoint of the log as it stands
    return visit.record.id, sorted(visit.files)


def test_a_sound_archive_checks_clean_and_the_result_is_kept_private(team: FieldTeam, settings: Settings):
    _merged(team)
    result = _check(settings.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PRAGMA integrity_check" in result.stdout and "一致 / consistent" in result.stdout
    kept = checking.last_check(settings.data_dir)
    assert kept is not None and kept["ok"] and kept["files"]["checked"] > 0 and kept["log"]["checkpoints"] >= 1
    assert stat.S_IMODE(checking.result_path(settings.data_dir).stat().st_mode) == 0o600


def test_a_corrupted_page_in_a_copy_of_the_sqlite_file_is_found(team: FieldTeam, settings: Settings, tmp_path: Path):
    _merged(team)
    copy = tmp_path / "copy"
    shutil.copytree(settings.data_dir, copy, ignore=shutil.ignore_patterns("server.db*"))
    source, target = sqlite3.connect(settings.data_dir / "server.db"), sqlite3.connect(copy / "server.db")
    source.backup(target)
    pages = target.execute("PRAGMA page_count").fetchone()[0]
    size = target.execute("PRAGMA page_size").fetchone()[0]
    target.execute("PRAGMA journal_mode=DELETE")
    source.close()
    target.close()
    assert pages > 8
    with open(copy / "server.db", "r+b") as db:  # a page in the middle, its b-tree header and cells scrambled
        db.seek(size * (pages // 2))
        db.write(bytes((i * 37 + 11) % 256 for i in range(size)))
    result = _check(copy)
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr, result.stderr
    assert "损坏 / damaged" in result.stdout
    kept = checking.last_check(copy)
    assert kept is not None and not kept["ok"] and not kept["database"]["ok"] and kept["database"]["problems"]


@pytest.mark.both_databases
def test_an_altered_file_and_a_rewritten_or_shortened_log_are_named(team: FieldTeam, app: FastAPI,
                                                                     settings: Settings, backend: str, request):
    record_id, files = _merged(team)
    target = settings.evidence_dir / files[0][:2] / files[0]
    target.write_bytes(b"\x00" + target.read_bytes()[1:])
    result = checking.check(settings)
    assert result["database"]["ok"], result["database"]
    if backend == "postgres":  # amcheck is not a trusted extension: the server's role may not create it
        assert result["database"]["method"] == "amcheck unavailable" and "amcheck" in result["database"]["note"]
        cluster = request.getfixturevalue("postgres_cluster")
        with cluster.connect(make_url(settings.database_url).database) as superuser:  # as the DBA would, once
            superuser.execute("CREATE EXTENSION amcheck")
            superuser.execute(f"GRANT EXECUTE ON FUNCTION bt_index_check(regclass, boolean) TO {APP_ROLE}")
        checked = checking.check(settings)["database"]
        assert checked["ok"] and checked["method"].startswith("amcheck bt_index_check"), checked
    else:
        assert result["database"]["method"] == "PRAGMA integrity_check"
    [altered] = result["files"]["damaged"]
    assert altered["sha256"] == files[0] and altered["problem"] == "altered"
    assert {"case_id": DEMO_CASE_ID, "item": f"record {record_id}", "what": altered["cited_by"][0]["what"]} \
        in altered["cited_by"]
    assert result["log"]["ok"]

    engine = app.state.services.engine
    with engine.begin() as connection:  # someone with write access rewrites an entry's text
        row = connection.execute(text("SELECT position, entry FROM audit_entries ORDER BY position LIMIT 1")).one()
        changed = bytes(row.entry).replace(b'"kind":"', b'"kind":"x', 1)
        connection.execute(text("UPDATE audit_entries SET entry = :e WHERE position = :p"),
                           {"e": changed, "p": row.position})
    rewritten = checking.check(settings)["log"]
    assert not rewritten["ok"] and any(f"条目 {row.position} 的叶哈希不符" in p for p in rewritten["problems"])

    with engine.begin() as connection:  # and deletes the newest entries, below the signed checkpoint
        size = connection.execute(text("SELECT max(tree_size) FROM audit_checkpoints")).scalar()
        connection.execute(text("DELETE FROM audit_entries WHERE position >= :p"), {"p": size - 3})
    shortened = checking.check(settings)["log"]
    assert not shortened["ok"] and any(f"检查点 {size} 超出日志长度" in p for p in shortened["problems"])
    assert json.dumps(shortened, ensure_ascii=False)  # kept as JSON for the console
