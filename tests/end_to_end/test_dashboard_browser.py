"""The director's dashboard in Debian's Chromium against the real server process (issue 20; R37, R41): a
year of cases seeded into its database, 王芳 (given the 机构负责人 post) opens 统计 for the year, reads the
charts (inline SVG) and tables, downloads one table's XLSX, records a person's assessment, and exports
the cases as CSV. Screenshots go to test-artifacts/screens/."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlmodel import Session

from schemas.staffing import Post
from sync_server.db import make_engine
from sync_server.tables import Account
from tests.end_to_end.flet_browser import SCREENS_DIR
from tests.end_to_end.flows import console_sign_in, server_only
from tests.end_to_end.product import Product
from tests.sync_server.bulk import templates
from tests.sync_server.dashboard_seed import FIRST_DAY, seed_year
from tests.sync_server.helpers import CREDENTIALS

CASES = 400
LAST_DAY = FIRST_DAY + timedelta(days=364)


@pytest.fixture
def server(tmp_path, agency):
    with server_only(tmp_path, agency) as running:
        engine = make_engine(f"sqlite:///{running.root / 'server' / 'server.db'}")
        with Session(engine) as session:
            seed_year(session, CASES, templates())
            account = session.get(Account, "wangfang")
            account.posts = [*account.posts, Post.DIRECTOR.value]
            session.add(account)
            session.commit()
        engine.dispose()
        yield running


def test_the_director_reads_the_dashboard_and_records_an_assessment_in_chromium(browser, server: Product):
    _context, page = console_sign_in(browser, server, "wangfang", CREDENTIALS["wangfang"].password)
    page.click("header >> text=统计")
    page.wait_for_selector("h1:has-text('统计')")
    page.fill("input[name=from]", FIRST_DAY.isoformat())
    page.fill("input[name=to]", LAST_DAY.isoformat())
    page.click("button:has-text('统计')")
    page.wait_for_selector("#stats-weeks svg polyline")
    assert page.locator("svg.chart").count() >= 5
    received = page.locator("#table-summary tr:has-text('受理案件') td").nth(1).text_content() or ""
    assert int(received) > 300  # the agency's share of the year
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS_DIR / "console-dashboard.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a:has-text('下载 XLSX（按调查小组）')")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["按调查小组"].iter_rows(min_row=3, values_only=True))
    assert sum(r[1] for r in rows) == int(received)
    page.select_option("select[name=username]", "lina")
    page.select_option("select[name=grade]", "excellent")
    page.fill("textarea[name=remarks]", "全年记录规范，按期率高")
    page.click("button:has-text('记录本期考核')")
    page.wait_for_selector("#assessments td:has-text('全年记录规范，按期率高')")
    page.locator("#assessments").screenshot(path=str(SCREENS_DIR / "console-dashboard-assessment.png"))
    page.click("header >> text=数据导出")
    page.wait_for_selector("h1:has-text('数据导出')")
    with page.expect_download() as download:
        page.click("a:has-text('案件.csv')")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) - 1 >= int(received)
