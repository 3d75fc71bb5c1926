"""Form v2 rules (issue 7, forms): typed fields, tables, relevance, one check for the tablet and the server.

Property tests (hypothesis) over the published home visit v2: the evaluator never raises on any answers,
hidden questions are never required and their answers change nothing, a valid answer set passes both the
tablet's parsing and the server's completeness check, and money round-trips exactly (R9)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from field_app.viewmodels.answers import parse_answer
from schemas.completeness import missing_items
from schemas.forms import Field, Form, load_form
from schemas.forms.conditions import Condition, holds
from schemas.forms.rules import (
    answer_problems,
    answer_text,
    money_text,
    parse_date,
    parse_money,
    relevant_fields,
    visible_answers,
)
from schemas.records import SurveyRecord
from tests.schemas.factories import complete_record

V2 = load_form("home_visit", 2)
FIELD_IDS = [f.id for f in V2.fields()] + ["unknown", "income_type", "category"]
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(["是", "否", "1200.50", "2024-03-01", "住房", "无收入", "-1", "0.00"]))
cells = st.dictionaries(st.sampled_from(["member", "relation", "income_type", "monthly_amount", "category",
                                         "description", "area_m2", "value", "acquired_on", "x"]), scalars, max_size=6)
answer_values = st.one_of(scalars, st.lists(st.one_of(cells, scalars), max_size=4))
any_answers = st.dictionaries(st.sampled_from(FIELD_IDS), answer_values, max_size=12)
ops = st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le", "in", "answered", "not_answered"])
leaves = st.builds(Condition, field=st.sampled_from(FIELD_IDS), op=ops,
                   value=st.one_of(scalars,
                                   st.lists(st.sampled_from(["是", 1, True, "住房"]), max_size=3)))
conditions = st.recursive(leaves, lambda inner: st.one_of(st.builds(Condition, all=st.lists(inner, max_size=3)),
                                                          st.builds(Condition, any=st.lists(inner, max_size=3))),
                          max_leaves=8)


@PROPERTY
@given(conditions, any_answers)
def test_the_evaluator_never_raises_on_any_answers(condition, answers):
    assert holds(condition, answers) in (True, False)


@PROPERTY
@given(any_answers)
def test_the_rule_check_never_raises_and_names_every_problem_in_chinese(answers):
    problems = answer_problems(V2, answers)
    for problem in problems:
        assert problem.code.startswith(f"answer.{problem.field}")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)
    for field in V2.fields():
        answer_text(field, answers.get(field.id))


@PROPERTY
@given(any_answers)
def test_hidden_questions_are_never_required_and_their_answers_change_nothing(answers):
    record = complete_record(V2).model_copy(update={"answers": {}})
    try:
        record = SurveyRecord.model_validate({**record.model_dump(), "answers": answers})
    except ValueError:
        return  # not a shape the wire accepts: refused before any rule runs
    shown = visible_answers(V2, record.answers)
    asked = {f.id for f in relevant_fields(V2, record.answers)}
    codes = [m.code for m in missing_items(V2, record)]
    hidden = {f.id for f in V2.fields()} - asked
    assert not [c for c in codes if c.startswith("answer.") and c.split(".")[1] in hidden]
    assert visible_answers(V2, shown) == shown  # dropping hidden answers is done in one go
    cleaned = record.model_copy(update={"answers": shown})
    assert [m.code for m in missing_items(V2, cleaned)] == codes


def _valid(field: Field) -> st.SearchStrategy:
    """Answers that keep the field's rules, as the surveyor would type them (text) and as stored."""
    numeric = field.type in ("money", "integer", "number")
    low = Decimal(str(field.min)) if numeric and field.min is not None else Decimal(0)
    high = Decimal(str(field.max)) if numeric and field.max is not None else Decimal(10**6)
    if field.type == "money":
        return st.decimals(low, min(high, Decimal(10**9)), places=2).map(money_text)
    if field.type == "integer":
        return st.integers(int(low), int(high))
    if field.type == "number":
        return st.integers(int(low), int(min(high, 10**6)))
    if field.type == "date":
        return st.dates().filter(lambda d: 1900 <= d.year <= 2100).map(lambda d: d.isoformat())
    if field.type == "choice":
        return st.sampled_from(field.options)
    if field.type == "yesno":
        return st.booleans()
    if field.type == "table":
        row = st.fixed_dictionaries({c.id: _valid(c) for c in field.columns})
        return st.lists(row, max_size=3)
    return st.text(alphabet="家庭情况属实收入0123456789", min_size=1, max_size=20)


