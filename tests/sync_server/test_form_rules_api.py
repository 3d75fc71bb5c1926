"""POST /records with home visit v2 published (issue 7, forms): v1 records still merge, v2 records are held
to v2's rules (tables, money, relevance) by the same schemas check the tablet runs (R9)."""
from __future__ import annotations

from schemas.forms import load_form
from schemas.problems import Code
from tests.sync_server.helpers import FieldTeam, Visit, home_visit, problem_of

ROWS = [{"member": "王建国", "relation": "本人", "income_type": "无收入"},
        {"member": "刘秀英", "relation": "配偶", "income_type": "工资", "monthly_amount": "2100.00"}]


def v2_visit(record_id: str) -> Visit:
    """The helpers' complete home visit, answered on form v2: money as text, two member-income rows."""
    visit = home_visit(record_id)
    visit.record.form_version = 2
    visit.record.answers.update({"monthly_income_yuan": "2100.00", "member_incomes": [dict(r) for r in ROWS],
                                 "property_items": [{"category": "住房", "description": "自有砖混房",
                                                     "area_m2": 62.5, "value": "150000.00"}]})
    return visit


def test_v2_is_current_and_a_record_sealed_on_v1_still_merges_r9(team: FieldTeam):
    assert load_form("home_visit").version == 2
    visit = home_visit()
    assert visit.record.form_version == 1
    response = team.submit(visit)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "merged"


def test_a_v2_record_with_tables_merges_and_the_reviewer_reads_its_rows(team: FieldTeam):
    visit = v2_visit("rec-hv-v2-0001")
    response = team.submit(visit)
    assert response.status_code == 200, response.text
    assert team.merged_ids() == [visit.record.id]
    page = team.client.get(f"/api/v1/cases/{visit.record.case_id}", headers=team.headers["wangfang"])
    answers = page.json()["records"][0]["sealed"]["record"]["answers"]
    assert answers["member_incomes"] == ROWS and answers["monthly_income_yuan"] == "2100.00"


def test_a_v2_record_breaking_a_rule_is_refused_naming_field_and_row(team: FieldTeam):
    visit = v2_visit("rec-hv-v2-0002")
    visit.record.answers["member_incomes"][1]["monthly_amount"] = "21.5"  # not yuan with two decimals
    visit.record.answers["has_vehicle"] = True  # then the vehicle count is asked, and missing
    response = team.submit(visit)
    problem = problem_of(response)
    assert response.status_code == 422 and problem["code"] == Code.RECORD_INCOMPLETE.value
    assert problem["data"]["codes"] == ["answer.vehicle_count", "answer.member_incomes.1.monthly_amount"]
    assert "家庭成员收入 第 2 行「月收入（元）」：金额应为元" in problem["detail"]
    assert "未填写：机动车数量（辆）" in problem["detail"]
    assert team.merged_ids() == []


def test_a_v1_shaped_answer_on_a_v2_record_is_refused(team: FieldTeam):
    """Money as a number (a float on the wire) is not money: v2 wants the exact text."""
    visit = v2_visit("rec-hv-v2-0003")
    visit.record.answers["monthly_income_yuan"] = 2100.5
    problem = problem_of(team.submit(visit))
    assert problem["data"]["codes"] == ["answer.monthly_income_yuan"]


def test_the_console_reads_a_table_one_row_a_line():
    from sync_server.casework.presentation import answer_text

    table = next(f for f in load_form("home_visit", 2).fields() if f.id == "member_incomes")
    assert answer_text(ROWS, table) == ("1. 成员姓名 王建国，与户主关系 本人，收入类型 无收入\n"
                                        "2. 成员姓名 刘秀英，与户主关系 配偶，收入类型 工资，月收入（元） 2100.00元")
    assert answer_text(None, table) == "（未填写）" and answer_text(2100.5) == "2100.5"
