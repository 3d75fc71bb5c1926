"""Two browser tabs on one tablet (one Python process, so one set of view-models): each tab's screen
follows the shared visit on its own subscription (issue 15). Before, every view-model had one `changed`
slot, and the tab that drew the visit last took it from the other, whose step rail then stood still."""
from __future__ import annotations

from tests.end_to_end.flet_browser import WAIT_MS, fill_field, new_tablet_page, open_flet, tap
from tests.end_to_end.tablet import Tablet

CASE = "case-yb-2026-0001"


def test_each_tab_keeps_following_the_visit_on_its_own_rail(product, browser):
    first_context, first_page = new_tablet_page(browser)
    open_flet(first_page, product.app_url)
    first = Tablet(first_page, "two-tabs-first")
    first.sign_in_team()
    tap(first_page, "go-cases")
    first.consent_at_door(f"start-home_visit-{CASE}")
    first.go_step("section-income")
    first.wait_rail("section-income", 2)  # 家庭月收入, 收入来源

    # a second tab opens on the cases (the team is signed in on this tablet) and resumes the same draft
    second_context, second_page = new_tablet_page(browser)
    open_flet(second_page, product.app_url)
    second = Tablet(second_page, "two-tabs-second")
    resume = second_page.locator('[flt-semantics-identifier^="resume-"]').first
    resume.wait_for(timeout=WAIT_MS)
    resume.tap()
    second.wait_rail("section-income", 2)

    fill_field(first_page, "收入来源 *", "工资、养老金")
    first.wait_rail("section-income", 1)  # the tab that typed: it drew the visit first, and still follows
    second.wait_rail("section-income", 1)  # the other tab follows the same draft without navigating
    second.shot("followed")

    second_context.close()  # a tab closed: the one left goes on as before
    fill_field(first_page, "家庭月收入（元） *", "3,600")
    first.wait_rail("section-income", 0)
    first.shot("after-the-other-tab-closed")
    first_context.close()
