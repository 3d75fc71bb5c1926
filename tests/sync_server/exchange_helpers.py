"""Helpers for the exchange tests (issue 20): a unit registered by the administrator, a submission with
its 委托名单 and 申报情况, its scans, the agency's release, and a report issued on a 信息核查-only case.
They take any client with .get/.post (TestClient in process, httpx.Client against a server process)."""
from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schemas.protocol import API_PREFIX
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_TEAM_ID, scan_png
from tests.sync_server.helpers import password_login

X = "/exchange/v1/entrustments"
ADMIN_UNITS = f"{API_PREFIX}/admin/exchange-units"
UNIT_NAME = "渝北区龙溪街道办事处"  # the demo township: its clerk chenjing's unit


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.headers.get("content-type", "").endswith("json") else response


def register_unit(client: Any, unit_id: str = "longxi", webhook_url: str = "") -> dict:
    """The administrator registers the unit's system: the answer holds the key and the webhook secret."""
    admin = password_login(client, "admin")
    return ok(client.post(ADMIN_UNITS, json={"id": unit_id, "name": UNIT_NAME, "team_id": DEMO_TEAM_ID,
                                             "webhook_url": webhook_url}, headers=admin), 201)


def unit_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def submission(reference: str, head: str = "孙立", amount: str = "1200", year: int = 1975) -> dict:
    """An entrustment for information checks only, with a declaration of income and deposits."""
    return {"reference": reference, "title": f"{head}家庭经济状况核查", "contact": "陈静", "phone": "023-67801234",
            "entrusted_on": "2026-11-16", "methods": ["information_check"],
            "address": "重庆市渝北区龙溪街道金山路 9 号",
            "subjects": [{"position": 1, "name": head, "id_number": make_id_number("500112", date(year, 4, 1), 12,
                                                                                   False), "relation": "户主"}],
            "declared": [{"section": 2, "item": "工资性收入", "amount": amount, "period": "2025 年",
                          "department": "人社", "matching_item": "领取待遇", "subject_position": 1},
                         {"section": 3, "item": "银行存款", "amount": "5000.5", "department": "银行",
                          "matching_item": "存款"}]}


def upload_scans(client: Any, key: str, reference: str) -> None:
    """The 委托书, then the head's 授权书 and ID proof."""
    for params, label in (({"kind": "entrustment"}, "委托书"),
                          ({"kind": "authorization", "subject_position": 1, "form": "paper"}, "授权书"),
                          ({"kind": "id_proof", "subject_position": 1}, "身份证明")):
        ok(client.post(f"{X}/{reference}/documents", params=params, content=scan_png(f"{label} {reference}"),
                       headers=unit_headers(key)), 201)


def release(client: Any, case_id: str) -> None:
    """The agency's two conformity checks by two people (R26)."""
    for who in ("wangfang", "zhoumin"):
        ok(client.post(f"{API_PREFIX}/intake/cases/{case_id}/conformity", json={"passed": True},
                       headers=password_login(client, who)))


def issue_report(client: Any, case_id: str, bank: str = "银行存款余额 5,000.50 元") -> dict:
    """信息交换岗 imports the matching results, the reviewer accepts, 核查报告岗 issues (R18, R42)."""
    lines = [{"section": 3, "department": "银行", "item": "存款", "summary": bank},
             {"section": 1, "department": "公安", "item": "户籍信息", "summary": "户籍在渝北区龙溪街道"}]
    ok(client.post(f"{API_PREFIX}/cases/{case_id}/matching-results", json=lines,
                   headers=password_login(client, "zhoumin")))
    reviewer = password_login(client, "wangfang")
    ok(client.post(f"{API_PREFIX}/cases/{case_id}/review", json={"action": "accept", "reason": "核查齐全"},
                   headers=reviewer))
    return ok(client.post(f"{API_PREFIX}/cases/{case_id}/reports", json={"summary": "经核查"}, headers=reviewer))


def through_release(client: Any, key: str, reference: str, **kw: Any) -> str:
    """Submit, upload the scans, hand in, release: the case id."""
    case_id = ok(client.post(X, json=submission(reference, **kw), headers=unit_headers(key)), 201)["case_id"]
    upload_scans(client, key, reference)
    ok(client.post(f"{X}/{reference}/submit", headers=unit_headers(key)))
    release(client, case_id)
    return case_id


@dataclass
class Receiver:
    """A unit's webhook endpoint on 127.0.0.1 (a real HTTP server in a thread) that records what it got."""

    port: int
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 204  # what it answers every POST (a test may make it refuse: 422 with a problem as `reply`)
    reply: bytes = b""
    server: http.server.ThreadingHTTPServer | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.arrived:
                    receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.arrived.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/problem+json")
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wait_for(self, count: int, timeout: float = 60) -> list[tuple[dict[str, str], bytes]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.got) >= count, timeout), self.got
            return list(self.got)
