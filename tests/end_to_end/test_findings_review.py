"""A reviewer in Debian's Chromium against the real HTTPS server (issue 16; R10, R30, R42): a visit whose photos
were taken in 2008 in Tuscany shows the server's findings beside each photo and in the checklist; the case is
齐全 only after each finding is acknowledged with a reason; the record PDF (pdftotext) carries the
acknowledgements; then the review may accept."""
from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import pytest

from schemas.protocol import PROTOCOL_HEADER
from sync_server.ops.seed import DEMO_CASE_ID
from tests.end_to_end.flet_browser import SCREENS_DIR, new_tablet_page
from tests.end_to_end.product import Product
from tests.sync_server.finding_helpers import visit_at
from tests.sync_server.helpers import CREDENTIALS, FieldTeam, home_visit
from tests.sync_server.pdf_checks import text_of

REVIEWER = "wangfang"
REASON = "旧相机样张，经电话回访户主核实"
FETCH = """async url => { const r = await fetch(url); const bytes = new Uint8Array(await r.arrayBuffer());
    let s = ''; for (const b of bytes) s += String.fromCharCode(b); return [r.headers.get('content-type'), btoa(s)]; }"""


@pytest.fixture
def server(tmp_path, agency):
    running = Product(tmp_path, agency)
    running.start_server()
    yield running
    running.stop()


def submit_old_far_visit(server: Product) -> str:
    """A home visit (started now, after the demo case's release) whose two photos are 2008 Coolpix files
    geotagged in Tuscany, through the real API as the tablet's outbox sends it."""
    with httpx.Client(base_url=server.server_url, verify=server.tls_context(), timeout=30,
                      headers={PROTOCOL_HEADER: "1"}) as client:
        team = FieldTeam.sign_in(client)  # type: ignore[arg-type]  (the same calls as a TestClient)
        visit = visit_at(home_visit("rec-old-far-01"), datetime.now(UTC))  # the case was released at start
        answer = team.submit(visit)
        assert answer.status_code == 200 and answer.json()["status"] == "merged", answer.text
        assert answer.json()["completeness"]["complete"] is False
        return visit.record.id


def test_the_reviewer_sees_the_findings_and_clears_the_case_only_after_acknowledging(server: Product, browser,
                                                                                     tmp_path):
    record_id = submit_old_far_visit(server)
    base = server.server_url
    context, page = new_tablet_page(browser, viewport={"width": 1280, "height": 1000})
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", REVIEWER)
    page.fill("input[name=password]", CREDENTIALS[REVIEWER].password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/cases")
    page.goto(f"{base}/console/cases/{DEMO_CASE_ID}")

    checklist = page.locator("#checklist")
    assert checklist.locator(".badge").inner_text() == "未齐全"
    line = page.locator("ul.checks li", has_text="证据提示待审核确认：入户调查（王建国）")
    assert "拍摄时间不在本次调查时间内（拍摄于 2008-10-22 16:28" in line.inner_text()
    line.locator("a").click()  # the checklist line opens the record at its findings
    page.wait_for_selector(f"#findings-{record_id}")
    record = page.locator(f"#record-{record_id}")
    captions = record.locator(".photos figcaption")
    assert captions.count() == 2
    for i in range(2):
        text = captions.nth(i).inner_text()
        assert "⚠ 拍摄时间不在本次调查时间内（拍摄于 2008-10-22" in text and "拍摄地点距登记住址较远（距登记住址" in text
    page.screenshot(path=str(SCREENS_DIR / "console-findings-open.png"), full_page=True)

    forms = page.locator(f"#findings-{record_id} form.ack-form")
    count = forms.count()
    assert count == 5  # no fix at all; per photo: the 2008 time and the distance
    for done in range(count):
        form = page.locator(f"#findings-{record_id} form.ack-form").first
        form.locator("input[name=reason]").fill(REASON)
        form.locator("button").click()
        page.wait_for_function(f"() => document.querySelectorAll('#findings-{record_id} .ack').length === {done + 1}")
        if done < count - 1:
            assert page.locator("#checklist .badge").inner_text() == "未齐全"  # not before every one is seen
    assert page.locator("#checklist .badge").inner_text() == "齐全"
    assert page.locator(f"#findings-{record_id} .badge").inner_text() == "已全部确认"
    assert page.locator(f"#findings-{record_id} .ack").first.inner_text().startswith(f"已确认：{REASON}（王芳")
    page.screenshot(path=str(SCREENS_DIR / "console-findings-acknowledged.png"), full_page=True)

    link = page.locator(f"#findings-{record_id} a", has_text="调查记录表（PDF")
    kind, body = page.evaluate(FETCH, link.get_attribute("href"))  # as the link opens it, with the session
    assert kind == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(base64.b64decode(body))
    flat = text_of(path).replace(" ", "").replace("\n", "")
    assert "证据提示（服务器核验，5项）" in flat and flat.count(f"已确认：{REASON}") == 5
    assert "2008-10-22" in flat and "证据提示经审核确认" in flat  # the audit summary, too

    page.fill("#review textarea[name=reason], form.card.form textarea[name=reason]", "证据提示已逐项核实")
    page.click("button[name=action][value=accept]")
    page.wait_for_selector("h2#review .badge.ok")
    context.close()
