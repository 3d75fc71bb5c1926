"""Issue 20 (R25, R38): a unit's system submits entrustments under its own reference, with its own key.

Same reference and content: the same case, no second one; other content under it: exchange.reference_conflict;
no key, a wrong or rotated key: refused with their codes, staff tokens too; another unit's reference is not
found. The scans, handing in and the agency's two checks work as for a clerk's case; the issued report
queues one message, signed with the unit's HMAC secret, delivered in order to a real HTTP receiver, and the
poll and the report show the declaration beside what was verified (R32)."""
from __future__ import annotations

import json

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import func, select

from sync_server.documents.result_delivery import deliver_due
from sync_server.documents.result_push import verify_signature
from sync_server.tables import Case, ExchangeDelivery, ExchangeMessage
from tests.field_app.helpers import closed_port
from tests.sync_server.exchange_helpers import (
    ADMIN_UNITS,
    UNIT_NAME,
    Receiver,
    X,
    issue_report,
    ok,
    register_unit,
    submission,
    through_release,
    unit_headers,
    upload_scans,
)
from tests.sync_server.helpers import password_login, problem_of


def cases_of_unit(app: FastAPI) -> int:
    with app.state.services.session() as session:
        return session.exec(select(func.count()).select_from(Case).where(Case.entrusting_unit == UNIT_NAME)).one()


def test_same_reference_same_case_and_other_content_is_a_conflict(client: TestClient, app: FastAPI):
    key = register_unit(client)["key"]
    before = cases_of_unit(app)
    first = client.post(X, json=submission("LX-2026-0001"), headers=unit_headers(key))
    assert first.status_code == 201, first.text
    assert first.json()["created"] and first.json()["status"] == "draft"
    assert "缺少加盖公章的委托书扫描件" in first.json()["missing"]
    again = client.post(X, json=submission("LX-2026-0001", amount="1200.00"), headers=unit_headers(key))
    assert again.status_code == 200 and not again.json()["created"]  # 1200 and 1200.00 are one amount
    assert again.json()["case_id"] == first.json()["case_id"]
    other = client.post(X, json=submission("LX-2026-0001", amount="1300"), headers=unit_headers(key))
    assert other.status_code == 409 and problem_of(other)["code"] == "exchange.reference_conflict"
    assert problem_of(other)["data"]["case_id"] == first.json()["case_id"]
    assert cases_of_unit(app) == before + 1
    bad = submission("LX-2026-0002")
    bad["subjects"][0]["id_number"] = bad["subjects"][0]["id_number"][:-1] + "0"
    refused = client.post(X, json=bad, headers=unit_headers(key))  # the clerk's checks apply (check digit)
    assert refused.status_code == 422 and "身份证号码" in problem_of(refused)["detail"]
    assert cases_of_unit(app) == before + 1


def test_keys_are_per_unit_and_bad_or_rotated_keys_are_refused(client: TestClient):
    issued = register_unit(client)
    key = issued["key"]
    assert key.startswith("hcx_") and issued["unit"]["key_prefix"] == key[:10]
    ok(client.post(X, json=submission("LX-1"), headers=unit_headers(key)), 201)
    nothing = client.get(f"{X}/LX-1")
    assert nothing.status_code == 401 and problem_of(nothing)["code"] == "auth.required"
    wrong = client.get(f"{X}/LX-1", headers=unit_headers(key[:-2] + "xx"))
    assert wrong.status_code == 401 and problem_of(wrong)["code"] == "exchange.key_invalid"
    staff = client.get(f"{X}/LX-1", headers=password_login(client, "wangfang"))
    assert staff.status_code == 403 and problem_of(staff)["code"] == "auth.forbidden"
    listed = ok(client.get(ADMIN_UNITS, headers=password_login(client, "admin")))
    assert [u["id"] for u in listed] == ["longxi"] and "key" not in listed[0]  # shown once, never listed
    rotated = ok(client.post(f"{ADMIN_UNITS}/longxi/key", headers=password_login(client, "admin")))
    old = client.get(f"{X}/LX-1", headers=unit_headers(key))
    assert old.status_code == 401 and problem_of(old)["code"] == "exchange.key_invalid"
    assert ok(client.get(f"{X}/LX-1", headers=unit_headers(rotated["key"])))["status"] == "draft"
    other_key = register_unit(client, "other")["key"]
    assert client.get(f"{X}/LX-1", headers=unit_headers(other_key)).status_code == 404  # not another unit's
    clerk_rotates = client.post(f"{ADMIN_UNITS}/longxi/key", headers=password_login(client, "wangfang"))
    assert clerk_rotates.status_code == 403


