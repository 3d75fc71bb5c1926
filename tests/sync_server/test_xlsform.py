"""XLSForm workbooks become the product's forms faithfully, or are refused with every problem named."""
from __future__ import annotations

import io
import zipfile

import pytest

from schemas.forms import Form, form_for
from schemas.forms.conditions import Condition, holds
from schemas.forms.rules import answer_problems, relevant_fields, value_problem
from schemas.records import VisitKind
from scripts.xlsform_neighbour_v2 import workbook_bytes
from sync_server.forms.diff import form_changes
from sync_server.forms.xlsform import XLSFormError, read_xlsform
from tests.sync_server.xlsform_books import V2_ANSWERS, neighbour_v2, with_rows

V1 = form_for(VisitKind.NEIGHBOUR_INTERVIEW, 1)


def imported() -> Form:
    return read_xlsform(neighbour_v2(), V1, 2).form


def fields(form: Form) -> dict:
    return {f.id: f for f in form.fields()}


def test_every_xlsform_type_maps_to_the_form_type_the_tablet_asks():
    got = fields(imported())
    assert {k: v.type for k, v in got.items()} == {
        "acquaintance": "text", "known_years": "integer", "contact_frequency": "choice", "family_basic": "longtext",
        "income_sources": "choices", "other_income_source": "text", "monthly_income_estimate": "number",
        "has_vehicle": "yesno", "vehicles": "table", "family_property": "longtext", "family_spending": "longtext",
        "family_daily_life": "longtext", "last_seen_on": "date"}
    assert got["income_sources"].options == ["务工", "务农", "经营", "退休金", "亲属资助", "其他"]
    assert [(c.id, c.type, c.required) for c in got["vehicles"].columns] == [
        ("vehicle_kind", "choice", True), ("vehicle_bought_on", "date", False)]
    assert got["acquaintance"].required and not got["last_seen_on"].required


def test_the_frame_of_the_visit_is_kept_from_the_current_version():
    form = imported()
    assert (form.id, form.version, form.kind) == ("neighbour_interview", 2, VisitKind.NEIGHBOUR_INTERVIEW)
    assert form.notification == V1.notification and form.evidence == V1.evidence
    assert form.respondent_label == V1.respondent_label and form.checked_answers
    assert [s.title for s in form.sections] == ["受访人情况", "家庭情况"]


def test_constraints_become_bounds_lengths_and_dates():
    got = fields(imported())
    assert (got["known_years"].min, got["known_years"].max) == (0, 100)
    assert got["acquaintance"].max_length == 100
    assert got["last_seen_on"].min == "2000-01-01"
    assert value_problem(got["known_years"], 101) is not None and value_problem(got["known_years"], 12) is None
    assert value_problem(got["monthly_income_estimate"], -1.0) is not None


def test_relevant_becomes_a_condition_over_labels_and_yes_no():
    got = fields(imported())
    assert got["other_income_source"].relevant == Condition(field="income_sources", op="has", value="其他")
    assert got["vehicles"].relevant == Condition(field="has_vehicle", op="eq", value=True)
    form = imported()
    asked = {f.id for f in relevant_fields(form, {"income_sources": ["务工"], "has_vehicle": False})}
    assert "other_income_source" not in asked and "vehicles" not in asked
    asked = {f.id for f in relevant_fields(form, V2_ANSWERS)}
    assert {"other_income_source", "vehicles"} <= asked
    assert answer_problems(form, V2_ANSWERS) == []


@pytest.mark.parametrize(("expression", "answers", "expected"), [
    ("${a} = 'x' and ${b} > 3", {"a": "X", "b": 4}, True),
    ("${a} = 'x' and ${b} > 3", {"a": "X", "b": 3}, False),
    ("(${a} = 'y' or ${b} <= 3)", {"a": "X", "b": 3}, True),
    ("${a} != ''", {"a": "X"}, True),
    ("${a} = ''", {}, True),
    ("3 < ${b}", {"b": 4}, True),
])
def test_relevant_expressions_keep_their_logic(expression, answers, expected):
    book = with_rows(("select_one pair", "a", "甲"), ("integer", "b", "乙"), ("text", "c", "丙", "", "", "", expression),
                     choices=[("list_name", "name", "label"), ("pair", "x", "X"), ("pair", "y", "Y")])
    condition = fields(read_xlsform(book, V1, 2).form)["c"].relevant
    assert condition is not None and holds(condition, answers) is expected


@pytest.mark.parametrize(("row", "said"), [
    (("image", "photo", "照片"), "证据步骤"),
    (("geopoint", "where", "位置"), "证据步骤"),
    (("calculate", "total", "合计"), "不支持的题型"),
    (("text", "Bad-Name", "名"), "name 须以小写字母开头"),
    (("select_one nolist", "q", "题"), "没有选项列表“nolist”"),
    (("integer", "q", "题", "", "", ". > 1 or . < 0"), "约束无法导入"),
    (("integer", "q", "题", "", "", "today() > ."), "约束无法导入"),
    (("text", "q", "题", "", "", "", "${missing} = 'x'"), "不存在或在本题之后"),
    (("text", "q", "题", "", "", "", "count(${q}) > 1"), "relevant 无法导入"),
    (("decimal", "q", "题", "", "", ". > 0"), "小数的约束请用 >= 或 <="),
])
def test_what_cannot_be_carried_over_is_refused_by_row(row, said):
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(with_rows(("text", "ok", "好"), row), V1, 2)
    assert any(said in p and "第 3 行" in p for p in refused.value.problems), refused.value.problems


def test_every_problem_is_reported_at_once():
    book = with_rows(("begin group", "g", "组"), ("begin group", "h", "内组"), ("image", "p", "照片"),
                     ("begin repeat", "r", "表"), ("select_multiple income_source", "m", "多选"), ("end repeat",),
                     ("end group",), ("text", "ok", "好"), ("text", "ok", "重复"))
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(book, V1, 2)
    text = "\n".join(refused.value.problems)
    for said in ("嵌套的分组", "证据步骤", "不支持多选题", "“ok”重复"):
        assert said in text


def test_a_workbook_for_another_form_or_not_a_workbook_is_refused():
    other = with_rows(("text", "q", "题"), settings=[("form_id",), ("home_visit",)])
    with pytest.raises(XLSFormError, match="form_id 为 home_visit"):
        read_xlsform(other, V1, 2)
    with pytest.raises(XLSFormError, match="不是有效的 Excel"):
        read_xlsform(b"<html>not a workbook</html>", V1, 2)
    with pytest.raises(XLSFormError, match="缺少 survey 表"):
        read_xlsform(workbook_bytes(None), V1, 2)


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert len(packed.getvalue()) < 200_000
    with pytest.raises(XLSFormError, match="解压后过大"):
        read_xlsform(packed.getvalue(), V1, 2)


def test_the_changes_from_the_current_version_name_each_question():
    changes = form_changes(V1, imported())
    said = {(c.kind, c.where.split(" · ")[-1]) for c in changes}
    assert ("added", "主要收入来源") in said and ("added", "车辆情况") in said
    assert ("removed", "收入情况") in said
    assert ("changed", "与核查对象家庭的关系") in said
    assert form_changes(V1, V1) == []
