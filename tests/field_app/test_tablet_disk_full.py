"""A tablet whose storage is full: each change is refused with a Chinese message and nothing saved
before is lost (R10 evidence, R11 sealing). The disk is a REAL 2 MiB tmpfs filled to ENOSPC."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from field_app.errors import StorageFull
from field_app.store import queries as q
from schemas.records import Role
from tests.disk import TinyDisk, tiny_disk
from tests.field_app.helpers import (
    TEAM,
    complete_home_visit,
    photo,
    start_notified,
    strokes,
)

PINS = {u: pin for u, _, pin in TEAM}
SECOND = "gps/DSCN0012.jpg"


@pytest.fixture
def disk(tmp_path) -> Iterator[TinyDisk]:
    with tiny_disk(tmp_path / "tablet") as mounted:
        yield mounted


@pytest.fixture
def data_dir(disk: TinyDisk):
    """The tablet's whole data dir (SQLite and evidence) on the tiny real filesystem."""
    return disk.root


def _saved(store, record_id: str):
    with store.reading() as s:
        return q.load_draft(s, record_id), [q.sealed_record(i) for i in q.outbox_items(s)]


def _temporary_files(data_dir) -> list:
    return [p for p in (data_dir / "evidence").rglob(".tmp-*")]


def test_a_photo_on_a_full_tablet_is_refused_and_the_draft_is_unchanged_r10(editor, store, evidence, disk):
    complete_home_visit(editor)
    before_memory, before_saved = editor.record, _saved(store, editor.record.id)
    files_before = evidence.stored()
    disk.fill()

    with pytest.raises(StorageFull) as full:
        editor.add_photo(photo(SECOND), "DSCN0012.jpg")
    assert full.value.message == "平板存储空间不足，照片未保存。请清理空间后重试，已填写的内容不受影响"
    assert editor.record == before_memory and _saved(store, editor.record.id) == before_saved
    assert evidence.stored() == files_before and _temporary_files(disk.root) == []

    disk.free()  # the surveyor clears space and tries again
    ref = editor.add_photo(photo(SECOND), "DSCN0012.jpg")
    assert evidence.verify(ref.sha256) and len(_saved(store, editor.record.id)[0].evidence) == 8  # 2 photos, 3 signatures and their strokes


def test_a_photo_whose_file_fits_but_whose_draft_does_not_is_refused_whole(editor, store, evidence, disk):
    start_notified(editor)
    before = _saved(store, editor.record.id)
    data = photo(SECOND)
    disk.leave(len(data))  # room for the file, none for the database's write-ahead log

    with pytest.raises(StorageFull) as full:
        editor.add_photo(data, "DSCN0012.jpg")
    assert "照片未保存" in full.value.message
    assert _saved(store, editor.record.id) == before and editor.record.evidence == []
    sha = hashlib.sha256(data).hexdigest()
    assert evidence.verify(sha) and _temporary_files(disk.root) == []  # whole, unreferenced: prunable


def test_an_answer_on_a_full_tablet_is_refused_and_the_saved_draft_stays(editor, store, disk):
    start_notified(editor)
    editor.set_refusal_note("第一次填写")
    before_memory, before_saved = editor.record, _saved(store, editor.record.id)
    disk.fill()

    with pytest.raises(StorageFull) as full:
        editor.set_refusal_note("第二次填写" * 300)
    assert full.value.message.startswith("平板存储空间不足，修改未保存")
    assert editor.record == before_memory and _saved(store, editor.record.id) == before_saved

    disk.free()
    editor.set_refusal_note("第二次填写")
    assert _saved(store, editor.record.id)[0].refusal_note == "第二次填写"


def test_a_signature_on_a_full_tablet_is_refused_and_the_previous_one_stays_r11(editor, store, evidence, disk):
    complete_home_visit(editor)
    before = _saved(store, editor.record.id)
    disk.fill()
    with pytest.raises(StorageFull) as full:
        editor.sign(Role.RESPONDENT_SIGNATURE, strokes(9))
    assert "签名未保存" in full.value.message
    assert _saved(store, editor.record.id) == before and _temporary_files(disk.root) == []


def test_sealing_on_a_full_tablet_queues_nothing_and_keeps_the_draft_then_seals_r11(editor, store, disk):
    complete_home_visit(editor)
    record_id, before_memory = editor.record.id, editor.record
    draft_before, outbox_before = _saved(store, record_id)
    assert draft_before is not None and outbox_before == []
    disk.fill()

    with pytest.raises(StorageFull) as full:
        editor.seal(PINS)
    assert full.value.message == "平板存储空间不足，记录未封存。请清理空间后重试，已填写的内容不受影响"
    assert _saved(store, record_id) == (draft_before, [])  # no outbox row, draft untouched: no half state
    assert editor.record == before_memory

    disk.free()
    sealed = editor.seal(PINS)
    assert _saved(store, record_id) == (None, [sealed])
