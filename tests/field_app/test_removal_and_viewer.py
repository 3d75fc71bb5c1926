"""移除 with 撤销, and the full-screen photo viewer: view-models only, a real store and real photos."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from field_app.errors import VisitError
from field_app.viewmodels.photo_viewer import PhotoViewer
from field_app.viewmodels.removal import TOO_LATE, EvidenceRemoval
from schemas.audit_events import AuditAction
from schemas.records import Role
from tests.field_app.helpers import Ticks, complete_home_visit, photo


@pytest.fixture
def editor(editor):
    """With a complete home visit open."""
    complete_home_visit(editor)
    return editor


def _actions(editor, sha: str) -> list[AuditAction]:
    return [e.action for e in editor.record.audit if e.subject == sha]


def test_undo_in_the_window_restores_the_photo_with_its_metadata_and_the_trail_says_so(editor, evidence, clock):
    ticks = Ticks()
    removal = EvidenceRemoval(editor, window_s=8, monotonic=ticks)
    extra = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg", caption="门牌")
    before = editor.record.evidence_with(Role.SCENE)

    clock.advance(minutes=1)
    removal.remove(extra.sha256)
    assert extra.sha256 not in {e.sha256 for e in editor.record.evidence}  # hidden at once
    assert evidence.has(extra.sha256)  # bytes kept for the undo
    ticks.t += 7.9
    clock.advance(minutes=1)
    restored = removal.undo()

    assert restored == [extra] and editor.record.evidence_with(Role.SCENE) == before
    assert _actions(editor, extra.sha256) == [AuditAction.EVIDENCE_ADDED, AuditAction.EVIDENCE_REMOVED,
                                              AuditAction.EVIDENCE_RESTORED]
    assert removal.pending is None and removal.settle(force=True) == [] and evidence.has(extra.sha256)


def test_the_file_is_shredded_only_when_the_window_passes(editor, evidence):
    ticks = Ticks()
    removal = EvidenceRemoval(editor, window_s=8, monotonic=ticks)
    extra = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    removal.remove(extra.sha256)

    ticks.t += 7
    assert removal.settle() == [] and evidence.has(extra.sha256)
    ticks.t += 1
    assert removal.settle() == [extra.sha256]
    assert not evidence.has(extra.sha256) and removal.pending is None
    with pytest.raises(VisitError, match=TOO_LATE):
        removal.undo()
    assert _actions(editor, extra.sha256)[-1] == AuditAction.EVIDENCE_REMOVED


def test_undo_after_the_window_is_refused_and_shreds(editor, evidence):
    ticks = Ticks()
    removal = EvidenceRemoval(editor, window_s=8, monotonic=ticks)
    extra = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    removal.remove(extra.sha256)
    ticks.t += 8
    with pytest.raises(VisitError, match=TOO_LATE):
        removal.undo()
    assert not evidence.has(extra.sha256)
    assert extra.sha256 not in {e.sha256 for e in editor.record.evidence}


def test_a_second_removal_or_leaving_the_step_settles_the_first(editor, evidence):
    removal = EvidenceRemoval(editor, window_s=8, monotonic=Ticks())
    first = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    second = editor.add_photo(photo("gps/DSCN0021.jpg"), "DSCN0021.jpg")
    removal.remove(first.sha256)
    removal.remove(second.sha256)  # one undo at a time: the first is final now
    assert not evidence.has(first.sha256) and evidence.has(second.sha256)
    assert removal.settle(force=True) == [second.sha256]  # the step was left
    assert not evidence.has(second.sha256)


def test_a_file_another_role_still_uses_is_not_shredded(editor, evidence):
    removal = EvidenceRemoval(editor, window_s=8, monotonic=Ticks())
    data = photo("gps/DSCN0012.jpg")
    scene = editor.add_photo(data, "a.jpg", role=Role.SCENE)
    editor.add_photo(data, "a.jpg", role=Role.CANNOT_SIGN_PROOF)  # same bytes, two roles: one file
    removal.remove(scene.sha256)  # a removal takes the file out of the record, in both roles
    assert removal.undo() and len([e for e in editor.record.evidence if e.sha256 == scene.sha256]) == 2
    editor.add_photo(data, "a.jpg", role=Role.SCENE)
    assert removal.settle(force=True) == [] and evidence.has(scene.sha256)


def test_the_viewer_shows_an_upright_display_copy_and_moves_between_photos(editor):
    second = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    first = editor.evidence_of(Role.SCENE)[0]
    viewer = PhotoViewer(editor, side=320)
    viewer.open(second.sha256, Role.SCENE)

    info = viewer.info()
    assert info.title.endswith("2 / 2") and info.origin == "导入" and "照片自带" in info.shot
    image = Image.open(io.BytesIO(viewer.image()))
    assert image.format == "JPEG" and max(image.size) == 320
    viewer.key("Arrow Right")  # wraps to the first
    assert viewer.sha == first.sha256 and viewer.info().title.endswith("1 / 2")
    viewer.swipe(30.0)  # too short: not a swipe
    assert viewer.sha == first.sha256
    viewer.swipe(300.0)  # left to right: the previous one (wrapping)
    assert viewer.sha == second.sha256
    viewer.key("Escape")
    assert not viewer.is_open


def test_the_viewer_closes_when_its_photo_left_the_record(editor):
    extra = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    viewer = PhotoViewer(editor)
    viewer.open(extra.sha256, Role.SCENE)
    editor.remove_evidence(extra.sha256)
    viewer.step(1)
    assert not viewer.is_open
    with pytest.raises(VisitError):
        viewer.open(extra.sha256, Role.SCENE)


def test_previews_are_upright_pngs_in_a_bounded_cache(evidence):
    from field_app.viewmodels.previews import Previews

    shas = [evidence.put_bytes(photo(f"gps/{name}"))[0] for name in ("DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg")]
    previews = Previews(evidence, limit=2)
    first = previews.thumbnail(shas[0], 100)
    assert Image.open(io.BytesIO(first)).format == "PNG" and max(Image.open(io.BytesIO(first)).size) == 100
    assert previews.thumbnail(shas[0], 100) is first  # cached
    previews.thumbnail(shas[1], 100)
    previews.thumbnail(shas[2], 100)  # the least recently used (the first) leaves
    assert previews.thumbnail(shas[0], 100) is not first
