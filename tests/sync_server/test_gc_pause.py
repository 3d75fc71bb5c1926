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
