"""Form v2 on the real tablet UI (issue 7, forms): a member-income table of two rows and a money field,
a rule message under a bad value, and the step rail's missing count following each keystroke (R9)."""
from __future__ import annotations

import pytest

from tests.end_to_end.flet_browser import fill_field, new_tablet_page, open_flet, tap, wait_text
from tests.end_to_end.flows import scroll_to
from tests.end_to_end.tablet import Tablet

CASE = "case-yb-2026-0001"
ROW_CELLS = 4  # 成员姓名, 与户主关系, 收入类型, 月收入（元）: all required in an empty row



def _fill_row(tablet: Tablet, index: int, name: str, relation: str, amount: str) -> None:
    cell = f"cell-member_incomes-{index}"
    scroll_to(tablet, f"{cell}-monthly_amount")
    fill_field(tablet.page, f"{cell}-member", name)
    tap(tablet.page, f"{cell}-relation-{relation}")
    tap(tablet.page, f"{cell}-income_type-工资")  # the amount stays asked: the step is not drawn again
    fill_field(tablet.page, f"{cell}-monthly_amount", amount)


@pytest.mark.parametrize("landscape", [True, False], ids=["landscape", "portrait"])
def test_member_income_rows_money_rules_and_live_rail_counts(product, browser, landscape):
    context, page = new_tablet_page(browser, landscape=landscape)
    open_flet(page, product.app_url)
    tablet = Tablet(page, "form-tables" if landscape else "form-tables-portrait")
    tablet.sign_in_team()
    tap(page, "go-cases")
    tablet.consent_at_door(f"start-home_visit-{CASE}")
    tablet.go_step("section-income")
    wait_text(page, "家庭成员收入")
    tablet.wait_rail("section-income", 2)  # 家庭月收入, 收入来源

    # the rail follows the typing, with no navigation
    fill_field(page, "收入来源 *", "工资、养老金")
    tablet.wait_rail("section-income", 1)
    fill_field(page, "家庭月收入（元） *", "-100")
    wait_text(page, "家庭月收入（元）：金额不能为负数")  # the rule, under the field, while typing
    tablet.shot("money-refused")
    tablet.wait_rail("section-income", 1)
    fill_field(page, "家庭月收入（元） *", "3,600")
    tablet.wait_rail("section-income", 0)

    for rows in (1, 2):
        tap(page, "member_incomes-add-row")
        tablet.wait_rail("section-income", rows * ROW_CELLS)  # an empty row lacks its four cells
    tablet.shot("two-empty-rows")

    _fill_row(tablet, 0, "王建国", "本人", "2100")
    tablet.wait_rail("section-income", ROW_CELLS)
    _fill_row(tablet, 1, "刘秀英", "配偶", "-5")
    wait_text(page, "家庭成员收入 第 2 行「月收入（元）」：金额不能为负数")
    tablet.wait_rail("section-income", 1)  # the second row's amount is still missing
    tablet.shot("row-refused")
    fill_field(page, "cell-member_incomes-1-monthly_amount", "1500.5")
    tablet.wait_rail("section-income", 0)
    tablet.shot("rows-filled")

    # R29: the respondent reads the rows back before signing (its values are selectable text, not in the
    # page's accessibility tree: the wording is checked in tests/field_app/test_form_tables.py; seen here)
    tablet.go_step("readback")
    wait_text(page, "请核对以下记录内容")
    page.mouse.move(760, 500)
    page.mouse.wheel(0, 400)
    tablet.shot("readback")
    context.close()
