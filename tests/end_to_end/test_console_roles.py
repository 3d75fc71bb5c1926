"""The console in Chromium, per role (R6, R21), on a machine without Chinese system fonts: the bundled CJK
font is served as a web font and loads; the reviewer decides, the clerk reads, the administrator sees ID
numbers masked, and a clerk of another township sees nothing. Screens in test-artifacts/screens/."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from schemas.protocol import AccountRole
from sync_server.accounts.auth import create_account
from sync_server.db import make_engine
from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_CASE_ID
from tests.end_to_end.flet_browser import new_tablet_page, shot, unexpected_requests
from tests.end_to_end.flows import console_sign_in
from tests.end_to_end.product import Product

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
OTHER_CLERK, OTHER_PASSWORD = "sunli", "Shuang#Long2026"
FONT_STATUS = """() => document.fonts.ready.then(() =>
    [...document.fonts].filter(f => f.family.includes('HeCha CJK')).map(f => f.status))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, agency):
    """The real server process, seeded, plus a clerk of another township."""
    running = Product(tmp_path_factory.mktemp("console"), agency)
    running.start_server()
    engine = make_engine(f"sqlite:///{running.root / 'server' / 'server.db'}")
    with Session(engine) as session:
        create_account(session, username=OTHER_CLERK, name="孙丽", role=AccountRole.TOWNSHIP,
                       password=OTHER_PASSWORD, unit="渝北区双龙湖街道办事处")
        session.commit()
    engine.dispose()
    yield running
    running.stop()


def sign_in(browser, server: Product, username: str, password: str):
    return console_sign_in(browser, server, username, password, viewport={"width": 1280, "height": 900})


def test_chinese_renders_with_the_bundled_web_font(server, browser):
    """No Chinese system font is needed: the page's CJK face is the served cjk.ttf, and it has loaded."""
    context, page = new_tablet_page(browser)
    page.goto(f"{server.server_url}/console/login")
    assert page.evaluate(FONT_STATUS) == ["loaded"]
    assert page.evaluate("() => document.fonts.check('24px \"HeCha CJK\"', '核查外勤审核控制台')")
    shot(page, "console-login-cjk-font")
    assert unexpected_requests(page.blocked_requests) == []
    context.close()


def test_the_reviewer_comments_and_sees_the_decision_kept(server, browser):
    """R11: the reviewer's path: list, case sections, a comment, the kept history."""
    context, page = sign_in(browser, server, "wangfang", PASSWORDS["wangfang"])
    assert "王建国家庭经济状况核查" in page.inner_text("table.list")
    page.click(f"a[href='/console/cases/{DEMO_CASE_ID}']")
    page.click("nav.sections a[href='#review']")
    page.fill("#review ~ form textarea[name=reason]", "请补充入户调查")
    page.click("button[value=comment]")
    page.wait_for_url(f"**/console/cases/{DEMO_CASE_ID}#review")
    kept = page.locator("table.list tr", has_text="请补充入户调查")
    assert kept.count() == 1 and "王芳" in kept.inner_text() and "审核意见" in kept.inner_text()
    assert page.evaluate(FONT_STATUS) == ["loaded"]
    shot(page, "console-reviewer-case")
    context.close()


def test_the_township_clerk_reads_without_deciding(server, browser):
    """R6: the clerk of the entrusting unit sees the unit's cases and no review forms."""
    context, page = sign_in(browser, server, "chenjing", PASSWORDS["chenjing"])
    assert "共 2 件" in page.content()
    page.goto(f"{server.server_url}/console/cases/{DEMO_CASE_ID}")
    assert page.locator("button[value=accept]").count() == 0
    shot(page, "console-township-case")
    context.close()


def test_the_administrator_sees_id_numbers_masked(server, browser):
    """R21: search by a part of an ID number; the administrator's list shows it masked."""
    context, page = sign_in(browser, server, "admin", PASSWORDS["admin"])
    page.fill("input[name=q]", "3112")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=3112**")
    text = page.inner_text("table.list")
    assert "500112********3112" in text and "500112196803153112" not in text
    shot(page, "console-admin-search")
    context.close()


def test_a_clerk_of_another_township_sees_nothing(server, browser):
    """Issue 6: no case of another township in the list, and its case page is refused."""
    context, page = sign_in(browser, server, OTHER_CLERK, OTHER_PASSWORD)
    assert "共 0 件" in page.content() and "王建国" not in page.content()
    response = page.goto(f"{server.server_url}/console/cases/{DEMO_CASE_ID}")
    assert response is not None and response.status == 404 and "王建国" not in page.content()
    shot(page, "console-other-township")
    context.close()


def test_the_reviewer_sends_a_letter_and_uploads_its_answer(server, browser, tmp_path):
    """R17: channel, time, receiver and phone; R31: the answer checked by content (a fake PDF is refused)."""
    server.entrust(DEMO_CASE_ID, ["home_visit", "letter_request"])
    context, page = sign_in(browser, server, "wangfang", PASSWORDS["wangfang"])
    page.goto(f"{server.server_url}/console/cases/{DEMO_CASE_ID}#letters")
    page.click("text=登记新的信函索证")
    page.fill("input[name=addressee_unit]", "渝北区社保局")
    page.fill("textarea[name=documents]", "王建国 2025 年养老保险缴费记录")
    page.select_option("select[name=channel]", "registered_post")
    page.fill("input[name=sent_at]", "2026-11-17T10:00")
    page.fill("input[name=receiver_name]", "周红")
    page.fill("input[name=receiver_phone]", "023-67801234")
    page.click("text=登记发函")
    page.wait_for_url(f"**/console/cases/{DEMO_CASE_ID}#letters")
    letter = page.locator("section.card", has_text="渝北区社保局")
    assert "挂号信" in letter.inner_text() and "待回复" in letter.inner_text()
    fake = tmp_path / "answer.pdf"
    fake.write_bytes(b"MZ this is not a PDF")
    letter.locator("input[type=file]").set_input_files(str(fake))
    letter.locator("text=上传回复").click()
    page.wait_for_function("() => document.querySelector('form.answer-upload .result').textContent.includes('类型')")
    real = tmp_path / "real.pdf"
    real.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    letter.locator("input[type=file]").set_input_files(str(real))
    letter.locator("text=上传回复").click()
    page.wait_for_selector("section.card:has-text('渝北区社保局') .badge.ok")
    assert "application/pdf" in page.locator("section.card", has_text="渝北区社保局").inner_text()
    shot(page, "console-letter-answered")
    context.close()
