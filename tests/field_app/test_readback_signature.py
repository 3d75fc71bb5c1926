"""The respondent reads the record back before signing (R29), signatures keep their raw strokes,
trivial ones are refused, and byte-identical signature images are flagged (R11, R16)."""
from __future__ import annotations

import json

import pytest

from field_app.errors import SignatureRejected
from schemas.evidence_checks import DUPLICATE_SIGNATURE, duplicate_signatures
from schemas.readback import readback_digest
from schemas.records import EvidenceKind, Role
from tests.field_app.helpers import (
    complete_home_visit,
    photo,
    start_notified,
    strokes,
)


def test_the_read_back_shows_answers_under_their_labels_and_evidence_counts_r29(editor):
    complete_home_visit(editor)
    lines = dict(editor.readback())
    assert lines["调查对象"] == "王建国（本人）"
    assert lines["住房面积（平方米）"] == "3" and lines["已查看户口簿"] == "是"
    assert lines["照片"] == "1 张" and lines["录音"] == "0 段" and lines["录像"] == "0 段"
    assert editor.record.readback_digest == readback_digest(editor.form, editor.record)


def test_a_change_after_the_respondent_signed_asks_for_a_new_signature_r29(editor):
    complete_home_visit(editor)
    assert editor.missing() == []
    editor.set_answer("monthly_income_yuan", "2400")  # the record no longer says what was signed
    assert [m.code for m in editor.missing()] == ["signature.respondent.readback"]
    editor.sign(Role.RESPONDENT_SIGNATURE, strokes(7))
    assert editor.missing() == []
    editor.add_photo(photo("Nikon_D70.jpg"), "more.jpg")  # one more photo: the count they read changed
    assert [m.code for m in editor.missing()] == ["signature.respondent.readback"]


def test_a_signature_keeps_its_raw_strokes_with_time_beside_the_png(editor, evidence):
    start_notified(editor)
    timed = [[(i * 0.02, 40 + i * 10, 120 + (i % 5) * 8) for i in range(30)], [(0.9, 100, 40), (1.0, 130, 200)]]
    ref = editor.sign(Role.SURVEYOR_SIGNATURE, timed, surveyor="zhangwei")
    raw = next(e for e in editor.record.evidence if e.sha256 == ref.strokes_sha256)
    assert raw.role == Role.SIGNATURE_STROKES and raw.kind == EvidenceKind.DOCUMENT
    body = json.loads(evidence.read(raw.sha256))
    assert body["width"] == 600 and body["strokes"][0][1] == [0.02, 50.0, 128.0]
    again = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(2), surveyor="zhangwei")  # replaces both files
    assert {e.sha256 for e in editor.record.evidence} == {again.sha256, again.strokes_sha256}
    editor.remove_evidence(again.sha256)
    assert editor.record.evidence == []


@pytest.mark.parametrize("scribble", [
    [[(50 + i * 10, 100) for i in range(40)]],  # one straight line
    [[(50 + i * 10, 100 + (i % 2)) for i in range(40)]],  # a line with a tremor
])
def test_a_straight_line_is_not_a_signature(editor, scribble):
    start_notified(editor)
    with pytest.raises(SignatureRejected, match="过少"):
        editor.sign(Role.RESPONDENT_SIGNATURE, scribble)


def test_the_same_signature_image_twice_is_flagged_for_the_reviewer(editor):
    start_notified(editor)
    first = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="zhangwei")
    copy = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="lina")
    assert first.flags == [] and copy.flags == [DUPLICATE_SIGNATURE]
    assert duplicate_signatures([editor.record]) == {first.sha256: [(editor.record.id, "zhangwei"),
                                                                   (editor.record.id, "lina")]}
