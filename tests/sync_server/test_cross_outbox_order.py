"""R36's outbox when the other agency refuses a package (office/cross_outbox.py): the later steps of the SAME
check wait behind the refused package (state held: the receiver ignores a step older than the one it holds,
so an answer that overtook its refused confirmation would leave the confirmation unrecorded there), while
the packages of other checks to that agency go on; the console says which package waits behind which and
why; 重新发送 sends the refused package and then those held behind it, in step order; each attempt is listed
in Chinese (cross_deliveries). The other agency's server is a real HTTP server on 127.0.0.1
(exchange_helpers.Receiver); the app's own worker sleeps, the test's passes are the only ones. The outbox's
SQL (a correlated NOT EXISTS inside the per-agency line) runs on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync_server.office.cross_outbox import deliver_due
from tests.sync_server.admin_console_helpers import logged
from tests.sync_server.console_client import console_post
from tests.sync_server.cross_console_helpers import REFUSAL, as_, linked_peer, packages, place, status_of
from tests.sync_server.exchange_helpers import Receiver, ok
from tests.sync_server.helpers import password_login

pytestmark = pytest.mark.both_databases

LIST = "/console/cross-province"
API = "/api/v1/cross-province"
FAR = date(2099, 1, 1)


@pytest.fixture
def peer(app: FastAPI) -> Iterator[Receiver]:
    with linked_peer(app, listening=False) as receiver:
        yield receiver


def refuse(peer: Receiver) -> None:
    peer.status, peer.reply = 422, json.dumps(REFUSAL).encode()


def take(peer: Receiver) -> None:
    peer.status, peer.reply = 204, b""


def sent(peer: Receiver) -> list[tuple[str, str]]:
    return [(p["type"], p["id"]) for p in packages(peer)]


def listed(client: TestClient, headers: dict[str, str]) -> dict[str, dict]:
    return {r["id"]: r["package"] for r in ok(client.get(API, headers=headers))}


def test_a_checks_later_step_waits_behind_its_refused_package_and_other_checks_go_on(
        client: TestClient, app: FastAPI, peer: Receiver):
    refuse(peer)
    peer.start()
    place(app, "xp-h1", "higher", "submitted", date.today(), FAR)  # asked of us by the county
    place(app, "xp-h2", "higher", "submitted", date.today(), FAR)
    clerk = password_login(client, "zhoumin")
    confirmed = ok(client.post(f"{API}/xp-h1/confirm", headers=clerk))["package"]
    assert confirmed["state"] == "refused" and confirmed["peer_answer"].startswith("HTTP 422")
    as_(client, "zhoumin")  # the answer from the console: the notice says why its package waits
    answered = console_post(client, f"{LIST}/xp-h1/answer", {"answer": "未发现外省不动产"}, page=LIST)
    assert answered.status_code == 200 and "xp-h1：结果已返回下级机构；本步骤已办理，数据包待发送（排在" in answered.text
    assert status_of(app, "xp-h1") == "answered"  # the step is taken all the same
    held = listed(client, clerk)["xp-h1"]
    assert (held["kind"], held["state"], held["behind"], held["next_attempt_at"]) == \
        ("answered", "held", confirmed["id"], None)
    assert f"排在本核查被拒收的确认数据包 {confirmed['id']} 之后" in held["text"]
    assert sent(peer) == [("confirmed", "xp-h1")]  # the answer did not overtake its refused confirmation

    take(peer)  # the county registered our key anew
    other = ok(client.post(f"{API}/xp-h2/confirm", headers=clerk))["package"]
    assert other["state"] == "delivered"  # another check's package to the same agency goes on
    services = app.state.services
    with httpx.Client() as http:
        services.clock.advance(hours=3)
        assert deliver_due(services, http) == 0  # the held answer is not the worker's to send
    assert sent(peer) == [("confirmed", "xp-h1"), ("confirmed", "xp-h2")]
    assert listed(client, clerk)["xp-h1"]["state"] == "held"

    page = client.get(LIST).text
    assert "排在本核查被拒收的确认数据包" in page and "同一跨省核查的各步须按顺序送达" in page
    assert "发送记录（1 次）" in page and "被拒收（HTTP 422），不再自动重发" in page and "接口 zhoumin" in page

    as_(client, "admin")
    again = console_post(client, f"{LIST}/xp-h1/resend", {}, page=LIST)
    assert again.status_code == 200 and "xp-h1：数据包已送达" in again.text
    assert sent(peer) == [("confirmed", "xp-h1"), ("confirmed", "xp-h2"), ("confirmed", "xp-h1"),
                          ("answered", "xp-h1")]  # the refused one first, then the one held behind it
    assert [e.actor for e in logged(app, "cross.package_resent")] == ["admin", "admin"]
    assert listed(client, clerk)["xp-h1"]["state"] == "delivered"
    assert "发送记录（3 次）" in again.text and again.text.count("控制台 admin") == 2
    assert status_of(app, "xp-h1") == "answered"


def test_a_resent_package_that_cannot_get_through_keeps_its_check_in_order_until_the_worker_delivers(
        client: TestClient, app: FastAPI, peer: Receiver):
    refuse(peer)
    peer.start()
    place(app, "xp-h3", "higher", "submitted", date.today(), FAR)
    clerk = password_login(client, "zhoumin")
    ok(client.post(f"{API}/xp-h3/confirm", headers=clerk))
    assert listed(client, clerk)["xp-h3"]["state"] == "refused"
    ok(client.post(f"{API}/xp-h3/answer", headers=clerk, json={"answer": "未发现外省车辆"}))
    peer.stop()  # the county's server is down when the administrator re-sends
    admin = password_login(client, "admin")
    resent = ok(client.post(f"{API}/xp-h3/resend", headers=admin))["package"]
    # the confirmation is back in line (tried, not taken); the answer is no longer held, it waits its turn
    assert (resent["kind"], resent["state"], resent["attempts"]) == ("answered", "pending", 0)
    assert [e.subject for e in logged(app, "cross.package_resent")] == [logged(app, "cross.package_signed")[0].subject]
    as_(client, "admin")
    page = client.get(LIST).text
    assert "无法连接对方服务器（未开启或网络不通）" in page and "ConnectError" in page  # the raw error kept too
    take(peer)
    peer.start()
    services = app.state.services
    with httpx.Client() as http:
        services.clock.advance(hours=1)
        assert deliver_due(services, http) == 1  # the confirmation
        assert deliver_due(services, http) == 1  # then the answer
        assert deliver_due(services, http) == 0
    assert sent(peer) == [("confirmed", "xp-h3"), ("confirmed", "xp-h3"), ("answered", "xp-h3")]
    assert listed(client, clerk)["xp-h3"]["state"] == "delivered"
    page = client.get(LIST).text
    assert "发送记录（4 次）" in page and page.count("后台自动发送") == 2 and page.count("对方已接收（HTTP 204）") == 2
