"""R36's outbox in the console and the API (office/cross_outbox.py): a package the other agency's server
refuses (4xx) stops, says what it answered, and is re-sent by an administrator after the registration is
fixed; a package to a server that is down waits with back-off, and the next one to the same agency never
overtakes it. The other server is a real HTTP server on 127.0.0.1 (exchange_helpers.Receiver); the app's own
worker sleeps (the in-process settings of tests/sync_server/conftest.py), the test's passes are the only ones."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, select

from schemas.seal import key_id
from sync_server.office.cross_outbox import PACKAGES, deliver_due
from sync_server.office.cross_province import CONTEXT
from sync_server.ops.seed import DEMO_AGENCY
from sync_server.tables import CrossDelivery, ExchangePeer
from tests.sync_server.admin_console_helpers import logged
from tests.sync_server.console_client import console_post
from tests.sync_server.cross_console_helpers import (
    COUNTY,
    REFUSAL,
    as_,
    linked_peer,
    packages,
    place,
    status_of,
)
from tests.sync_server.exchange_helpers import Receiver, ok
from tests.sync_server.helpers import password_login

LIST = "/console/cross-province"


@pytest.fixture
def peer(app: FastAPI) -> Iterator[Receiver]:
    with linked_peer(app, listening=False) as receiver:
        yield receiver


def attempts(app: FastAPI) -> list[tuple[int, str]]:
    with app.state.services.session() as session:
        return [(d.status, d.by) for d in session.exec(select(CrossDelivery).order_by(col(CrossDelivery.at)))]


def test_a_refused_package_stops_and_an_administrator_resends_it(client: TestClient, app: FastAPI, peer: Receiver):
    peer.status, peer.reply = 422, json.dumps(REFUSAL).encode()
    peer.start()
    place(app, "xp-no", "lower", "needed", date.today(), date(2099, 1, 1))
    as_(client, "zhoumin")
    sent = console_post(client, f"{LIST}/xp-no/submit", {}, page=LIST)
    assert sent.status_code == 200 and "xp-no：已报送上级机构" in sent.text  # the step is taken all the same
    assert "被拒收（对方答复 HTTP 422 exchange.package_invalid：发送机构未登记，或其签名密钥与登记的不同）" in sent.text
    assert status_of(app, "xp-no") == "submitted" and "重新发送</button>" not in sent.text  # not for a clerk
    services = app.state.services
    with httpx.Client() as http:
        services.clock.advance(hours=3)
        assert deliver_due(services, http) == 0  # refused: not tried again by the worker
    assert len(peer.got) == 1 and attempts(app) == [(422, "console:zhoumin")]
    assert [e.subject for e in logged(app, "cross.package_refused")] == [packages_id(app)]
    clerk = password_login(client, "zhoumin")
    shown = ok(client.get("/api/v1/cross-province", headers=clerk))[0]["package"]
    assert (shown["state"], shown["next_attempt_at"]) == ("refused", None)
    assert shown["peer_answer"].startswith("HTTP 422 exchange.package_invalid")
    refused = console_post(client, f"{LIST}/xp-no/resend", {}, page=LIST)
    assert refused.status_code == 403 and "仅管理员" in refused.text and len(peer.got) == 1
    assert client.post("/api/v1/cross-province/xp-no/resend", headers=clerk).status_code == 403

    peer.status, peer.reply = 204, b""  # the other side registered our key anew
    as_(client, "admin")
    listed = client.get(LIST).text
    assert 'action="/console/cross-province/xp-no/resend"' in listed and "被拒收（对方答复" in listed
    again = console_post(client, f"{LIST}/xp-no/resend", {}, page=LIST)
    assert again.status_code == 200 and "xp-no：数据包已送达" in again.text
    assert 'action="/console/cross-province/xp-no/resend"' not in again.text
    assert [p["type"] for p in packages(peer)] == ["request", "request"]
    assert attempts(app) == [(422, "console:zhoumin"), (204, "console:admin")]
    assert [(e.actor, e.subject) for e in logged(app, "cross.package_resent")] == [("admin", packages_id(app))]
    done = console_post(client, f"{LIST}/xp-no/resend", {}, page=LIST)
    assert done.status_code == 409 and "已送达" in done.text and len(peer.got) == 2


def packages_id(app: FastAPI) -> str:
    return logged(app, "cross.package_signed")[0].subject


def test_a_package_waits_for_a_server_that_is_down_and_the_next_never_overtakes_it(
        client: TestClient, app: FastAPI, peer: Receiver):
    place(app, "xp-a", "lower", "needed", date.today(), date(2099, 1, 1))
    place(app, "xp-b", "lower", "needed", date.today(), date(2099, 1, 1))
    clerk = password_login(client, "zhoumin")
    first = ok(client.post("/api/v1/cross-province/xp-a/submit", headers=clerk))
    second = ok(client.post("/api/v1/cross-province/xp-b/submit", headers=clerk))
    assert (first["status"], first["package"]["state"], first["package"]["attempts"]) == ("submitted", "pending", 1)
    assert (second["package"]["state"], second["package"]["attempts"]) == ("pending", 0)  # not tried before xp-a
    services, base = app.state.services, app.state.services.settings.exchange_retry_base_s
    with httpx.Client() as http:
        assert deliver_due(services, http) == 0  # xp-a is not due yet (back-off), xp-b is behind it
        services.clock.advance(seconds=base)
        assert deliver_due(services, http) == 0  # still down: the next wait doubles
        waiting = ok(client.get("/api/v1/cross-province", headers=clerk))
        assert [(r["id"], r["package"]["attempts"]) for r in waiting] == [("xp-a", 2), ("xp-b", 0)]
        peer.start()
        assert deliver_due(services, http) == 0  # 2 × base not passed
        services.clock.advance(seconds=2 * base)
        assert deliver_due(services, http) == 1
        assert deliver_due(services, http) == 1
        assert deliver_due(services, http) == 0  # once each
    assert [p["id"] for p in packages(peer)] == ["xp-a", "xp-b"]
    shown = ok(client.get("/api/v1/cross-province", headers=clerk))
    assert [r["package"]["state"] for r in shown] == ["delivered", "delivered"]
    as_(client, "zhoumin")
    page = client.get(LIST).text
    assert page.count("已送达（") == 2 and "以经办人点击「报送上级机构」、本机构签发数据包的时间为准" in page


def test_a_repeated_request_is_applied_once_and_another_under_its_id_is_refused(client: TestClient, app: FastAPI,
                                                                                peer: Receiver):
    """The receiving side of the outbox's repeats: the lower agency (the county under the demo agency) posts."""
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with app.state.services.session() as session:
        county = session.get(ExchangePeer, COUNTY)
        assert county is not None
        county.public_key, county.key_id = base64.b64encode(raw).decode(), key_id(raw)
        session.add(county)
        session.commit()
    payload = {"type": "request", "id": "xp-twice", "from_agency": COUNTY, "to_agency": DEMO_AGENCY, "subjects": [],
               "question": "核查外省车辆", "needed_on": "2026-11-16", "submit_due": "2026-11-19",
               "at": "2026-11-16T02:00:00+00:00"}

    def signed(body: dict) -> dict:
        signature = base64.b64encode(key.sign(CONTEXT + rfc8785.dumps(body))).decode()
        return {"payload": body, "key_id": key_id(raw), "signature": signature}

    first = ok(client.post(PACKAGES, json=signed(payload)))
    again = ok(client.post(PACKAGES, json=signed(payload)))
    assert first == again and first["status"] == "submitted" and first["submitted_at"].startswith("2026-11-16T02")
    assert [e.subject for e in logged(app, "cross.received")] == ["xp-twice"]
    other = client.post(PACKAGES, json=signed(payload | {"question": "换了内容"}))
    assert other.status_code == 422 and "内容不同" in other.json()["detail"]
    assert len(logged(app, "cross.received")) == 1 and status_of(app, "xp-twice") == "submitted"
