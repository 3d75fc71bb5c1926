"""The tiers (tests/tiers.py) put each test where what it reaches says, with no hand-written marker: a
helper that starts a process, even one reached through other helpers or imported inside a function, makes
its tests `processes`; an in-process server makes them `inprocess`; Chromium `browser`. `make check`'s
selection keeps the fast ones and leaves the rest; the hang guard fails a stuck test under xdist and still
runs its teardown."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync_server.testclient import TestClient
from tests.tiers import TIERS, tier_of

ROOT = Path(__file__).resolve().parents[1]
CHECK = "(pure or inprocess) and not sweep"  # as the Makefile's `check` selects


def _starts_a_process() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def _two_helpers_away() -> None:
    _starts_a_process()


def _imports_inside() -> None:
    import multiprocessing

    multiprocessing.get_context("spawn")


def _serves_in_process(app: object) -> None:
    TestClient(app)  # type: ignore[arg-type]


def _plain() -> str:
    return json.dumps({"a": 1})


class _Drives:
    def open(self) -> None:
        from playwright.sync_api import sync_playwright

        sync_playwright()


@pytest.mark.parametrize(("function", "tier"), [
    (_plain, "pure"), (_starts_a_process, "processes"), (_two_helpers_away, "processes"),
    (_imports_inside, "processes"), (_serves_in_process, "inprocess"), (_Drives, "browser"),
    (lambda: (_plain(), _serves_in_process(None), _two_helpers_away()), "processes"),
])
def test_a_function_is_in_the_heaviest_tier_it_reaches(function, tier: str) -> None:
    assert tier_of([function]) == tier


def test_every_collected_test_has_exactly_one_tier(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    assert items and all(len([m for m in item.iter_markers() if m.name in TIERS]) == 1 for item in items)


def collected(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return {line for line in run.stdout.splitlines() if "::" in line}


def test_make_checks_selection_keeps_the_fast_tests_and_leaves_servers_databases_and_browsers() -> None:
    files = ["tests/sync_server/test_merge_decide.py", "tests/sync_server/test_seed.py",
             "tests/sync_server/test_s3_evidence.py", "tests/sync_server/test_cli.py",
             "tests/sync_server/test_access_matrix.py", "tests/field_app/test_sign_out_live.py",
             "tests/field_app/test_sync_live.py",
             "tests/field_app/test_killed_tablet.py", "tests/end_to_end/test_idle_lock.py"]
    everything, fast = collected(*files), collected("-m", CHECK, *files)
    assert fast < everything

    def tests_of(file: str, names: set[str]) -> set[str]:
        return {name for name in names if name.startswith(file + "::")}

    for kept in ("test_merge_decide.py", "test_sign_out_live.py"):  # a live server in a thread is in process
        file = f"tests/{'field_app' if 'live' in kept else 'sync_server'}/{kept}"
        assert tests_of(file, fast) == tests_of(file, everything) != set(), kept
    for left in ("sync_server/test_s3_evidence.py", "sync_server/test_cli.py", "sync_server/test_access_matrix.py",
                 "field_app/test_sync_live.py", "field_app/test_killed_tablet.py", "end_to_end/test_idle_lock.py"):
        assert tests_of(f"tests/{left}", fast) == set() != tests_of(f"tests/{left}", everything), left
    seed = tests_of("tests/sync_server/test_seed.py", fast)
    assert any(name.endswith("[sqlite]") for name in seed) and not any("postgres" in name for name in seed)


HANGS = '''
import threading
from pathlib import Path

import pytest


@pytest.fixture
def server(tmp_path_factory):
    yield
    Path("{mark}").write_text("stopped")


def test_stuck(server):
    threading.Event().wait()


def test_fine():
    assert True
'''


def test_a_stuck_test_fails_under_xdist_with_its_teardown_run_and_the_run_goes_on(tmp_path: Path) -> None:
    mark = tmp_path / "teardown-ran"
    (tmp_path / "test_hangs.py").write_text(HANGS.format(mark=mark), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir",
                          str(tmp_path), "-p", "no:cacheprovider", "-n", "2", "--timeout", "5",
                          str(tmp_path / "test_hangs.py")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Timeout (>5.0s)" in run.stdout and "1 failed, 1 passed" in run.stdout, run.stdout
    assert mark.read_text() == "stopped"