valid_answers = st.fixed_dictionaries({f.id: _valid(f) for f in V2.fields()})


def _typed(field: Field, value: object) -> object:
    """What the surveyor types for a stored value (choices and yes/no are tapped, not typed)."""
    return value if isinstance(value, bool) or field.type == "choice" else str(value)


@PROPERTY
@given(valid_answers)
def test_a_valid_answer_set_passes_the_tablet_and_the_server_alike(answers):
    shown = visible_answers(V2, answers)
    # the tablet: every typed answer parses to the stored value and breaks no rule
    for field in relevant_fields(V2, shown):
        if field.type == "table":
            for row in shown[field.id]:
                for column in field.columns:
                    if column.id in row:
                        assert parse_answer(column, _typed(column, row[column.id])) == row[column.id]
        else:
            assert parse_answer(field, _typed(field, shown[field.id])) == shown[field.id]
    # the server: the record as it travels (JSON) lacks nothing and breaks no rule
    record = complete_record(V2).model_copy(update={"answers": shown})
    wire = SurveyRecord.model_validate_json(record.model_dump_json())
    assert wire.answers == shown
    assert answer_problems(V2, wire.answers) == []
    assert missing_items(V2, wire) == []


@PROPERTY
@given(st.decimals(Decimal(0), Decimal("999999999999.99"), places=2))
def test_money_round_trips_exactly_as_text_and_as_fen(amount):
    text = money_text(amount)
    assert parse_money(text) == amount and money_text(parse_money(text)) == text
    fen = int(amount * 100)
    assert Decimal(fen) / 100 == amount and money_text(Decimal(fen) / 100) == text
    assert "e" not in text.lower() and text.count(".") == 1 and len(text.split(".")[1]) == 2


@PROPERTY
@given(st.dates(min_value=date(1000, 1, 1)))  # years as people write them: four digits
def test_dates_round_trip_through_what_was_typed(day):
    assert parse_date(day.isoformat()) == day.isoformat()
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day.isoformat()


def test_a_bad_cell_is_named_by_field_row_and_column_in_chinese():
    record = complete_record(V2)
    record.answers["member_incomes"] = [
        {"member": "王建国", "relation": "本人", "income_type": "工资", "monthly_amount": "2100.00"},
        {"member": "刘秀英", "relation": "配偶", "income_type": "工资", "monthly_amount": "-5.00"},
        {"member": "王小明", "relation": "子女", "income_type": "无收入"},  # no amount asked
    ]
    labels = {m.code: m.label for m in missing_items(V2, record)}
    assert labels == {"answer.member_incomes.1.monthly_amount":
                      "家庭成员收入 第 2 行「月收入（元）」：金额应为元，最多两位小数（如 1200.50）"}


def test_relevance_asks_the_vehicle_count_only_with_a_vehicle():
    record = complete_record(V2)
    record.answers.pop("vehicle_count")
    assert "answer.vehicle_count" in [m.code for m in missing_items(V2, record)]
    record.answers["has_vehicle"] = False
    record.answers["vehicle_count"] = 99  # hidden: ignored, not refused
    assert missing_items(V2, record) == []
    assert "vehicle_count" not in visible_answers(V2, record.answers)


def test_a_row_cell_is_asked_by_its_own_row():
    rows = [{"category": "住房", "description": "自有住房", "value": "300000.00", "area_m2": -3},
            {"category": "存款", "description": "活期", "value": "800.00", "area_m2": -3}]
    problems = answer_problems(V2, {**complete_record(V2).answers, "property_items": rows})
    assert [p.code for p in problems] == ["answer.property_items.0.area_m2"]
    assert "area_m2" not in visible_answers(V2, {"property_items": rows})["property_items"][1]


def test_v1_forms_keep_their_old_judgement_and_read_back():
    """v1 declares no rules: its records are judged on required answers alone, as when they were sealed."""
    v1 = load_form("home_visit", 1)
    assert not v1.checked_answers and V2.checked_answers
    record = complete_record(v1)
    record.answers["household_size"] = "三口人"  # an old server took any answer shape
    assert answer_problems(v1, record.answers) == [] and missing_items(v1, record) == []
    assert visible_answers(v1, record.answers) == record.answers


def test_the_published_v2_differs_from_v1_only_by_additions():
    """Every v1 question is still asked in v2 under the same id and section (tablets and e2e rely on it)."""
    v1 = load_form("home_visit", 1)
    for s1, s2 in zip(v1.sections, V2.sections, strict=True):
        assert s1.id == s2.id and {f.id for f in s1.fields} <= {f.id for f in s2.fields}
    assert isinstance(V2, Form) and V2.version == 2
