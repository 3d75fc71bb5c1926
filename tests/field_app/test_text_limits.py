"""Issue 5 §4 on the tablet: text over the wire limits (schemas/text.py) is refused with a Chinese message
while typing, and nothing is saved, so a record the server would refuse is never sealed."""
from __future__ import annotations

import pytest

from field_app.errors import VisitError
from field_app.store import queries as q
from field_app.viewmodels import VisitEditor
from schemas.records import VisitKind
from schemas.text import NAME, TEXT
from tests.field_app.helpers import case_summary


@pytest.fixture
def editor(editor: VisitEditor) -> VisitEditor:
    """With a home visit open."""
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    return editor


def _saved(store, record_id: str):
    with store.reading() as s:
        return next(d for d in q.drafts(s) if d.id == record_id)


def test_a_respondent_name_over_the_limit_is_refused_in_chinese_and_not_saved(editor: VisitEditor, store):
    editor.set_respondent("王建国", "户主")
    with pytest.raises(VisitError) as refused:
        editor.set_respondent("王" * (NAME + 1), "户主")
    assert refused.value.message == f"内容过长，最多 {NAME} 个字，未保存"
    assert editor.record.respondent.name == _saved(store, editor.record.id).respondent.name == "王建国"
    editor.set_respondent("王" * NAME, "户主")  # at the limit: kept
    assert _saved(store, editor.record.id).respondent.name == "王" * NAME


def test_a_note_with_a_nul_character_or_too_long_is_refused(editor: VisitEditor):
    for bad, message in (("门口\x00拒绝", "内容含有不允许的字符，未保存"),
                         ("拒" * (TEXT + 1), f"内容过长，最多 {TEXT} 个字，未保存")):
        with pytest.raises(VisitError) as refused:
            editor.set_refusal_note(bad)
        assert refused.value.message == message
    assert editor.record.refusal_note == ""
