"""Report and dossier for a whole case: time and peak memory (R20, R32).

Two cases, each in a fresh process on a real SQLite data dir with the server in-process:
  A: 6 family members, 8 sealed home visits, 40 photos (the case the PDF tests use)
  B: 6 family members, 20 sealed home visits, 500 photos
For each: issuing the report (compose + PDF + electronic seal), exporting the dossier (record PDFs with
thumbnails, evidence originals streamed into the zip, log proofs, signed manifest) and verifying it offline
with dossier_verify. Peak memory is the growth of the process's peak RSS (VmHWM, reset through
/proc/self/clear_refs before each step) and the Python allocation peak (tracemalloc, on a second
run of the step: tracing slows it several times, so it is not timed). Each step runs twice, so case A and B
end with two report versions and two exports.

Run: PYTHONPATH=. .venv/bin/python bench/dossier_report.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _common import PYTHON, REPO_ROOT, mb, proc_status_kb

CASES = {"A": (8, 5), "B": (20, 25)}  # records, photos per record


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _step(name: str, fn, out: dict) -> object:
    import os

    _reset_peak()
    base = proc_status_kb(os.getpid(), "VmRSS")
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    growth = round(max(0, proc_status_kb(os.getpid(), "VmHWM") - base) / 1024, 1)
    tracemalloc.start()  # again, for the Python allocation peak only (tracing slows the step several times)
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out[name] = {"s": round(seconds, 2), "rss_growth_mb": growth, "py_peak_mb": round(mb(peak), 1)}
    return result


def run_case(label: str) -> dict:
    """Build case `label` and measure; returns the figures."""
    import io
    from datetime import date

    from dossier_verify.dossier import verify
    from sync_server.app import create_app
    from sync_server.db import make_engine, open_session
    from sync_server.ops.seed import DEMO_CASE_ID, seed_demo
    from sync_server.settings import Settings
    from tests.sync_server.big_case import add_members, submit_records
    from tests.sync_server.helpers import FieldTeam, api_client

    records, photos = CASES[label]
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-dossier-{label}-"))
    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings.db_url)
    with open_session(engine) as session:
        seed_demo(session, date(2026, 11, 16))
        session.commit()
    engine.dispose()
    app = create_app(settings)
    out: dict = {"case": label, "records": records, "photos": records * photos}
    with api_client(app) as client:
        team = FieldTeam.sign_in(client)
        add_members(app)
        t0 = time.perf_counter()
        submit_records(team, records, photos)
        out["setup_s"] = round(time.perf_counter() - t0, 1)
        headers = team.headers["wangfang"]
        api = f"/api/v1/cases/{DEMO_CASE_ID}"
        _step("report_issue", lambda: client.post(f"{api}/reports", json={"summary": ""}, headers=headers), out)
        response = _step("dossier_export", lambda: client.post(f"{api}/dossier", headers=headers), out)
        data = response.content  # type: ignore[attr-defined]
        out["dossier_mb"] = round(mb(len(data)), 1)
        report = _step("dossier_verify", lambda: verify(io.BytesIO(data)), out)
        assert report.ok, report.findings  # type: ignore[attr-defined]
    app.state.services.engine.dispose()
    return out


def main() -> None:
    """Run each case in its own process and print the figures."""
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
        return
    print("case  records photos  step            seconds  peak RSS growth MB  Python peak MB  (dossier MB)")
    for label in CASES:
        done = subprocess.run([PYTHON, __file__, "--case", label], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True, env={"PYTHONPATH": f"{REPO_ROOT}:{REPO_ROOT / 'bench'}"})
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        for step in ("report_issue", "dossier_export", "dossier_verify"):
            f = figures[step]
            print(f"{label:5} {figures['records']:7} {figures['photos']:6}  {step:15} {f['s']:7}  "
                  f"{f['rss_growth_mb']:18}  {f['py_peak_mb']:14}  ({figures['dossier_mb']})")
        print(f"      (building the case: {figures['setup_s']} s)")


if __name__ == "__main__":
    main()
