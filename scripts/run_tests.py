"""Every test, in two pytest runs side by side: the browser suite (tests/end_to_end, mostly waiting on
Chromium and its servers) beside the rest (mostly CPU), which pytest-xdist spreads over the cores, a test
file to a worker (a module's fixtures, such as the Ceph gateway, start once). Together they take the
time of the longer one.

    .venv/bin/python -m scripts.run_tests [extra pytest arguments for both]

The rest streams to the terminal; the browser suite's output goes to test-artifacts/end_to_end.log and is
printed when both are done. The exit status is non-zero when either suite fails.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER_SUITE = "tests/end_to_end"
WORKERS = min(4, max(2, os.cpu_count() or 2))  # two even on one core: a worker often waits on a server


def main(extra: list[str]) -> int:
    log_path = ROOT / "test-artifacts" / "end_to_end.log"
    log_path.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    with log_path.open("wb") as log:
        browser = subprocess.Popen([sys.executable, "-m", "pytest", BROWSER_SUITE, *extra],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            rest = subprocess.call([sys.executable, "-m", "pytest", f"--ignore={BROWSER_SUITE}",
                                    "-n", str(WORKERS), "--dist", "loadfile", *extra], cwd=ROOT)
            print(f"\n== the browser suite ({BROWSER_SUITE}) ==", flush=True)
            browser_status = browser.wait()
        except BaseException:
            browser.terminate()
            browser.wait()
            raise
    sys.stdout.write(log_path.read_text(encoding="utf-8", errors="replace"))
    minutes = (time.monotonic() - started) / 60
    print(f"\nall tests: {minutes:.1f} min; rest exit {rest}, browser suite exit {browser_status}", flush=True)
    return rest or browser_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
