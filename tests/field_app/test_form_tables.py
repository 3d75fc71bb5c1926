"""Form v2 on the tablet, without flet: tables of rows, typed cells, relevance shown live, rail counts."""
from __future__ import annotations

import pytest

from field_app.errors import InputError
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.form_answers import cell_key
from field_app.viewmodels.steps import lacking_by_step
from schemas.records import Role, VisitKind
from tests.field_app.helpers import (
    TEAM,
    case_summary,
    complete_home_visit,
    start_notified,
    strokes,
)


def _income_lacks(editor: VisitEditor) -> int:
    return lacking_by_step(editor.form, editor.missing()).get("section-income", 0)


def test_new_visits_use_form_v2_and_its_tables(editor):
    start_notified(editor)
    assert editor.record.form_version == 2
    assert [c.id for c in editor._field("member_incomes").columns] == [
        "member", "relation", "income_type", "monthly_amount"]


def test_member_income_rows_are_added_filled_checked_and_removed(editor):
    start_notified(editor)
    before = _income_lacks(editor)
    assert editor.add_row("member_incomes") == 0 and editor.add_row("member_incomes") == 1
    # an empty row lacks its required cells: the income step's count grows at once
    assert _income_lacks(editor) == before + 2 * 4
    editor.set_cell("member_incomes", 0, "member", "王建国")
    assert _income_lacks(editor) == before + 2 * 4 - 1
    for index, (name, relation, amount) in enumerate([("王建国", "本人", "2,100"), ("刘秀英", "配偶", "１５００.5")]):
        editor.set_cell("member_incomes", index, "member", name)
        editor.set_cell("member_incomes", index, "relation", relation)
        editor.set_cell("member_incomes", index, "income_type", "工资")
        editor.set_cell("member_incomes", index, "monthly_amount", amount)
    assert _income_lacks(editor) == before
    assert [r["monthly_amount"] for r in editor.rows("member_incomes")] == ["2100.00", "1500.50"]

    with pytest.raises(InputError) as bad:
        editor.set_cell("member_incomes", 1, "monthly_amount", "-3")
    assert bad.value.message == "家庭成员收入 第 2 行「月收入（元）」：金额不能为负数"
    assert editor.errors[cell_key("member_incomes", 1, "monthly_amount")] == bad.value.message
    assert editor.rows("member_incomes")[1]["monthly_amount"] == "1500.50"  # the last good value stays

    editor.remove_row("member_incomes", 0)
    assert [r["member"] for r in editor.rows("member_incomes")] == ["刘秀英"]
    assert not [k for k in editor.errors if k.startswith("member_incomes.")]


def test_a_cell_hidden_by_its_row_is_not_asked_and_its_value_dropped(editor):
    start_notified(editor)
    editor.add_row("member_incomes")
    editor.set_cell("member_incomes", 0, "monthly_amount", "800")
    amount = editor._field("member_incomes").columns[3]
    editor.set_cell("member_incomes", 0, "income_type", "无收入")
    assert not editor.cell_relevant("member_incomes", 0, amount)
    assert "monthly_amount" not in editor.rows("member_incomes")[0]


def test_the_vehicle_count_shows_with_a_vehicle_and_leaves_with_it(editor):
    start_notified(editor)
    assert "vehicle_count" not in {f.id for f in editor.relevant("property")}
    editor.set_answer("has_vehicle", True)
    assert "vehicle_count" in {f.id for f in editor.relevant("property")}
    lacking = lacking_by_step(editor.form, editor.missing())["section-property"]
    with pytest.raises(InputError) as bad:
        editor.set_answer("vehicle_count", "0")
    assert bad.value.message == "机动车数量（辆）：不能小于 1"
    editor.set_answer("vehicle_count", "２")
    assert lacking_by_step(editor.form, editor.missing())["section-property"] == lacking - 1
    editor.set_answer("has_vehicle", False)
    assert "vehicle_count" not in editor.record.answers  # dropped with the question


def test_money_and_date_answers_are_stored_as_exact_text(editor):
    start_notified(editor)
    editor.set_answer("monthly_income_yuan", "¥2,100.5")
    editor.set_answer("moved_in_on", "2015年6月1日")
    assert editor.record.answers["monthly_income_yuan"] == "2100.50"
    assert editor.record.answers["moved_in_on"] == "2015-06-01"
    for typed, message in (("1.234", "不是有效的金额"), ("二千", "不是有效的金额")):
        with pytest.raises(InputError, match=message):
            editor.set_answer("monthly_income_yuan", typed)
    with pytest.raises(InputError, match="不能早于 1900-01-01"):
        editor.set_answer("moved_in_on", "1899-12-31")
    with pytest.raises(InputError, match="不是有效的日期"):
        editor.set_answer("moved_in_on", "2015-02-30")


def test_a_v2_visit_with_tables_seals(editor):
    complete_home_visit(editor)
    editor.add_row("property_items")
    for column, value in (("category", "住房"), ("description", "自有砖混房一套"), ("area_m2", "62.5"),
                          ("value", "150000"), ("acquired_on", "2008-05-01")):
        editor.set_cell("property_items", 0, column, value)
    # the rows changed the record after the respondent signed: the read-back must be signed again (R29)
    assert [m.code for m in editor.missing()] == ["signature.respondent.readback"]
    assert "1. 类别 住房，说明 自有砖混房一套，面积（平方米） 62.5，价值（元） 150000.00元，取得时间 2008-05-01" in \
        dict(editor.readback())["家庭财产"]
    editor.sign(Role.RESPONDENT_SIGNATURE, strokes(9))
    assert editor.missing() == []
    sealed = editor.seal({u: pin for u, _, pin in TEAM})
    assert sealed.record.answers["property_items"][0]["value"] == "150000.00"
    assert sealed.record.form_version == 2


def test_every_saved_answer_tells_the_view_so_the_rail_is_redrawn(editor):
    """The rail's counts follow each keystroke: the view-model notifies on every saved edit."""
    start_notified(editor)
    seen = []
    editor.subscribe(lambda: seen.append(_income_lacks(editor)))
    editor.set_answer("income_sources", "工")
    editor.set_answer("income_sources", "工资")
    editor.set_answer("monthly_income_yuan", "2100")
    assert len(seen) == 3 and seen[0] == seen[1] == seen[2] + 1


def test_a_visit_resumed_from_a_v1_draft_stays_on_v1(editor, store):
    """A draft started before v2 shipped keeps v1 (its rules, not v2's) when resumed."""
    from field_app.store import queries as q
    from schemas.forms import load_form
    from tests.schemas.factories import complete_record

    record = complete_record(load_form("home_visit", 1)).model_copy(update={"case_id": case_summary().id})
    with store.transaction() as s:
        q.save_draft(s, record, record.started_at)
    editor.resume(record.id)
    assert editor.form.version == 1 and editor.record.kind == VisitKind.HOME_VISIT
    editor.set_answer("household_size", "4")
    assert editor.record.answers["household_size"] == 4
