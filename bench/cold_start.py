"""Cold start: the sync server, the field app, and the tablet page in Chromium.

Three rounds, each with fresh temp data dirs:
  - `python -m sync_server --host 127.0.0.1 --port P --data-dir D --seed-demo` until its first answer
    (/healthz), then until /openapi.json answers (a fresh dir: creates the SQLite database and seeds the demo
    accounts and cases), and the CPU seconds the server had spent by then (the steadier figure when shared);
  - `python -m field_app --port P --server URL --data-dir D` until its HTTP root answers;
  - if /usr/bin/chromium exists: a new tablet-sized browser context loads the app page, timed to
    Flutter's first frame (FIRST_FRAME_JS) and to the semantics DOM being ready (what open_flet waits for).
Prints each round and the medians, in seconds.

Then (issue 19) restarts, on SQLite and on a throwaway PostgreSQL cluster: the seeded demo folder, then
the same folder after `--cases` more cases (100k by default; tests/sync_server/bulk_cases.py, each with two
subjects and its summary), started three times each with one worker and with four, timed to /healthz (the
first answer) and to /openapi.json.
A restart does no full-table work (backfills run once, recorded in `backfills`): the two should match.

Run: PYTHONPATH=. .venv/bin/python bench/cold_start.py [--cases 100000] [--skip-fresh] [--skip-restart]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import PYTHON, free_port, launch, median, stop, wait_http

from tests.end_to_end.flet_browser import (
    CHROMIUM,
    FIRST_FRAME_JS,
    enable_semantics,
    launch_browser,
    new_tablet_page,
    unexpected_requests,
)

ROUNDS = 3


def start_server(root: Path) -> tuple[object, str, float, float, float]:
    """Launch the server on a fresh data dir; return (process, url, seconds to its first answer (/healthz),
    seconds to /openapi.json, CPU seconds it had spent by then)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "server.log"
    t0 = time.monotonic()
    proc = launch([PYTHON, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(port),
                   "--data-dir", str(root / "server"), "--seed-demo"], log)
    try:
        wait_http(f"{url}/healthz", proc, log, timeout=60)
        first = time.monotonic() - t0
        wait_http(f"{url}/openapi.json", proc, log, timeout=60)
        return proc, url, first, time.monotonic() - t0, cpu_seconds(proc.pid)
    except BaseException:
        stop(proc)
        raise


def start_app(root: Path, server_url: str) -> tuple[object, str, float]:
    """Launch the field app on a fresh data dir; return (process, url, seconds to its root answering)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "field_app.log"
    t0 = time.monotonic()
    proc = launch([PYTHON, "-m", "field_app", "--port", str(port), "--server", server_url,
                   "--data-dir", str(root / "tablet"), "--key-dir", str(root / "tablet-keys")], log)
    try:
        wait_http(f"{url}/", proc, log, timeout=60)
    except BaseException:
        stop(proc)
        raise
    return proc, url, time.monotonic() - t0


def page_load(browser, url: str) -> tuple[float, float, int]:
    """Seconds from navigation to Flutter's first frame, to semantics ready; non-local requests blocked."""
    context, page = new_tablet_page(browser)
    try:
        t0 = time.monotonic()
        page.goto(url, timeout=60_000)
        page.wait_for_function(FIRST_FRAME_JS, timeout=60_000)
        first_frame = time.monotonic() - t0
        enable_semantics(page, timeout=60_000)  # together with goto, this is open_flet
        ready = time.monotonic() - t0
        return first_frame, ready, len(unexpected_requests(page.blocked_requests))
    finally:
        context.close()


def seeded(root: Path, database_url: str) -> Path:
    """A data folder holding the seeded demo only (accounts, keys, a few cases); its path."""
    from sync_server.ops.seed import seed_demo
    from sync_server.settings import Settings

    data = root / "server"
    data.mkdir(mode=0o700)
    seed_demo(Settings(data, database_url=database_url), date(2026, 11, 16))
    return data


def add_cases(data: Path, cases: int, database_url: str) -> None:
    """`cases` more cases in the data folder's database (two subjects and a summary each)."""
    from sync_server.app import create_app
    from sync_server.settings import Settings
    from tests.sync_server.bulk_cases import add_bare_cases

    app = create_app(Settings(data, database_url=database_url))
    began = time.monotonic()
    with app.state.services.session() as session:
        add_bare_cases(session, cases)
    app.state.services.engine.dispose()
    print(f"  added {cases} cases in {time.monotonic() - began:.1f} s", flush=True)


