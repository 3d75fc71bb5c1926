"""R36 (§4.2.2) on the console's case page: a reviewer or the 信息交换岗 clerk opening a case sees, for each
of its cross-province checks, the step it is at, both deadlines (3 working days to submit, 3 to feed back)
with the overdue marked, the last package's delivery (已送达 / 待发送 / 被拒收（对方答复 …）) and a link to
the 跨省核查 page; the API's case route answers the same checks with their packages. The section costs one
statement more than a case without checks, however many checks and packages the case has (statements
counted on the real engine). The other agency's server is a real HTTP server on 127.0.0.1
(exchange_helpers.Receiver)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.cross_console_helpers import REFUSAL, as_, linked_peer, place
from tests.sync_server.exchange_helpers import Receiver, ok
from tests.sync_server.helpers import password_login, statements

PAGE = f"/console/cases/{DEMO_CASE_ID}"
LONG_AGO, FAR = date(2020, 1, 6), date(2099, 1, 1)


@pytest.fixture
def peer(app: FastAPI) -> Iterator[Receiver]:
    with linked_peer(app, listening=True) as receiver:
        yield receiver


def row(page: str, check_id: str) -> str:
    found = re.search(rf'<tr id="case-cross-{check_id}"[^>]*>.*?</tr>', page, re.S)
    assert found, f"no row for {check_id}"
    return found.group(0)


def cost(app: FastAPI, client: TestClient) -> int:
    with statements(app) as seen:
        assert client.get(PAGE).status_code == 200
    return len(seen)


def test_the_case_page_shows_each_checks_step_deadlines_and_delivery(client: TestClient, app: FastAPI,
                                                                      peer: Receiver):
    place(app, "xp-late", "lower", "needed", LONG_AGO, date(2020, 1, 9))
    place(app, "xp-sent", "lower", "needed", date.today(), FAR)
    place(app, "xp-slow", "lower", "needed", date.today(), FAR)
    place(app, "xp-fb", "lower", "answered", LONG_AGO, date(2020, 1, 9), feedback_due=date(2020, 1, 14))
    clerk = password_login(client, "zhoumin")
    ok(client.post("/api/v1/cross-province/xp-sent/submit", headers=clerk))
    peer.status, peer.reply = 422, json.dumps(REFUSAL).encode()
    ok(client.post("/api/v1/cross-province/xp-slow/submit", headers=clerk))
    as_(client, "wangfang")  # a reviewer
    page = client.get(PAGE).text
    assert 'id="case-cross-state"' in page and "报送上级机构与反馈结果各限 3 个工作日" in page
    late = row(page, "xp-late")
    assert 'class="overdue"' in late and "待报送上级" in late and "2020-01-09" in late and "已超期" in late
    assert "尚未报送" in late and 'href="/console/cross-province#check-xp-late"' in late
    sent = row(page, "xp-sent")
    assert "已报送上级" in sent and "已超期" not in sent and "overdue" not in sent
    assert "报送数据包：已送达（" in sent and "收到结果后 3 个工作日" in sent
    refused = row(page, "xp-slow")
    assert "package-refused" in refused
    assert "被拒收（对方答复 HTTP 422 exchange.package_invalid：发送机构未登记，或其签名密钥与登记的不同）" in refused
    fed = row(page, "xp-fb")
    assert "上级已返回结果" in fed and "2020-01-14" in fed and "已超期" in fed and 'class="overdue"' in fed
    as_(client, "zhoumin")  # the clerk sees the same
    assert row(client.get(PAGE).text, "xp-slow") == refused
    as_(client, "chenjing")  # a township clerk: no cross-province section
    assert 'id="case-cross-state"' not in client.get(PAGE).text
    api = ok(client.get(f"/api/v1/cases/{DEMO_CASE_ID}/cross-province", headers=password_login(client, "wangfang")))
    assert [(c["id"], c["status"], (c["package"] or {}).get("state")) for c in api] == [
        ("xp-fb", "answered", None), ("xp-late", "needed", None), ("xp-sent", "submitted", "delivered"),
        ("xp-slow", "submitted", "refused")]
    assert api[3]["package"]["peer_answer"].startswith("HTTP 422 exchange.package_invalid")


def test_the_cross_province_section_costs_one_statement_however_many_checks(client: TestClient, app: FastAPI,
                                                                            peer: Receiver):
    as_(client, "wangfang")
    client.get(PAGE)  # warm
    without = cost(app, client)
    clerk = password_login(client, "zhoumin")

    def add(ids: list[str]) -> None:
        for check_id in ids:
            place(app, check_id, "lower", "needed", date.today(), FAR)
            ok(client.post(f"/api/v1/cross-province/{check_id}/submit", headers=clerk))

    add(["xp-1"])
    as_(client, "wangfang")
    one = cost(app, client)
    add(["xp-2", "xp-3", "xp-4", "xp-5"])
    as_(client, "wangfang")
    page = client.get(PAGE).text
    assert page.count('id="case-cross-xp-') == 5 and page.count("报送数据包：已送达（") == 5
    assert cost(app, client) == one == without + 1
