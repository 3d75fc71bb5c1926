"""A served start runs without the cyclic garbage collector until its app starts (ops/gc_pause.py, issue 19):
then what starting built is frozen and collection is back on; where nothing paused it, the app's start freezes
nothing. Each case in its own interpreter (the collector's state is the process's)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sync_server.server_process import REPO

START = """
import gc, sys
from pathlib import Path
from starlette.testclient import TestClient
from sync_server.ops import gc_pause
{pause}
from sync_server.app import create_app
from sync_server.settings import Settings
app = create_app(Settings(Path(sys.argv[1])))
before = (gc.isenabled(), gc.get_freeze_count())
with TestClient(app) as client:  # runs the lifespan, as uvicorn does before it listens
    assert client.get("/healthz").status_code == 200
    during = (gc.isenabled(), gc.get_freeze_count())
app.state.services.engine.dispose()
print(before[0], before[1] > 0, during[0], during[1] > 100_000)
"""


def _run(tmp_path: Path, pause: str) -> list[str]:
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", START.format(pause=pause), str(tmp_path / "data")],
                         cwd=REPO, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_a_paused_start_collects_again_once_the_app_starts_with_its_objects_frozen(tmp_path: Path):
    assert _run(tmp_path, "gc_pause.pause()") == ["False", "False", "True", "True"]


def test_an_app_started_where_nothing_paused_freezes_nothing(tmp_path: Path):
    assert _run(tmp_path, "") == ["True", "False", "True", "False"]


def test_serving_pauses_the_collector_and_a_refused_start_switches_it_back_on(tmp_path: Path):
    code = ("import gc; from sync_server import __main__ as m; seen = []; "
            "m.dispatch = lambda parser, args: seen.append(gc.isenabled()) or 2; "
            f"rc = m.main(['--data-dir', {str(tmp_path / 'data')!r}]); print(rc, seen, gc.isenabled())")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "[False]", "True"]


def test_the_seeding_app_of_several_workers_is_collected_before_the_preload_is_frozen(tmp_path: Path):
    """With several workers the demo is seeded by an app of its own before the fork; paused, the collector
    leaves it (cycles) in memory, and `resume()` would freeze it into every worker: `collect()` drops it."""
    code = ("import gc, sys; from datetime import date; from pathlib import Path; from fastapi import FastAPI; "
            "from sync_server.ops import gc_pause; gc_pause.pause(); "
            "from sync_server.ops.seed import seed_demo; from sync_server.settings import Settings; "
            "seed_demo(Settings(Path(sys.argv[1])), date(2026, 11, 16)); "
            "apps = lambda: sum(isinstance(o, FastAPI) for o in gc.get_objects()); "
            "before = apps(); gc_pause.collect(); print(before, apps(), gc.isenabled())")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code, str(tmp_path / "data")], cwd=REPO,
                         capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["1", "0", "False"], out.stdout
