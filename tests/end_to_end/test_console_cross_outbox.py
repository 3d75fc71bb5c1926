"""R36's outbox in Chromium (office/cross_outbox.py, console/cross_pages.py): the higher agency's server
(a real HTTP server on 127.0.0.1, exchange_helpers.Receiver) refuses the county's request; the administrator
opens 跨省核查, sees the package refused with the other side's answer, opens its 发送记录 (each attempt,
in Chinese), and, once the other side has registered the key anew, re-sends it: the row says 已送达 and the
record lists the second attempt. The case page says the same. Screenshots into test-artifacts/screens/."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import closing

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_AGENCY, DEMO_CASE_ID
from tests.end_to_end.console_fonts import check_console_page
from tests.end_to_end.flet_browser import shot, unexpected_requests
from tests.end_to_end.flows import console_sign_in
from tests.end_to_end.product import Product
from tests.field_app.helpers import closed_port
from tests.sync_server.exchange_helpers import Receiver

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
PROVINCE = "cq-sheng"
REFUSAL = {"code": "exchange.package_invalid", "detail": "发送机构未登记，或其签名密钥与登记的不同"}


@pytest.fixture(scope="module")
def province() -> Iterator[Receiver]:
    receiver = Receiver(closed_port())
    receiver.status, receiver.reply = 422, json.dumps(REFUSAL).encode()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, agency, province: Receiver) -> Iterator[tuple[Product, str]]:
    running = Product(tmp_path_factory.mktemp("cross-outbox"), agency)
    running.start_server()
    try:
        yield running, _refused_request(running, province)
    finally:
        running.stop()


def _refused_request(running: Product, province: Receiver) -> str:
    """The demo agency under the province, whose server is the receiver; the clerk submits a need: refused."""
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with closing(running.api("admin", PASSWORDS["admin"])) as admin:
        admin.post("/organisations", json={"id": PROVINCE, "name": "重庆市社会救助家庭经济状况核对中心",
                                           "kind": "agency"}).raise_for_status()
        admin.put(f"/organisations/{DEMO_AGENCY}/parent", json={"parent_id": PROVINCE}).raise_for_status()
        admin.put(f"/admin/exchange-peers/{PROVINCE}", json={
            "base_url": f"http://127.0.0.1:{province.port}",
            "public_key": base64.b64encode(raw).decode()}).raise_for_status()
    with closing(running.api("zhoumin", PASSWORDS["zhoumin"])) as clerk:
        need = clerk.post(f"/cases/{DEMO_CASE_ID}/cross-province", json={
            "subject_ids": [f"{DEMO_CASE_ID}-s1"], "question": "核查在四川省的不动产登记"})
        need.raise_for_status()
        sent = clerk.post(f"/cross-province/{need.json()['id']}/submit")
        sent.raise_for_status()
        assert sent.json()["package"]["state"] == "refused", sent.json()
        return str(need.json()["id"])


def test_an_administrator_sees_the_refusal_and_resends_it(server, province: Receiver, browser):
    running, check_id = server
    row, record = f"tr#check-{check_id}", f"#attempts-{check_id}"
    context, page = console_sign_in(browser, running, "admin", PASSWORDS["admin"],
                                    viewport={"width": 1400, "height": 900})
    page.goto(f"{running.server_url}/console/cross-province")
    page.wait_for_selector(row)
    refused = page.locator(f"#package-{check_id}").inner_text()
    assert "被拒收（对方答复 HTTP 422 exchange.package_invalid：发送机构未登记，或其签名密钥与登记的不同）" in refused
    assert not page.locator(f"{record} li").first.is_visible()  # the attempts wait behind their summary
    page.click(f"{record} summary")
    assert page.locator(f"{record} li").count() == 1
    first = page.locator(f"{record} li").first.inner_text()
    assert "报送数据包" in first and "被拒收（HTTP 422），不再自动重发" in first and "接口 zhoumin" in first
    check_console_page(page, "cross-province-refused")
    shot(page, "console-cross-province-refused", settle_ms=0)

    province.status, province.reply = 204, b""  # the province registered the county's key anew
    page.click(f"{row} button:has-text('重新发送')")
    page.wait_for_selector(f"#package-{check_id}.package-delivered")
    assert "已送达（" in page.locator(f"#package-{check_id}").inner_text()
    assert f"{check_id}：数据包已送达" in page.locator("main").inner_text()
    assert page.locator(f"{row} button:has-text('重新发送')").count() == 0
    page.click(f"{record} summary")
    tries = page.locator(f"{record} li")
    assert tries.count() == 2 and "对方已接收（HTTP 204）" in tries.nth(1).inner_text()
    assert "控制台 admin" in tries.nth(1).inner_text()
    shot(page, "console-cross-province-resent", settle_ms=0)
    assert len(province.got) == 2

    page.goto(f"{running.server_url}/console/cases/{DEMO_CASE_ID}#cross-province")
    case_row = page.locator(f"tr#case-cross-{check_id}")
    assert "已报送上级" in case_row.inner_text() and "报送数据包：已送达（" in case_row.inner_text()
    page.click(f"tr#case-cross-{check_id} a:has-text('在跨省核查页办理')")
    page.wait_for_selector(row)
    assert unexpected_requests(page.blocked_requests) == []
    context.close()
