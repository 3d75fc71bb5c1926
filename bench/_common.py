"""Shared helpers for the benchmarks: paths, free ports, starting and stopping real processes,
waiting for HTTP, reading a process's memory, and summarising timings.

Not a benchmark itself (the leading underscore keeps `make bench` from running it).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
sys.path.insert(0, str(REPO_ROOT))  # the tests' helpers are the benchmarks' too

from tests.end_to_end.flet_browser import free_port  # noqa: E402 (sys.path must hold the repo first)
from tests.end_to_end.flet_browser import stop_process as stop  # noqa: E402 (sys.path must hold the repo first)
from tests.media import PHOTOS  # noqa: E402 (sys.path must hold the repo first)

__all__ = ["PHOTOS", "free_port", "stop"]


def launch(cmd: Sequence[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `cmd` from the repo root in its own process group, output to `log_path`."""
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    full_env = {**os.environ, "PYTHONPATH": path, **(env or {})}
    with open(log_path, "wb") as log:
        return subprocess.Popen(list(cmd), cwd=REPO_ROOT, env=full_env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_http(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 45.0) -> float:
    """Poll `url` until it answers any HTTP status; return seconds waited. Raises if the process dies."""
    t0 = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {url} answered:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                resp.read(1)
            return time.monotonic() - t0
        except urllib.error.HTTPError:
            return time.monotonic() - t0  # it answered, with an error status: still up
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.01)  # a refused connect returns at once: do not spin a core of the server's two
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(f"{url} not answering after {timeout}s:\n{tail(log_path)}")
        time.sleep(0.02)  # readiness polling only


def tail(path: Path, chars: int = 2000) -> str:
    """The end of a log file."""
    try:
        return Path(path).read_text(errors="replace")[-chars:]
    except OSError:
        return "<no log>"


def proc_status_kb(pid: int, field: str) -> int:
    """A `kB` field of /proc/PID/status, e.g. VmHWM (peak RSS) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def mb(n_bytes: float) -> float:
    """Bytes to MiB."""
    return n_bytes / (1024 * 1024)


def time_us(fn: Callable[[], object], runs: int, warmup: int = 20) -> list[float]:
    """Run `fn` `runs` times after a warm-up; return each run's duration in microseconds."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t0) / 1000)
    return out


def p95(values: Sequence[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)
