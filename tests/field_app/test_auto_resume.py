"""An upload the network cut short goes on by itself when the server answers again (issue 9): the real
server (stopped = connections refused), the real store, the SyncPanel and its AutoResume checker; the
screen's line says so, and the bytes of the file and of the batch are shown."""
from __future__ import annotations

import threading
import time

from field_app.sync.client import SyncClient
from field_app.sync.outbox import UploadStatus
from field_app.viewmodels import SyncPanel
from field_app.viewmodels.outbox import AUTO_RESUME_NOTICE, AutoResume
from tests.field_app.helpers import closed_port
from tests.field_app.test_sync_live import _seal_home_visit, _sign_in_team


def _until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_cut_off_upload_goes_on_by_itself_when_the_server_answers_again(tablet, server):
    _sign_in_team(tablet)
    _seal_home_visit(tablet)
    panel: SyncPanel = tablet["sync"]
    server.stop()
    [outcome] = panel.sync()
    assert outcome.status == UploadStatus.UNREACHABLE
    assert panel.waiting_for_network and AUTO_RESUME_NOTICE in panel.notice
    assert panel.resume_if_back() is False and panel.pending == 1  # still no server: nothing happens

    checker = AutoResume(panel, every_s=0.05)
    checker.start()
    try:
        server.start()
        _until(lambda: panel.synced == 1 and not panel.syncing)
    finally:
        checker.stop()
    assert panel.pending == 0 and not panel.waiting_for_network
    assert panel.notice == "已上传 1 份" and panel.bytes_done == panel.bytes_total > 0
    _sha, sent, size = panel.file_bytes
    assert sent == size > 0 and "本批" in panel.progress_text() and "当前文件" in panel.progress_text()

    [shown] = panel.sync()  # a tap afterwards shows what the automatic upload did
    assert shown.status == UploadStatus.SYNCED and panel.notice == "已上传 1 份"
    assert panel.sync() == [] and panel.notice == "没有需要上传的记录"


def test_records_left_queued_by_an_interrupted_upload_go_up_by_themselves_after_a_restart(
        tablet, server, store, evidence, clock):
    team = _sign_in_team(tablet)
    _seal_home_visit(tablet)
    again = SyncPanel(store, evidence, tablet["sync"].client, team, clock)  # the app starting again
    assert again.waiting_for_network
    assert again.resume_if_back() is True and again.synced == 1 and not again.waiting_for_network
    assert again.resume_if_back() is False  # nothing more to do: no request at all


def test_an_unreachable_server_is_told_apart_from_one_that_answers(server):
    off, on = SyncClient(f"http://127.0.0.1:{closed_port()}", timeout=2.0), SyncClient(server.url, timeout=5.0)
    try:
        assert off.reachable() is False and on.reachable() is True
        server.stop()
        assert on.reachable() is False
    finally:
        off.close()
        on.close()


class _Watched:
    """The panel's upload lock, telling when someone starts waiting for it."""

    def __init__(self, lock) -> None:  # type: ignore[no-untyped-def]
        self.lock, self.entering = lock, threading.Event()

    def __enter__(self) -> None:
        self.entering.set()
        self.lock.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.lock.release()


def test_a_second_tap_during_an_upload_waits_for_it_and_shows_its_results(tablet, server):
    _sign_in_team(tablet)
    _seal_home_visit(tablet)
    panel: SyncPanel = tablet["sync"]
    halfway, go_on = threading.Event(), threading.Event()
    panel.subscribe(lambda: (halfway.set(), go_on.wait(30)) if panel.syncing and panel.bytes_done else None)
    first = threading.Thread(target=panel.sync)
    first.start()
    assert halfway.wait(30)
    watched = _Watched(panel._one_upload)
    panel._one_upload = watched  # type: ignore[assignment]
    second: list = []
    tap = threading.Thread(target=lambda: second.append(panel.sync()))
    tap.start()
    assert watched.entering.wait(30)  # the tap waits for the upload under way
    go_on.set()
    first.join(30)
    tap.join(30)
    [outcome] = second[0]
    assert outcome.status == UploadStatus.SYNCED and panel.notice == "已上传 1 份" and panel.synced == 1
