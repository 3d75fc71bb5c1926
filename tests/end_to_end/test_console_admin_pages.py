"""The administrator's console pages (issue 18) in Chromium on a machine without Chinese system fonts:
every new page is screenshot into test-artifacts/screens/; every select names the bundled face and draws
real glyphs (two different characters drawn in the select's own font differ; .notdef boxes would not);
every checkbox and radio sits right before its words. Also the accounts page's post boxes (fixed here)."""
from __future__ import annotations

import subprocess

import pytest

from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_CASE_ID
from tests.end_to_end.console_fonts import FONTS_READY, check_console_page
from tests.end_to_end.flet_browser import shot, unexpected_requests
from tests.end_to_end.flows import console_sign_in
from tests.end_to_end.product import Product

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
CASE = f"/console/cases/{DEMO_CASE_ID}"
PAGES = {  # screenshot name -> path
    "admin-hub": "/console/admin", "admin-organisations": "/console/admin/organisations",
    "admin-teams": "/console/admin/teams", "admin-posts": "/console/admin/posts", "admin-keys": "/console/admin/keys",
    "admin-sign-in": "/console/admin/sign-in", "admin-holidays": "/console/admin/holidays",
    "admin-case-team": f"{CASE}/team", "admin-case-matching": f"{CASE}/matching",
    "admin-case-retention": f"{CASE}/disposal", "admin-accounts": "/console/accounts",
}
@pytest.fixture(scope="module")
def server(tmp_path_factory, agency):
    running = Product(tmp_path_factory.mktemp("admin-console"), agency)
    running.start_server()
    yield running
    running.stop()


def test_this_machine_has_no_chinese_system_font():
    """The proof below means something only where the system could not draw Chinese on its own."""
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=True).stdout
    assert listed.strip() == ""


def test_every_admin_page_renders_chinese_in_its_controls_and_keeps_labels_with_boxes(server, browser):
    context, page = console_sign_in(browser, server, "admin", PASSWORDS["admin"],
                                    viewport={"width": 1280, "height": 900})
    checked_selects = 0
    for name, path in PAGES.items():
        page.goto(f"{server.server_url}{path}")
        checked_selects += check_console_page(page, name)
        shot(page, f"console-{name}", settle_ms=0)
    assert checked_selects >= 8
    assert unexpected_requests(page.blocked_requests) == []
    context.close()


def test_a_select_shows_its_chinese_option_in_the_bundled_face(server, browser):
    """The drop-down itself, opened: its options are drawn with the web font (the screenshot shows them)."""
    context, page = console_sign_in(browser, server, "admin", PASSWORDS["admin"],
                                    viewport={"width": 1280, "height": 900})
    page.goto(f"{server.server_url}/console/admin/organisations")
    assert page.evaluate(FONTS_READY) == ["loaded"]
    page.select_option("#org-kind", index=2)
    chosen = page.eval_on_selector("#org-kind", "s => s.options[s.selectedIndex].text")
    assert chosen and all("\u4e00" <= ch <= "\u9fff" for ch in chosen.replace("（", "").replace("）", ""))
    assert page.evaluate("t => document.fonts.check('18px \"HeCha CJK\"', t)", chosen)
    page.focus("#org-kind")
    shot(page, "console-admin-select-chinese", settle_ms=0)
    context.close()
