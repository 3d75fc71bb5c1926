"""Long jobs show their progress (ops/progress.py): plain periodic lines on a pipe, a rich bar on a terminal,
and log lines inside the server. Real backup, restore, check and dossier export over a merged record."""
from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from fastapi import FastAPI

from sync_server.__main__ import main
from sync_server.ops.backup import backup, restore
from sync_server.ops.progress import Step, progress, report_to
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from tests.sync_server.helpers import FieldTeam, home_visit


class Terminal(io.StringIO):
    """What rich writes to a terminal, kept (isatty is what decides between a bar and plain lines)."""

    def isatty(self) -> bool:
        return True


def _counts(text: str, label: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(re.escape(label) + r": (\d+)/(\d+)", text)]


def test_backup_and_restore_print_plain_lines_on_a_pipe(app: FastAPI, team: FieldTeam, tmp_path: Path):
    visit = home_visit("rec-progress-1")
    assert team.submit(visit).status_code == 200
    settings: Settings = app.state.services.settings
    pipe = io.StringIO()
    with report_to(pipe, every_s=0):  # a line at every step: the test sees each count, never waits
        snapshot, damaged = backup(settings, tmp_path / "backup")
    assert damaged == []
    counts = _counts(pipe.getvalue(), "备份留证文件 / backing up evidence")
    total = counts[-1][1]
    assert total >= len(visit.files) and counts[-1] == (total, total)
    assert [done for done, _ in counts] == sorted(done for done, _ in counts) and counts[0][0] == 1
    assert "\x1b[" not in pipe.getvalue()  # no terminal control codes on a pipe
    pipe = io.StringIO()
    with report_to(pipe, every_s=0):
        restore(snapshot, Settings(tmp_path / "restored"))
    assert _counts(pipe.getvalue(), "恢复留证文件 / restoring evidence")[-1] == (total, total)


def test_a_terminal_gets_a_bar_and_the_check_command_a_last_line(app: FastAPI, team: FieldTeam, capsys):
    assert team.submit(home_visit("rec-progress-2")).status_code == 200
    settings: Settings = app.state.services.settings
    terminal = Terminal()
    with report_to(terminal):
        backup(settings, settings.data_dir.parent / "backup-tty")
    drawn = terminal.getvalue()
    assert "备份留证文件" in drawn and "\x1b[" in drawn  # rich drew (and redrew) a bar
    assert re.search(r"(\d+)/\1", drawn)  # completed: n/n
    app.state.services.engine.dispose()
    assert main(["check", "--data-dir", str(settings.data_dir)]) == 0  # stderr is not a terminal here
    err = capsys.readouterr().err
    files = _counts(err, "核对留证文件哈希 / hashing evidence files")
    entries = _counts(err, "重算审计日志 / recomputing the audit log")
    assert files and files[-1][0] == files[-1][1] > 0, err
    assert entries and entries[-1][0] == entries[-1][1] > 0, err


def test_a_dossier_export_shows_its_files_and_a_slow_job_in_the_server_logs_them(app: FastAPI, team: FieldTeam,
                                                                                 caplog):
    from sqlmodel import select

    from sync_server.dossier.service import make_dossier
    from sync_server.tables import Account, Case

    assert team.submit(home_visit("rec-progress-3")).status_code == 200
    services = app.state.services
    pipe = io.StringIO()
    with services.session() as session, report_to(pipe, every_s=0):
        actor = session.exec(select(Account).where(Account.username == "wangfang")).one()
        exported = make_dossier(session, session.get(Case, DEMO_CASE_ID), services, actor)
    counts = _counts(pipe.getvalue(), f"导出案件档案 / exporting dossier {exported.path.name}")
    assert counts and counts[-1][0] == counts[-1][1] >= 3, pipe.getvalue()
    # inside the server nobody chose a stream: a job slower than every_s writes through the logger (JSON logs)
    with caplog.at_level(logging.INFO, logger="sync_server.progress"):
        step = Step("导出案件档案 / exporting dossier x.zip", 4, None, every_s=0.0)
        for _ in range(4):
            step()
        step.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "sync_server.progress"]
    assert lines[-1].startswith("导出案件档案 / exporting dossier x.zip: 4/4 (100%)") and len(lines) == 5


def test_progress_without_a_total_counts_and_a_job_with_nothing_done_is_quiet():
    pipe = io.StringIO()
    with report_to(pipe, every_s=0), progress("补验记录签章 / backfilling seal verdicts") as step:
        step(500)
        step(120)
    assert pipe.getvalue().splitlines()[-1].startswith("补验记录签章 / backfilling seal verdicts: 620 ")
    quiet = io.StringIO()
    with report_to(quiet), progress("补算案件列表摘要 / backfilling case summaries", 0):
        pass
    assert quiet.getvalue() == ""
