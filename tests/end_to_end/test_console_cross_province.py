"""The 跨省核查 console pages (R36) in Chromium on a machine without Chinese system fonts: the list at this
level with both deadlines, the overdue marked, and each step's button where it is due; the case's own page;
the administrator's hierarchy page. Screenshots into test-artifacts/screens/; every control uses the bundled
face, every select draws real glyphs, every checkbox sits with its words (the checks of
test_console_admin_pages.py)."""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_CASE_ID
from tests.end_to_end.console_fonts import check_console_page
from tests.end_to_end.flet_browser import shot, unexpected_requests
from tests.end_to_end.flows import console_sign_in
from tests.end_to_end.product import Product

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
PROVINCE = "cq-sheng"
COLUMNS = ("id, side, case_id, from_agency, to_agency, subjects, question, needed_on, submit_due, status, "
           "confirmed_by, answer, answered_by, fed_back_by, request_package, answer_package")


@pytest.fixture(scope="module")
def server(tmp_path_factory, agency):
    running = Product(tmp_path_factory.mktemp("cross-console"), agency)
    running.start_server()
    try:
        _seed(running)
        yield running
    finally:
        running.stop()


def _seed(running: Product) -> None:
    """A need recorded through the API; an overdue one and one a county asked of us, as the services leave them."""
    with closing(running.api("admin", PASSWORDS["admin"])) as admin:
        admin.post("/organisations", json={"id": PROVINCE, "name": "重庆市社会救助家庭经济状况核对中心",
                                           "kind": "agency"}).raise_for_status()
        admin.put("/organisations/yb-hdzx/parent", json={"parent_id": PROVINCE}).raise_for_status()
    with closing(running.api("zhoumin", PASSWORDS["zhoumin"])) as clerk:
        clerk.post(f"/cases/{DEMO_CASE_ID}/cross-province", json={
            "subject_ids": [f"{DEMO_CASE_ID}-s1"], "question": "核查在四川省的不动产登记"}).raise_for_status()
    subjects = json.dumps([{"name": "张建国", "id_number": "x"}], ensure_ascii=False)
    with closing(sqlite3.connect(running.root / "server" / "server.db")) as db, db:  # committed, closed
        db.execute(f"INSERT INTO cross_province_checks ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,'','','','','','')",
                   ("xp-late", "lower", DEMO_CASE_ID, "yb-hdzx", PROVINCE, subjects, "核查在贵州省的车辆登记",
                    "2020-01-06", "2020-01-09", "needed"))
        db.execute(f"INSERT INTO cross_province_checks ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,'','','','','','')",
                   ("xp-asked", "higher", None, "yb-xian", "yb-hdzx", subjects, "核查在重庆市的住房公积金",
                    "2099-01-05", "2099-01-08", "submitted"))


def test_the_cross_province_pages_in_chromium(server, browser):
    context, page = console_sign_in(browser, server, "zhoumin", PASSWORDS["zhoumin"],
                                    viewport={"width": 1400, "height": 900})
    page.click("a[href='/console/cross-province']")  # the nav reaches it
    page.wait_for_selector("#cross-checks")
    check_console_page(page, "cross-province")
    assert page.locator("tr#check-xp-late.overdue").count() == 1
    assert "已超期" in page.locator("tr#check-xp-late").inner_text()
    assert "2020-01-09" in page.locator("tr#check-xp-late").inner_text()
    assert page.locator("tr#check-xp-asked button", has_text="确认受理").count() == 1
    assert page.locator("tr#check-xp-asked button", has_text="返回结果").count() == 1
    assert page.locator("button", has_text="报送上级机构").count() == 2
    shot(page, "console-cross-province", settle_ms=0)
    page.goto(f"{server.server_url}/console/cases/{DEMO_CASE_ID}/cross-province")
    page.wait_for_selector("#case-cross-checks")
    check_console_page(page, "case-cross-province")
    shot(page, "console-case-cross-province", settle_ms=0)
    page.goto(f"{server.server_url}/console/cases/{DEMO_CASE_ID}#cross-province")  # the case page's section
    page.click("#cross-province ~ details summary")
    page.check("#cross-province ~ details input[name=subject_id] >> nth=0")
    page.fill("#cross-question", "核查在云南省的工商登记")
    check_console_page(page, "case-page")
    page.locator("#cross-province").scroll_into_view_if_needed()
    shot(page, "console-case-page-cross-province", settle_ms=0)
    page.click("#cross-province ~ details button[type=submit]")
    page.wait_for_selector("#case-cross-checks")
    assert "核查在云南省的工商登记" in page.locator("#case-cross-checks").inner_text()
    assert unexpected_requests(page.blocked_requests) == []
    context.close()
    context, page = console_sign_in(browser, server, "admin", PASSWORDS["admin"],
                                    viewport={"width": 1280, "height": 900})
    page.goto(f"{server.server_url}/console/admin/hierarchy")
    page.wait_for_selector("#hierarchy")
    check_console_page(page, "admin-hierarchy")
    assert page.eval_on_selector("#parent-yb-hdzx", "s => s.value") == PROVINCE
    shot(page, "console-admin-hierarchy", settle_ms=0)
    assert unexpected_requests(page.blocked_requests) == []
    context.close()
