"""Progress of long jobs (backup, restore, check, dossier export, the start's backfills), so an operator
copying 400 GB of evidence at night sees that it moves.

Where it goes is chosen once by the command line (`python -m sync_server backup ...`: `report_to(stderr)`),
in a context variable, not by the job:
- a terminal: a rich progress bar (label, bar, count, rate, time left), redrawn in place;
- a pipe or a file (cron, a systemd timer's journal): one plain line every `every_s` seconds and at the end,
  `备份留证文件 / backing up evidence: 1200/5000 (24%) 31.5/s`;
- nowhere chosen (inside the server: an export over the API, the backfills at start): the same plain lines
  through the `sync_server.progress` logger (JSON logs), and only for jobs that take longer than `every_s`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

log = logging.getLogger("sync_server.progress")
_sink: ContextVar[TextIO | None] = ContextVar("progress_sink", default=None)
_every: ContextVar[float] = ContextVar("progress_every_s", default=10.0)


@contextmanager
def report_to(stream: TextIO, every_s: float = 10.0) -> Iterator[None]:
    """Show the progress of the jobs run inside on `stream` (a bar if it is a terminal, else plain lines)."""
    sink, every = _sink.set(stream), _every.set(every_s)
    try:
        yield
    finally:
        _sink.reset(sink)
        _every.reset(every)


class Step:
    """Counts one job's steps and shows them where `report_to` chose."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None, every_s: float) -> None:
        self.label, self.total, self.stream, self.every_s = label, total, stream, every_s
        self.done, self.began = 0, time.monotonic()
        self._last = self.began
        self._bar: Any = None  # a rich Progress on a terminal
        if stream is not None and stream.isatty():
            from rich import progress as bars
            from rich.console import Console

            self._bar = bars.Progress(bars.TextColumn("{task.description}"), bars.BarColumn(),
                                      bars.MofNCompleteColumn(), bars.TimeElapsedColumn(),
                                      bars.TimeRemainingColumn(), console=Console(file=stream), transient=False)
            self._task = self._bar.add_task(label, total=total)
            self._bar.start()

    def __call__(self, count: int = 1) -> None:
        """`count` more steps done."""
        self.done += count
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            return
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self._line()

    def line(self) -> str:
        """The plain line for where the job stands."""
        elapsed = max(time.monotonic() - self.began, 1e-9)
        of = f"/{self.total} ({self.done * 100 // self.total}%)" if self.total else ""
        return f"{self.label}: {self.done}{of} {self.done / elapsed:.1f}/s"

    def _line(self) -> None:
        if self.stream is not None:
            print(self.line(), file=self.stream, flush=True)
        else:
            log.info("%s", self.line())

    def close(self) -> None:
        """The last line (plain: on a stream if anything was done; in the log only for a job that took a
        while)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            self._bar.stop()
        elif time.monotonic() - self.began >= self.every_s or (self.stream is not None and self.done):
            self._line()


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Step]:
    """`with progress("复制 / copying", total=n) as step: ... step()`: see the module docstring."""
    step = Step(label, total, _sink.get(), _every.get())
    try:
        yield step
    finally:
        step.close()
