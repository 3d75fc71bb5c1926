"""The tablet receives only what the visit needs (R21): masked ID numbers over the API, unless a
form of the case needs the full number; the reviewer console keeps its own (masked) display."""
from __future__ import annotations

import pytest
from sqlmodel import select

from schemas.device_view import for_device, needs_full_id_numbers
from schemas.forms import form_for
from schemas.masking import masked_id_number
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Subject as SubjectRow
from tests.field_app.helpers import case_summary
from tests.sync_server.helpers import FieldTeam

pytestmark = pytest.mark.both_databases


def test_masked_id_numbers_keep_four_characters_at_each_end():
    assert masked_id_number("50011219500101123X") == "500112********123X"
    assert masked_id_number("12345678") == "********" and masked_id_number("") == ""


def test_a_surveyor_gets_the_familys_id_numbers_masked_from_list_and_case_r21(team: FieldTeam, app):
    with app.state.services.session() as session:
        full = {s.id: s.id_number for s in session.exec(select(SubjectRow).where(SubjectRow.case_id == DEMO_CASE_ID))}
    assert full and all(len(n) == 18 for n in full.values())
    listed = team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()
    detail = team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=team.headers["zhangwei"]).json()
    for subjects in (listed[0]["subjects"], detail["case"]["subjects"]):
        for s in subjects:
            assert s["id_number"] == masked_id_number(full[s["id"]]) != full[s["id"]]
    for number in full.values():
        assert number not in str(listed) and number[4:14] not in str(listed) + str(detail)


def test_no_form_today_needs_the_full_number_and_one_that_did_would_get_it(monkeypatch):
    case = case_summary()
    assert not needs_full_id_numbers(case)
    assert for_device(case).subjects[0].id_number == "500112********0011"
    form = form_for(case.required_checks[0])
    monkeypatch.setattr(form, "needs_full_id_numbers", True)
    assert for_device(case).subjects[0].id_number == "500112195001010011"
