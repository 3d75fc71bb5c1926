"""Starting a visit is idempotent per case and method: 开始 tapped twice (or the team back on the case)
resumes the open draft instead of making a second record; a case not released starts nothing (R1)."""
from __future__ import annotations

import threading

import pytest

from field_app.errors import VisitError
from field_app.store import queries as q
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.cases import NOT_RELEASED
from schemas.records import VisitKind
from tests.field_app.helpers import cache_case, case_summary


def _drafts(store, case_id: str = "case-1"):
    with store.reading() as s:
        return q.drafts(s, case_id)


def test_starting_the_same_visit_again_resumes_its_draft(editor, store, evidence, team, clock):
    first = editor.start(case_summary(), VisitKind.HOME_VISIT)
    editor.set_respondent("王建国", "本人", "s-1")
    clock.advance(minutes=3)
    again = editor.start(case_summary(), VisitKind.HOME_VISIT)  # the same editor: a second tap
    assert again.id == first.id and again.respondent.name == "王建国"
    back = VisitEditor(store, evidence, team, clock)  # after a restart, or from another screen
    assert back.start(case_summary(), VisitKind.HOME_VISIT).id == first.id
    assert back.record is not None and back.record.respondent.name == "王建国" and back.case is not None
    assert [d.id for d in _drafts(store)] == [first.id]


def test_another_method_or_another_case_is_a_new_record(editor, store):
    cache_case(store, case_summary("case-2"))
    home = editor.start(case_summary(), VisitKind.HOME_VISIT)
    neighbour = editor.start(case_summary(), VisitKind.NEIGHBOUR_INTERVIEW)
    other = editor.start(case_summary("case-2"), VisitKind.HOME_VISIT)
    assert len({home.id, neighbour.id, other.id}) == 3
    assert len(_drafts(store)) == 2 and len(_drafts(store, "case-2")) == 1


def test_a_sealed_visit_does_not_block_the_next_one(editor, store, team):
    """A second neighbour interview (another neighbour) starts once the first is sealed."""
    from tests.field_app.helpers import TEAM, complete_home_visit

    complete_home_visit(editor)
    sealed = editor.seal({u: pin for u, _, pin in TEAM})
    nxt = editor.start(case_summary(), VisitKind.HOME_VISIT)
    assert nxt.id != sealed.record.id and [d.id for d in _drafts(store)] == [nxt.id]


def test_two_taps_at_once_make_one_draft(store, evidence, team, clock):
    cache_case(store, case_summary())
    editor = VisitEditor(store, evidence, team, clock)
    ids: list[str] = []
    threads = [threading.Thread(target=lambda: ids.append(editor.start(case_summary(), VisitKind.HOME_VISIT).id))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 2 and ids[0] == ids[1] and len(_drafts(store)) == 1


def test_a_case_not_released_starts_no_visit_r1(editor, store):
    with pytest.raises(VisitError, match=NOT_RELEASED):
        editor.start(case_summary(released=False), VisitKind.HOME_VISIT)
    assert _drafts(store) == [] and editor.record is None
