"""A batch of picked photos: progress per file, a second batch refused while one runs, and one bad file
never losing the others (R10)."""
from __future__ import annotations

import threading

import pytest

from field_app.viewmodels import VisitEditor
from field_app.viewmodels.photo_batch import PhotoBatch
from schemas.records import Role
from tests.field_app.helpers import cache_case, case_summary, photo, start_notified

FILES = ["gps/DSCN0010.jpg", "heic/samplefilehub.heif", "Nikon_D70.jpg"]


@pytest.fixture
def batch(store, evidence, team, clock) -> PhotoBatch:
    cache_case(store, case_summary())
    editor = VisitEditor(store, evidence, team, clock)
    start_notified(editor)
    return PhotoBatch(editor)


def test_progress_is_reported_for_each_file_and_a_broken_one_is_named(batch):
    seen: list[str] = []
    batch.subscribe(lambda: seen.append(batch.state.progress_text()))
    files = [(name.rsplit("/", 1)[-1], photo(name)) for name in FILES]
    files.insert(1, ("cut.jpg", photo("mobile/jolla.jpg")[:100_000]))
    assert batch.begin(Role.SCENE, [n for n, _ in files])
    state = batch.run(files)
    assert seen[1:5] == [f"正在检查第 {i + 1}/4 张：{n}" for i, (n, _) in enumerate(files)]
    assert seen[-1] == "" and not state.busy
    assert state.added == ["DSCN0010.jpg", "samplefilehub.heif", "Nikon_D70.jpg"]
    assert state.refused == ["cut.jpg：照片文件已损坏或不完整，请重新拍摄"]
    assert state.summary().startswith("已添加 3 张照片（已计算校验值）；1 张未添加：cut.jpg：")
    assert any(w.startswith("DSCN0010.jpg：拍摄时间不在本次调查时间内") for w in state.warnings)
    assert len(batch.editor.evidence_of(Role.SCENE)) == 3


def test_a_second_batch_is_refused_while_one_is_being_checked(batch):
    inside, release = threading.Event(), threading.Event()
    files = [("a.jpg", photo("Canon_40D.jpg")), ("b.jpg", photo("Nikon_D70.jpg"))]

    def slow_notify() -> None:
        if batch.state.current == "b.jpg":
            inside.set()
            release.wait(10)

    batch.subscribe(slow_notify)
    assert batch.begin(Role.SCENE, ["a.jpg", "b.jpg"])
    worker = threading.Thread(target=batch.run, args=(files,))
    worker.start()
    assert inside.wait(10)
    assert batch.state.busy and not batch.begin(Role.SCENE, ["c.jpg"])  # the tap is refused, visibly
    release.set()
    worker.join(10)
    assert not batch.state.busy and batch.begin(Role.SCENE, ["c.jpg"])
