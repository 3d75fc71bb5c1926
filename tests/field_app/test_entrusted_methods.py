"""The tablet offers only the entrusted methods (R23) and shows what the reviewer returned (R11)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from field_app.errors import VisitError
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.cases import checklist_lines, offered_kinds, returned_lines
from schemas.records import VisitKind
from schemas.review import ReturnedItem
from tests.field_app.helpers import cache_case, case_summary


def test_only_the_entrusted_visits_are_offered():
    """R23, §4.1 b: a case entrusted for a home visit only offers no neighbour interview."""
    assert offered_kinds(case_summary(required_checks=[VisitKind.HOME_VISIT])) == [VisitKind.HOME_VISIT]
    assert offered_kinds(case_summary()) == [VisitKind.HOME_VISIT, VisitKind.NEIGHBOUR_INTERVIEW]
    assert offered_kinds(case_summary(required_checks=[])) == []


def test_starting_a_visit_the_unit_did_not_entrust_is_refused(store, evidence, team, clock):
    """R23: even if a screen offered it, the view-model refuses and nothing is saved."""
    case = case_summary(required_checks=[VisitKind.HOME_VISIT])
    cache_case(store, case)
    editor = VisitEditor(store, evidence, team, clock)
    with pytest.raises(VisitError, match="不得扩大核查范围"):
        editor.start(case, VisitKind.NEIGHBOUR_INTERVIEW)
    assert editor.record is None
    assert editor.start(case, VisitKind.HOME_VISIT).kind == VisitKind.HOME_VISIT


def test_returned_items_come_with_the_case_and_read_in_chinese():
    """R11: the reviewer's return and its reason reach the team with the next download."""
    item = ReturnedItem(entry_id=1, target="rec-1", kind=VisitKind.HOME_VISIT, label="入户调查记录",
                        reason="卧室照片模糊", returned_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC), by_name="王芳")
    lines = returned_lines(case_summary(returns=[item]))
    assert len(lines) == 1 and "卧室照片模糊" in lines[0] and "王芳" in lines[0] and "新的入户调查记录" in lines[0]
    assert returned_lines(case_summary()) == []


def test_the_tablet_shows_the_servers_checklist_lines():
    """The same checklist rules as the console (schemas/checklist.py), from the last download."""
    from schemas.checklist import case_completeness
    from schemas.forms import form_for
    from tests.schemas.factories import complete_record
    refused = complete_record(form_for(VisitKind.HOME_VISIT))
    refused.outcome = refused.outcome.REFUSED
    checklist = case_completeness(authorization=True, entrustment=True, required_checks=["home_visit"],
                                  records=[refused])
    lines = checklist_lines(case_summary(checklist=checklist))
    assert lines[0] == (False, "核查清单：拒绝入户 — 退回委托单位")
    assert lines[-1][0] is True and "应退回委托单位" in lines[-1][1]
