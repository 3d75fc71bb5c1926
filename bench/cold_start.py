"""Cold start: the sync server, the field app, and the tablet page in Chromium.

Three rounds, each with fresh temp data dirs:
  - `python -m sync_server --host 127.0.0.1 --port P --data-dir D --seed-demo` until /openapi.json answers
    (a fresh dir: creates the SQLite database and seeds the demo accounts and cases);
  - `python -m field_app --port P --server URL --data-dir D` until its HTTP root answers;
  - if /usr/bin/chromium exists: a new tablet-sized browser context loads the app page, timed to
    Flutter's first frame (FIRST_FRAME_JS) and to the semantics DOM being ready (what open_flet waits for).
Prints each round and the medians, in seconds.

Run: PYTHONPATH=. .venv/bin/python bench/cold_start.py
"""
from __future__ import annotations

import tempfile
import time
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


def start_server(root: Path) -> tuple[object, str, float]:
    """Launch the server on a fresh data dir; return (process, url, seconds to /openapi.json)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "server.log"
    t0 = time.monotonic()
    proc = launch([PYTHON, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(port),
                   "--data-dir", str(root / "server"), "--seed-demo"], log)
    try:
        wait_http(f"{url}/openapi.json", proc, log, timeout=60)
    except BaseException:
        stop(proc)
        raise
    return proc, url, time.monotonic() - t0


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


def main() -> None:
    use_browser = Path(CHROMIUM).exists()
    rows: list[dict[str, float]] = []
    playwright = browser = None
    try:
        if use_browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = launch_browser(playwright)
        print(f"{'round':<7}{'server s':>10}{'field_app s':>13}"
              + (f"{'first frame s':>15}{'semantics s':>13}{'blocked':>9}" if use_browser else ""))
        for n in range(1, ROUNDS + 1):
            with tempfile.TemporaryDirectory(prefix="bench-cold-") as name:
                root = Path(name)
                server, server_url, t_server = start_server(root)
                try:
                    app, app_url, t_app = start_app(root, server_url)
                    try:
                        row = {"server": t_server, "app": t_app}
                        if browser is not None:
                            row["frame"], row["ready"], row["blocked"] = page_load(browser, app_url)
                    finally:
                        stop(app)
                finally:
                    stop(server)
            rows.append(row)
            line = f"{n:<7}{row['server']:>10.2f}{row['app']:>13.2f}"
            if use_browser:
                line += f"{row['frame']:>15.2f}{row['ready']:>13.2f}{int(row['blocked']):>9}"
            print(line, flush=True)
        line = f"{'median':<7}{median([r['server'] for r in rows]):>10.2f}{median([r['app'] for r in rows]):>13.2f}"
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
