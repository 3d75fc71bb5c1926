"""The case list on the tablet when the server cannot be reached (offline-first, R1, R3)."""
from __future__ import annotations

from datetime import date

from field_app.viewmodels import CaseList, VisitEditor
from field_app.viewmodels.cases import NOT_RELEASED
from schemas.records import VisitKind
from tests.field_app.helpers import cache_case, case_summary


def test_offline_the_cached_cases_stay_sorted_by_deadline_with_a_notice(store, offline_client, team, clock):
    cache_case(store, case_summary("case-late", deadline=date(2026, 12, 18)))
    cache_case(store, case_summary("case-soon", deadline=date(2026, 11, 27)))
    cases = CaseList(store, offline_client, team, clock)
    cases.refresh()
    assert [c.id for c in cases.cases] == ["case-soon", "case-late"]
    assert cases.offline is True and "离线" in cases.notice  # no token: signed in offline


def test_blockers_name_the_missing_authorization_and_entrustment_r1(store, offline_client, team, clock):
    cases = CaseList(store, offline_client, team, clock)
    assert cases.blockers(case_summary()) == []
    blocked = cases.blockers(case_summary(authorization_recorded=False, entrustment_recorded=False))
    assert len(blocked) == 2 and "授权书" in blocked[0] and "委托书" in blocked[1]


def test_a_case_not_released_by_the_conformity_review_is_blocked_r1_r26(store, offline_client, team, clock):
    cases = CaseList(store, offline_client, team, clock)
    assert cases.blockers(case_summary(released=False)) == [NOT_RELEASED]


def test_visits_lists_drafts_and_sealed_records_of_a_case(store, evidence, offline_client, team, clock):
    cache_case(store, case_summary())
    editor = VisitEditor(store, evidence, team, clock)
    draft = editor.start(case_summary(), VisitKind.NEIGHBOUR_INTERVIEW)
    cases = CaseList(store, offline_client, team, clock)
    [visit] = cases.visits("case-1")
    assert (visit.record_id, visit.state, visit.kind) == (draft.id, "draft", VisitKind.NEIGHBOUR_INTERVIEW)
    assert cases.visits("case-2") == []
