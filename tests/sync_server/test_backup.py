"""Backups (R21, §4.4.5, issue 9): `python -m sync_server backup` while tablets keep uploading, a
second backup that copies only new files, and `restore` into a fresh directory (and database) where a
server finds every record, file and seal intact. SQLite and a real PostgreSQL cluster."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from schemas.protocol import PROTOCOL_HEADER
from schemas.records import EvidenceKind, Role
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.server_process import REPO, Server

pytestmark = pytest.mark.both_databases


def _cli(*args: str, database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, "-m", "sync_server", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _visit(n: int):  # type: ignore[no-untyped-def]
    visit = home_visit(f"rec-bk-{n:05d}")
    visit.add(os.urandom(40_000 + n), EvidenceKind.AUDIO, Role.SCENE, "zhangwei", "audio/mp4", "录音")
    return visit


def _restored_url(backend: str, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return ""
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.url(cluster.create_database(prefix="restored"))


def test_a_backup_under_load_restores_every_record_file_and_seal_r21(empty_database_url: str, backend: str,
                                                                       tmp_path: Path, request):
    source_url = "" if backend == "sqlite" else empty_database_url
    env = {"DATABASE_URL": source_url} if source_url else {}
    server = Server(tmp_path / "data", tmp_path / "server.log", env=env).start()
    visits = {}
    stop = threading.Event()
    try:
        with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
            team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            for n in range(3):
                visits[n] = _visit(n)
                assert team.submit(visits[n]).status_code == 200

            def keep_uploading() -> None:  # a tablet syncing all through the backup
                n = 3
                while not stop.is_set() and n < 200:
                    visits[n] = _visit(n)
                    assert team.submit(visits[n]).status_code == 200
                    n += 1
            load = threading.Thread(target=keep_uploading)
            load.start()
            try:
                _cli("backup", "--data-dir", str(server.data_dir), "--to", str(tmp_path / "backup"),
                     database_url=source_url)
            finally:
                stop.set()
                load.join(60)
            assert len(visits) > 3
    finally:
        server.stop()
    [first] = sorted((tmp_path / "backup" / "snapshots").iterdir())
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["copied"] == len(manifest["evidence"]) > 0

    restored_url = _restored_url(backend, request)
    _cli("restore", "--from", str(first), "--data-dir", str(tmp_path / "restored"), database_url=restored_url)
    again = Server(tmp_path / "restored", tmp_path / "restored.log",
                   env={"DATABASE_URL": restored_url} if restored_url else {}).start(seed=False)
    try:
        with httpx.Client(base_url=again.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
            team.client = http  # type: ignore[assignment]
            merged = team.merged_ids()
            assert {visits[n].record.id for n in range(3)} <= set(merged)  # everything before the backup
            detail = http.get("/api/v1/cases/" + visits[0].record.case_id, headers=team.headers["wangfang"])
            by_id = {r["sealed"]["record"]["id"]: r for r in detail.json()["records"]}
            for visit in visits.values():
                if visit.record.id not in by_id:
                    continue  # merged after the snapshot was taken
                assert all(s["valid"] for s in by_id[visit.record.id]["seals"])
                for sha, data in visit.files.items():
                    assert http.get(f"/api/v1/evidence/{sha}", headers=team.headers["zhangwei"]).content == data
    finally:
        again.stop()


def test_a_second_backup_copies_only_the_new_files(tmp_path: Path, backend: str, empty_database_url: str):
    source_url = "" if backend == "sqlite" else empty_database_url
    server = Server(tmp_path / "data", tmp_path / "server.log",
                    env={"DATABASE_URL": source_url} if source_url else {}).start()
    try:
        with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
            team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            assert team.submit(_visit(1)).status_code == 200
            _cli("backup", "--data-dir", str(server.data_dir), "--to", str(tmp_path / "b"), database_url=source_url)
            assert team.submit(_visit(2)).status_code == 200
            _cli("backup", "--data-dir", str(server.data_dir), "--to", str(tmp_path / "b"), database_url=source_url)
    finally:
        server.stop()
    first, second = (json.loads((d / "manifest.json").read_text())
                     for d in sorted((tmp_path / "b" / "snapshots").iterdir()))
    assert second["copied"] == 1 and len(second["evidence"]) == len(first["evidence"]) + 1
