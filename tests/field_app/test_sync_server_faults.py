"""The tablet against a REAL server that fails rather than refuses: its disk is full (a real tmpfs
filled to ENOSPC), or a route has a bug. The record stays queued, unchanged, and goes next time (R10)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from field_app.store import OutboxStatus
from field_app.store import queries as q
from field_app.sync.outbox import UploadStatus
from field_app.viewmodels import SyncPanel
from tests.disk import TinyDisk, tiny_disk
from tests.field_app.live_server import LiveServer
from tests.field_app.test_sync_live import _case_detail, _seal_home_visit, _sign_in_team


@pytest.fixture
def server_disk(tmp_path) -> Iterator[TinyDisk]:
    with tiny_disk(tmp_path / "server-disk", "4m") as disk:
        yield disk


@pytest.fixture
def server(server_disk: TinyDisk, clock) -> Iterator[LiveServer]:
    """The real server, uvicorn on 127.0.0.1, whose whole data dir is on the tiny disk."""
    live = LiveServer(server_disk.root, clock)
    live.start()
    yield live
    live.close()


def _outbox(store):
    with store.reading() as s:
        return [(i.status, i.attempts, i.problem_code) for i in q.outbox_items(s)]


def test_a_full_server_disk_keeps_the_record_queued_and_the_next_sync_sends_it_r10(
        tablet, server, server_disk, store, transport):
    team = _sign_in_team(tablet)
    sealed = _seal_home_visit(tablet, "mobile/jolla.jpg")
    panel: SyncPanel = tablet["sync"]
    server_disk.fill()

    [outcome] = panel.sync()
    assert outcome.status == UploadStatus.RETRY_LATER and outcome.code == "storage.full"
    assert outcome.message.startswith("服务器存储空间不足，文件未保存，请稍后重试")  # the server's answer was heard
    assert "下次上传时会自动重试" in outcome.message and "暂未上传" in panel.notice
    assert _outbox(store) == [(OutboxStatus.QUEUED.value, 1, "")] and panel.problems == 0
    assert not any((server_disk.root / "evidence" / "tmp").iterdir())
    photo_sha = sealed.record.evidence[0].sha256
    assert server.api("HEAD", f"/evidence/{photo_sha}", team.token()).status_code == 404
    assert transport.calls("POST", "/records") == []  # the record is never sent without its files

    server_disk.free()
    [outcome] = panel.sync()
    assert outcome.status == UploadStatus.SYNCED
    assert [m.sealed for m in _case_detail(server, team).records] == [sealed]


def test_a_server_bug_is_retried_later_and_the_other_records_still_go(tablet, server, store, monkeypatch):
    _sign_in_team(tablet)
    first = _seal_home_visit(tablet, "gps/DSCN0012.jpg", 0)
    second = _seal_home_visit(tablet, "gps/DSCN0021.jpg", 3)
    from sync_server.api import record_routes

    real_ingest = record_routes.ingest

    def ingest_with_a_bug(session, sealed, *args, **kwargs):
        if sealed.record.id == first.record.id:
            raise KeyError("a bug on the server")
        return real_ingest(session, sealed, *args, **kwargs)

    monkeypatch.setattr(record_routes, "ingest", ingest_with_a_bug)
    outcomes = {o.record_id: o for o in tablet["sync"].sync()}
    assert outcomes[first.record.id].status == UploadStatus.RETRY_LATER
    assert outcomes[first.record.id].code == "server.error"
    assert outcomes[first.record.id].message.startswith("服务器内部错误")
    assert outcomes[second.record.id].status == UploadStatus.SYNCED

    monkeypatch.setattr(record_routes, "ingest", real_ingest)  # the server is fixed
    [again] = tablet["sync"].sync()
    assert again.record_id == first.record.id and again.status == UploadStatus.SYNCED
