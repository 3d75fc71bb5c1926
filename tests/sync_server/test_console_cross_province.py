"""R36 (§4.2.2) in the console (issue 18: nothing a role needs only by API): 信息交换岗 records a case's
need from the case page, submits it upward, confirms and answers what a lower agency asked, feeds the answer
back; the list shows both deadlines and marks the overdue; administrators set the hierarchy and the other
agencies' servers, and stop or restart a unit's system. Each action is the API's service with the API's
log entry; the wrong role or post is refused in Chinese; a refused form keeps what was typed. The other
agency's server here is a real HTTP server on 127.0.0.1 that takes every package (exchange_helpers.Receiver)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID, DEMO_TEAM_ID
from sync_server.tables import ExchangePeer, MatchingResult, Organisation
from tests.field_app.helpers import closed_port
from tests.sync_server.admin_console_helpers import logged
from tests.sync_server.console_client import console_post
from tests.sync_server.cross_console_helpers import (
    PROVINCE,
    add_org,
    as_,
    linked_peer,
    packages,
    place,
    public_key,
    status_of,
)
from tests.sync_server.exchange_helpers import UNIT_NAME, Receiver, X, unit_headers
from tests.sync_server.helpers import problem_of

LIST = "/console/cross-province"
CASE = f"/console/cases/{DEMO_CASE_ID}/cross-province"
HIERARCHY = "/console/admin/hierarchy"
LONG_AGO = date(2020, 1, 6)


@pytest.fixture
def peer(app: FastAPI) -> Iterator[Receiver]:
    with linked_peer(app, listening=True) as receiver:
        yield receiver


def test_a_need_is_recorded_from_the_case_page_by_the_exchange_post_only(client: TestClient, app: FastAPI,
                                                                          peer: Receiver):
    as_(client, "wangfang")  # a reviewer without 信息交换岗
    case_page = client.get(f"/console/cases/{DEMO_CASE_ID}").text
    assert 'id="cross-province"' in case_page and f'action="{CASE}"' in case_page  # the form is on the case page
    refused = console_post(client, CASE, {"subject_id": f"{DEMO_CASE_ID}-s1", "question": "核查在四川省的车辆"},
                           page=CASE)
    assert refused.status_code == 403 and "未担任信息交换岗" in refused.text
    assert "核查在四川省的车辆</textarea>" in refused.text and "checked" in refused.text  # nothing lost
    as_(client, "zhoumin")
    empty = console_post(client, CASE, {"question": "核查在四川省的车辆"}, page=CASE)  # no subject ticked
    assert empty.status_code == 422 and "填写有误" in empty.text and "核查在四川省的车辆</textarea>" in empty.text
    made = console_post(client, CASE, {"subject_id": f"{DEMO_CASE_ID}-s1", "question": "核查在四川省的车辆"},
                        page=CASE)
    assert made.status_code == 200 and "已登记跨省核查 xp-" in made.text and "待报送上级" in made.text
    needed = logged(app, "cross.needed")
    assert [(e.actor, e.case_id) for e in needed] == [("zhoumin", DEMO_CASE_ID)]
    assert "待报送上级" in client.get(f"/console/cases/{DEMO_CASE_ID}").text  # the case page shows it


def test_submit_upward_from_the_console_sends_a_signed_package(client: TestClient, app: FastAPI, peer: Receiver):
    place(app, "xp-up", "lower", "needed", date.today(), date(2099, 1, 1))
    as_(client, "wangfang")
    refused = console_post(client, f"{LIST}/xp-up/submit", {}, page=LIST)
    assert refused.status_code == 403 and "未担任信息交换岗" in refused.text and peer.got == []
    as_(client, "zhoumin")
    listed = client.get(LIST).text
    assert "xp-up" in listed and "报送上级机构" in listed and "2099-01-01" in listed
    sent = console_post(client, f"{LIST}/xp-up/submit", {}, page=LIST)
    assert sent.status_code == 200 and "xp-up：已报送上级机构" in sent.text
    got = packages(peer)
    assert [(p["type"], p["id"], p["to_agency"]) for p in got] == [("request", "xp-up", PROVINCE)]
    assert status_of(app, "xp-up") == "submitted"
    assert [e.actor for e in logged(app, "cross.submitted") if e.subject == "xp-up"] == ["zhoumin"]
    again = console_post(client, f"{LIST}/xp-up/submit", {}, page=LIST)
    assert again.status_code == 409 and "已报送" in again.text and len(peer.got) == 1


def test_an_unreachable_higher_server_does_not_stop_the_step(client: TestClient, app: FastAPI):
    """The step is taken and recorded; its signed package waits in the outbox (test_console_cross_outbox.py)."""
    add_org(app, PROVINCE, "重庆市社会救助家庭经济状况核对中心")
    linked_down = Receiver(closed_port())  # never started: nobody listens there
    with app.state.services.session() as session:
        org = session.get(Organisation, DEMO_AGENCY)
        assert org is not None
        org.parent_id = PROVINCE
        session.add(org)
        session.add(ExchangePeer(org_id=PROVINCE, base_url=f"http://127.0.0.1:{linked_down.port}", public_key="",
                                 key_id="k"))
        session.commit()
    place(app, "xp-down", "lower", "needed", date.today(), date(2099, 1, 1))
    as_(client, "zhoumin")
    sent = console_post(client, f"{LIST}/xp-down/submit", {}, page=LIST)
    assert sent.status_code == 200 and "xp-down：已报送上级机构" in sent.text
    assert "对方服务器暂时无法连接，数据包已签发并保存，将自动重发" in sent.text and "待发送（已尝试 1 次" in sent.text
    assert status_of(app, "xp-down") == "submitted"
    assert [e.subject for e in logged(app, "cross.submitted")] == ["xp-down"]


def test_the_higher_level_confirms_and_answers_and_the_lower_feeds_back(client: TestClient, app: FastAPI,
                                                                         peer: Receiver):
    place(app, "xp-asked", "higher", "submitted", date.today(), date(2099, 1, 1))
    place(app, "xp-back", "lower", "answered", LONG_AGO, date(2020, 1, 9), feedback_due=date(2099, 1, 1))
    as_(client, "zhoumin")
    listed = client.get(LIST).text
    assert "承办方（上级）" in listed and "确认受理" in listed and "反馈结果（写入报告）" in listed
    confirmed = console_post(client, f"{LIST}/xp-asked/confirm", {}, page=LIST)
    assert confirmed.status_code == 200 and "已确认受理" in confirmed.text
    blank = console_post(client, f"{LIST}/xp-asked/answer", {"answer": "  "}, page=LIST)
    assert blank.status_code == 422 and status_of(app, "xp-asked") == "confirmed"
    answered = console_post(client, f"{LIST}/xp-asked/answer", {"answer": "经查询，未发现其名下外省不动产"}, page=LIST)
    assert answered.status_code == 200 and "结果已返回下级机构" in answered.text
    assert [(p["type"], p["to_agency"]) for p in packages(peer)] == [("confirmed", "yb-xian"), ("answered", "yb-xian")]
    assert packages(peer)[1]["answer"] == "经查询，未发现其名下外省不动产"
    assert [e.kind for e in logged(app, "cross.confirmed") + logged(app, "cross.answered")] == \
        ["cross.confirmed", "cross.answered"]
    fed = console_post(client, f"{LIST}/xp-back/feed-back", {}, page=LIST)
    assert fed.status_code == 200 and "结果已反馈" in fed.text and status_of(app, "xp-back") == "fed_back"
    with app.state.services.session() as session:
        found = session.exec(select(MatchingResult).where(MatchingResult.case_id == DEMO_CASE_ID))
        rows = [m for m in found if m.department == "跨省核查"]
        assert [m.summary for m in rows] == ["未发现外省不动产"]
    assert [e.actor for e in logged(app, "cross.fed_back")] == ["zhoumin"]
    as_(client, "wangfang")  # a reviewer without the post sees the list but cannot act
    assert client.get(LIST).status_code == 200
    refused = console_post(client, f"{LIST}/xp-asked/confirm", {}, page=LIST)
    assert refused.status_code == 403 and "未担任信息交换岗" in refused.text


def test_the_overdue_are_marked_and_surveyors_are_refused(client: TestClient, app: FastAPI, peer: Receiver):
    place(app, "xp-late", "lower", "needed", LONG_AGO, date(2020, 1, 9))
    place(app, "xp-ontime", "lower", "needed", date.today(), date(2099, 1, 1))
    as_(client, "zhoumin")
    rows = re.findall(r'<tr id="check-(xp-[a-z]+)"( class="overdue")?>', client.get(LIST).text)
    assert dict(rows) == {"xp-late": ' class="overdue"', "xp-ontime": ""}
    assert "已超期" in client.get(CASE).text
    as_(client, "chenjing")  # the township's clerk: not agency staff
    assert client.get(LIST).status_code == 403 and client.get(CASE).status_code == 403


def test_the_hierarchy_and_peers_are_set_by_administrators(client: TestClient, app: FastAPI):
    add_org(app, PROVINCE, "重庆市社会救助家庭经济状况核对中心")
    as_(client, "zhoumin")
    assert client.get(HIERARCHY).status_code == 403
    assert console_post(client, f"{HIERARCHY}/parent", {"org_id": DEMO_AGENCY, "parent_id": PROVINCE}).status_code \
        == 403
    as_(client, "admin")
    assert f'href="{HIERARCHY}"' in client.get("/console/admin").text
    made = console_post(client, f"{HIERARCHY}/parent", {"org_id": DEMO_AGENCY, "parent_id": PROVINCE},
                        page=HIERARCHY)
    assert made.status_code == 200 and "的上级机构：cq-sheng" in made.text
    assert [(e.actor, e.subject) for e in logged(app, "org.parent_set")] == [("admin", DEMO_AGENCY)]
    cycle = console_post(client, f"{HIERARCHY}/parent", {"org_id": PROVINCE, "parent_id": DEMO_AGENCY},
                         page=HIERARCHY)
    assert cycle.status_code == 422 and "不能成环" in cycle.text
    with app.state.services.session() as session:
        province = session.get(Organisation, PROVINCE)
        assert province is not None and province.parent_id is None
    typed = {"org_id": PROVINCE, "base_url": "https://sheng.example.cn", "public_key": "not-a-key"}
    bad = console_post(client, f"{HIERARCHY}/peers", typed, page=HIERARCHY)
    assert bad.status_code == 422 and "Ed25519" in bad.text
    assert 'value="https://sheng.example.cn"' in bad.text and 'value="not-a-key"' in bad.text
    key = public_key()
    good = console_post(client, f"{HIERARCHY}/peers", typed | {"public_key": key}, page=HIERARCHY)
    assert good.status_code == 200 and "已登记机构 cq-sheng 的服务器 https://sheng.example.cn" in good.text
    assert [(e.actor, e.subject) for e in logged(app, "cross.peer_registered")] == [("admin", PROVINCE)]


def test_a_unit_is_stopped_and_let_in_again(client: TestClient, app: FastAPI):
    as_(client, "admin")
    made = console_post(client, "/console/exchange/register", {"id": "longxi", "name": UNIT_NAME,
                                                               "team_id": DEMO_TEAM_ID}, page="/console/exchange")
    found = re.search(r"hcx_[A-Za-z0-9_\-]+", made.text)
    assert found is not None
    key = found.group(0)
    assert client.get(f"{X}/nothing", headers=unit_headers(key)).status_code == 404  # the key works
    stopped = console_post(client, "/console/exchange/deactivate", {"unit_id": "longxi"}, page="/console/exchange")
    assert stopped.status_code == 200 and "停用" in stopped.text and "恢复</button>" in stopped.text
    refused = client.get(f"{X}/nothing", headers=unit_headers(key))
    assert refused.status_code == 401 and problem_of(refused)["code"] == "exchange.key_invalid"
    assert [e.actor for e in logged(app, "exchange.unit_deactivated")] == ["admin"]
    back = console_post(client, "/console/exchange/activate", {"unit_id": "longxi"}, page="/console/exchange")
    assert back.status_code == 200 and "恢复" in back.text
    assert client.get(f"{X}/nothing", headers=unit_headers(key)).status_code == 404
    assert [e.subject for e in logged(app, "exchange.unit_activated")] == ["longxi"]
    unknown = console_post(client, "/console/exchange/deactivate", {"unit_id": "nobody"}, page="/console/exchange")
    assert unknown.status_code == 404
    as_(client, "zhoumin")
    assert console_post(client, "/console/exchange/deactivate", {"unit_id": "longxi"}).status_code == 403
