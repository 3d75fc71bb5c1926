"""View-models are shared by every browser session of a tablet: each session subscribes its own listener,
and one session leaving (or drawing its screen again) does not take another session's listener away."""
from __future__ import annotations

import pytest

from field_app.viewmodels import VisitEditor
from field_app.viewmodels.base import Observable
from schemas.records import VisitKind
from tests.field_app.helpers import case_summary


def test_every_session_hears_an_edit_until_it_unsubscribes(editor: VisitEditor):
    heard: list[str] = []
    first_tab = editor.subscribe(lambda: heard.append("first tab"))
    editor.subscribe(lambda: heard.append("second tab"))
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    assert heard == ["first tab", "second tab"]
    first_tab()
    first_tab()  # unsubscribing twice is harmless
    editor.set_refusal_note("家中无人应门")
    assert heard == ["first tab", "second tab", "second tab"]


def test_a_listener_added_while_a_change_is_told_hears_the_next_change():
    model = Observable()
    heard: list[str] = []

    def adds() -> None:
        heard.append("adds")
        model.subscribe(lambda: heard.append("late"))

    stop = model.subscribe(adds)
    model._notify()
    stop()
    model._notify()
    assert heard == ["adds", "late"]


def test_the_old_single_slot_fails_loudly(editor: VisitEditor):
    """Code still written for the single `changed` slot would quietly hear nothing: it is refused instead."""
    with pytest.raises(AttributeError, match="subscribe"):
        editor.changed = lambda: None