def test_scans_hand_in_and_release_as_for_a_clerk(client: TestClient):
    key = register_unit(client)["key"]
    case_id = ok(client.post(X, json=submission("LX-7"), headers=unit_headers(key)), 201)["case_id"]
    early = client.post(f"{X}/LX-7/submit", headers=unit_headers(key))
    assert early.status_code == 422 and "缺少" in problem_of(early)["detail"]  # materials incomplete (§5.2.3)
    upload_scans(client, key, "LX-7")
    first = ok(client.get(f"/api/v1/intake/cases/{case_id}", headers=password_login(client, "wangfang")))
    upload_scans(client, key, "LX-7")  # a retried upload of the same bytes adds nothing
    retried = ok(client.get(f"/api/v1/intake/cases/{case_id}", headers=password_login(client, "wangfang")))
    assert [d["id"] for d in retried["documents"]] == [d["id"] for d in first["documents"]]
    assert len(first["documents"]) == 3
    text = client.post(f"{X}/LX-7/documents", params={"kind": "entrustment"}, content=b"just text",
                       headers=unit_headers(key))
    assert text.status_code == 415 and problem_of(text)["code"] == "upload.type"  # checked by its bytes (R31)
    handed = ok(client.post(f"{X}/LX-7/submit", headers=unit_headers(key)))
    assert handed["status"] == "submitted" and handed["missing"] == []
    assert ok(client.get(f"{X}/LX-7", headers=unit_headers(key)))["status"] == "submitted"  # not released by it
    intake = ok(client.get(f"/api/v1/intake/cases/{case_id}", headers=password_login(client, "wangfang")))
    assert intake["entrusting_unit"] == UNIT_NAME and intake["subjects"][0]["name"] == "孙立"
    assert {d["uploaded_by"] for d in intake["documents"]} == {"unit-longxi"}


def test_an_issued_report_is_pushed_signed_and_polled_with_declared_against_verified(client: TestClient,
                                                                                     app: FastAPI, tmp_path):
    receiver = Receiver(closed_port())
    issued = register_unit(client, webhook_url=receiver.url)
    key, secret = issued["key"], issued["webhook_secret"]
    case_id = through_release(client, key, "LX-9")
    report = issue_report(client, case_id)
    services = app.state.services
    with httpx.Client() as http:
        assert deliver_due(services, http) == 0  # the receiver is down: kept, retried later
        with services.session() as session:
            message = session.exec(select(ExchangeMessage)).one()
            assert (message.seq, message.attempts, message.delivered_at) == (1, 1, None)
        receiver.start()
        try:
            assert deliver_due(services, http) == 0  # not due yet: back-off
            app.state.services.clock.advance(seconds=services.settings.exchange_retry_base_s)
            assert deliver_due(services, http) == 1
            assert deliver_due(services, http) == 0  # once
            headers, body = receiver.wait_for(1)[0]
        finally:
            receiver.stop()
    t = int(headers["x-exchange-signature"].split(",")[0][2:])
    assert verify_signature(secret, body, headers["x-exchange-signature"], t)
    assert not verify_signature(secret, body + b" ", headers["x-exchange-signature"], t)
    pushed = json.loads(body)
    assert (pushed["event"], pushed["seq"], pushed["reference"], pushed["case_id"]) == ("report.issued", 1, "LX-9",
                                                                                        case_id)
    assert pushed["report"]["number"] == report["number"]
    rows = pushed["declared_vs_verified"]
    assert rows[0][:3] == ["家庭收入情况", "工资性收入（2025 年）", "1,200.00 元"]
    assert rows[0][3] == "人社·领取待遇：未查询"  # R42: nothing imported for it
    assert rows[1][2:] == ["5,000.50 元", "银行·存款：银行存款余额 5,000.50 元"]
    polled = ok(client.get(f"{X}/LX-9", headers=unit_headers(key)))
    assert polled["declared_vs_verified"] == rows and polled["reports"][0]["version"] == 1
    pdf = client.get(polled["reports"][0]["pdf_url"], headers=unit_headers(key))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with services.session() as session:
        assert [d.status for d in session.exec(select(ExchangeDelivery).order_by(ExchangeDelivery.at))] == [0, 204]
