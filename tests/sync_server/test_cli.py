"""The command line: the real server in a subprocess on 127.0.0.1, seeding, holiday notices."""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.sync_server.helpers import CREDENTIALS

REPO = Path(__file__).resolve().parents[2]
READY = "sync server ready"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "sync_server", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """Read the server's stdout until a line holds the marker (or the process ends, or time runs out)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and selector.select(timeout=deadline - time.monotonic()):
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if marker in line:
                return line
    raise AssertionError(f"server not ready; stdout so far: {''.join(seen)!r}")


@contextmanager
def running_server(tmp_path: Path, database_url: str = "") -> Iterator[tuple[str, Path]]:
    """`python -m sync_server --seed-demo` on a free port of 127.0.0.1, until the block ends (SIGTERM
    to its PID). DATABASE_URL is set only when given, so the default is the data dir's SQLite file."""
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "PYTHONUNBUFFERED": "1"}
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(port), "--data-dir",
               str(tmp_path / "data"), "--seed-demo"]
    with open(tmp_path / "server.err", "w") as errors, subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=errors, text=True) as process:
        try:
            try:
                wait_for_line(process, READY, timeout=60)
            except AssertionError as error:
                raise AssertionError(f"{error}\nstderr: {(tmp_path / 'server.err').read_text()}") from None
            yield f"http://127.0.0.1:{port}", tmp_path / "data"
        finally:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with running_server(tmp_path) as served:
        yield served


def sign_in_and_list_cases(base: str) -> list[dict]:
    """What a tablet does first: PIN login over HTTP, then the team's cases."""
    with httpx.Client(base_url=base, headers={"X-Protocol-Version": "1"}, timeout=10) as client:
        assert client.get("/openapi.json").status_code == 200
        login = client.post("/api/v1/auth/device-login", json={
            "username": "zhangwei", "pin": CREDENTIALS["zhangwei"].pin, "device_id": "tablet-yb-01"})
        assert login.status_code == 200, login.text
        cases = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {login.json()['token']}",
                                                    "X-Device-Id": "tablet-yb-01"})
        assert cases.status_code == 200, cases.text
        assert client.get("/console/login").status_code == 200
        return cases.json()


def test_the_real_server_starts_seeded_and_serves_the_tablet(server):
    base, data_dir = server
    cases = sign_in_and_list_cases(base)
    assert cases[0]["title"] == "王建国家庭经济状况核查（最低生活保障）"
    assert (data_dir / "server.db").is_file() and (data_dir / "evidence").is_dir()
    with closing(sqlite3.connect(data_dir / "server.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_real_server_runs_on_postgresql_given_database_url(tmp_path: Path, postgres_cluster):
    """DATABASE_URL points the CLI server at an empty PostgreSQL database: it creates the tables, seeds,
    serves the tablet, and keeps everything there (no SQLite file); evidence stays in the data dir."""
    database = postgres_cluster.create_database(prefix="cli")
    with running_server(tmp_path, postgres_cluster.url(database)) as (base, data_dir):
        cases = sign_in_and_list_cases(base)
    assert [c["id"] for c in cases] == ["case-yb-2026-0001", "case-yb-2026-0002"]
    assert not (data_dir / "server.db").exists() and (data_dir / "evidence").is_dir()
    with postgres_cluster.connect(database) as conn:
        accounts = conn.execute("SELECT count(*) FROM accounts").fetchone()
        tokens = conn.execute("SELECT username, kind FROM tokens").fetchall()
    assert accounts == (6,) and tokens == [("zhangwei", "device")]


def test_seed_demo_twice_adds_nothing_the_second_time(tmp_path: Path):
    first = run_cli("seed-demo", "--data-dir", str(tmp_path), "--accepted-on", "2026-11-16")
    second = run_cli("seed-demo", "--data-dir", str(tmp_path))
    assert first.returncode == 0 and "12 rows added" in first.stdout
    assert second.returncode == 0 and "demo data present" in second.stdout


def test_a_holiday_notice_entered_on_the_command_line_moves_the_deadline(tmp_path: Path):
    """R3: an administrator enters 2027's notice; the case accepted on 24 Dec 2026 loses its warning."""

    from sync_server.app import create_app
    from sync_server.settings import Settings
    from tests.sync_server.helpers import api_client, password_login

    assert run_cli("seed-demo", "--data-dir", str(tmp_path), "--accepted-on", "2026-12-24").returncode == 0
    notice = tmp_path / "2027.json"
    notice.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"], "source": "测试"}),
                      encoding="utf-8")
    added = run_cli("holidays", "add", "--data-dir", str(tmp_path), str(notice))
    assert added.returncode == 0, added.stderr
    app = create_app(Settings(tmp_path))
    with api_client(app) as client:
        headers = password_login(client, "wangfang")
        case = client.get("/api/v1/cases/case-yb-2026-0001", headers=headers).json()
    app.state.services.engine.dispose()
    assert (case["case"]["deadline"], case["case"]["deadline_warning"]) == ("2027-01-08", "")


def test_a_notice_with_dates_of_another_year_is_refused(tmp_path: Path):
    notice = tmp_path / "bad.json"
    notice.write_text(json.dumps({"year": 2027, "holidays": ["2028-01-01"]}), encoding="utf-8")
    result = run_cli("holidays", "add", "--data-dir", str(tmp_path), str(notice))
    assert result.returncode == 2 and "2028-01-01" in result.stderr


def test_help_describes_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert all(word in result.stdout for word in ["--data-dir", "--seed-demo", "seed-demo", "holidays"])


def test_the_first_administrator_is_bootstrapped_on_the_command_line_r4_r6(tmp_path: Path):
    args = ("create-admin", "--data-dir", str(tmp_path), "--username", "liqiang", "--name", "李强",
            "--work-id", "HC-01", "--org-id", "cq-center", "--org-name", "重庆市核对中心")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}

    def create(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sync_server", *args], capture_output=True, text=True,
                              env={**env, "ADMIN_PASSWORD": password}, cwd=REPO, timeout=120, check=False)

    weak = create("weak")
    assert weak.returncode == 2 and "密码至少" in weak.stderr
    strong = create("First#Admin2026")
    assert strong.returncode == 0, strong.stderr