def cpu_seconds(pid: int) -> float:
    """CPU (user + system) of the process and its descendants alive now, from /proc (Linux)."""
    tick, total, pids = os.sysconf("SC_CLK_TCK"), 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def restart(data: Path, workers: int, database_url: str) -> tuple[float, float, float]:
    """Seconds from launching the server on an existing data folder to its first answer (/healthz, what a
    proxy or systemd waits on), the CPU seconds its processes had spent by then (the steadier figure on a
    shared machine), and the seconds to /openapi.json (which also builds the schema of ~190 routes)."""
    port = free_port()
    log = data.parent / f"restart-{workers}.log"
    t0 = time.monotonic()
    proc = launch([PYTHON, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(port),
                   "--data-dir", str(data), "--workers", str(workers)], log,
                  env={"DATABASE_URL": database_url} if database_url else None)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc, log, timeout=120)
        first, cpu = time.monotonic() - t0, cpu_seconds(proc.pid)
        wait_http(f"http://127.0.0.1:{port}/openapi.json", proc, log, timeout=120)
        return first, cpu, time.monotonic() - t0
    finally:
        stop(proc)


def restarts(cases: int) -> None:
    """Start and restart times on a `cases`-case database, SQLite then PostgreSQL, 1 and 4 workers."""
    from tests.sync_server.postgres import PostgresCluster

    cluster = PostgresCluster().start()
    try:
        for name in ("SQLite", "PostgreSQL"):
            url = cluster.url(cluster.create_database(prefix="restart")) if name == "PostgreSQL" else ""
            with tempfile.TemporaryDirectory(prefix="bench-restart-") as tmp:
                print(f"\n== restart, {name}: the demo only, then {cases} cases more ==", flush=True)
                data = seeded(Path(tmp), url)
                for label in ("demo only", f"+{cases} cases"):
                    if label != "demo only":
                        add_cases(data, cases, url)
                    for workers in (1, 4):
                        runs = [restart(data, workers, url) for _ in range(ROUNDS)]
                        print(f"  {label:<14} {workers} worker{'s' if workers > 1 else ' '}: "
                              + "  ".join(f"{t:.2f}" for t, _, _ in runs)
                              + f"  median {median([t for t, _, _ in runs]):.2f} s to /healthz, CPU by then "
                              + f"{median([c for _, c, _ in runs]):.2f} s; /openapi.json at "
                              + f"{median([o for _, _, o in runs]):.2f} s", flush=True)
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--skip-fresh", action="store_true", help="no fresh-folder rounds (server, app, page)")
    parser.add_argument("--skip-restart", action="store_true", help="no restarts on a big database")
    args = parser.parse_args()
    if not args.skip_fresh:
        fresh()
    if not args.skip_restart:
        restarts(args.cases)


def fresh() -> None:
    use_browser = Path(CHROMIUM).exists()
    rows: list[dict[str, float]] = []
    playwright = browser = None
    try:
        if use_browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = launch_browser(playwright)
        print(f"{'round':<7}{'first s':>9}{'server s':>10}{'CPU s':>7}{'field_app s':>13}"
              + (f"{'first frame s':>15}{'semantics s':>13}{'blocked':>9}" if use_browser else ""))
        for n in range(1, ROUNDS + 1):
            with tempfile.TemporaryDirectory(prefix="bench-cold-") as name:
                root = Path(name)
                server, server_url, t_first, t_server, cpu = start_server(root)
                try:
                    app, app_url, t_app = start_app(root, server_url)
                    try:
                        row = {"first": t_first, "server": t_server, "cpu": cpu, "app": t_app}
                        if browser is not None:
                            row["frame"], row["ready"], row["blocked"] = page_load(browser, app_url)
                    finally:
                        stop(app)
                finally:
                    stop(server)
            rows.append(row)
            line = f"{n:<7}{row['first']:>9.2f}{row['server']:>10.2f}{row['cpu']:>7.2f}{row['app']:>13.2f}"
            if use_browser:
                line += f"{row['frame']:>15.2f}{row['ready']:>13.2f}{int(row['blocked']):>9}"
            print(line, flush=True)
        line = f"{'median':<7}" + "".join(f"{median([r[k] for r in rows]):>{w}.2f}"
                                           for k, w in (("first", 9), ("server", 10), ("cpu", 7), ("app", 13)))
        if use_browser:
            line += f"{median([r['frame'] for r in rows]):>15.2f}{median([r['ready'] for r in rows]):>13.2f}"
        print(line)
        if not use_browser:
            print(f"page load SKIPPED: {CHROMIUM} not found")
    finally:
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()


if __name__ == "__main__":
    main()
