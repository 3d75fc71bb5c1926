"""Private by default (R21, issue 17): under umask 022 the server still writes every file 0600 and every
folder 0700 (database, WAL, agency key, evidence, display copies, exports, backups); a start refuses a data
folder others may read, with the chmod line that fixes it; plain HTTP off loopback is refused without
--insecure-http; a damaged SQLite database is one clear message at start, not a traceback."""
from __future__ import annotations

import os
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from schemas.protocol import PROTOCOL_HEADER
from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.server_process import REPO, Server, _copy_missing, _seeded


def _run(*args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync_server", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False, preexec_fn=lambda: os.umask(umask))


def _loose(root: Path) -> list[str]:
    """Every file not 0600 and every folder not 0700 under root (root included)."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if not path.is_symlink() and mode != want:
            found.append(f"{path.relative_to(root)} {mode:o}")
    return found


def test_under_umask_022_every_file_the_server_and_its_commands_write_is_private(tmp_path: Path):
    data, backups = tmp_path / "data", tmp_path / "backups"
    assert _run("tls", "init", "--data-dir", str(data)).returncode == 0  # makes the data folder itself
    _copy_missing(_seeded(), data)
    ca = data / "tls" / "ca.crt"
    previous = os.umask(0o022)
    try:
        server = Server(data, tmp_path / "server.log", ca_file=ca).start(seed=False)  # inherits umask 022
    finally:
        os.umask(previous)
    try:
        with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=30,
                          verify=ssl.create_default_context(cafile=str(ca))) as http:
            team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            assert team.submit(home_visit("rec-private-1")).status_code == 200
            zipped = http.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
            assert zipped.status_code == 200, zipped.text
        backup = _run("backup", "--data-dir", str(data), "--to", str(backups))
        assert backup.returncode == 0, backup.stderr
    finally:
        server.stop()
    assert list((data / "exports").glob("*.zip")) and (data / "server.db-wal").exists()
    assert list((data / "evidence" / "derived").rglob("*.jpg")) and (data / "agency_key.pem").exists()
    assert _loose(data) == [] and _loose(backups) == []


def test_a_start_refuses_a_data_folder_others_can_read_and_says_how_to_fix_it(tmp_path: Path):
    data = tmp_path / "shared"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    refused = _run("--host", "127.0.0.1", "--port", "9", "--data-dir", str(data))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"chmod -R go-rwx {data}" in refused.stderr and "数据目录可被其他用户读取" in refused.stderr


def test_plain_http_off_loopback_is_refused_without_insecure_http(tmp_path: Path):
    refused = _run("--host", "0.0.0.0", "--port", "9", "--data-dir", str(tmp_path / "d"))  # refused: nothing binds
    assert refused.returncode == 2 and "--insecure-http" in refused.stderr and "tls init" in refused.stderr
    assert not (tmp_path / "d" / "server.db").exists()  # refused before anything was opened


def test_a_corrupted_sqlite_database_is_one_clear_message_at_start(tmp_path: Path):
    data = tmp_path / "data"
    _copy_missing(_seeded(), data)
    with open(data / "server.db", "r+b") as db:
        db.write(b"\xde\xad" * 50)  # the header page: SQLite no longer knows the file
    refused = _run("--host", "127.0.0.1", "--port", "9", "--data-dir", str(data))
    assert refused.returncode == 2, refused.stderr
    assert "数据库已损坏" in refused.stderr and "python -m sync_server check" in refused.stderr
    assert "Traceback" not in refused.stderr
