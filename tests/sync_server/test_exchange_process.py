"""Issue 20's proof against a real server process: a second client acting as the unit's system (the example
client of docs/EXCHANGE.md) submits, submits again under the same reference (no second case), is refused
with a bad key, and gets its results pushed to a webhook receiver that is down at first and then up: both
messages arrive once each, in order, signed; the result is also polled (R25, R32, R38)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from scripts.exchange_client import ExchangeClient, ExchangeError, verify
from sync_server.ops.seed import scan_png
from tests.field_app.helpers import closed_port
from tests.sync_server.exchange_helpers import (
    ADMIN_UNITS,
    Receiver,
    issue_report,
    ok,
    register_unit,
    release,
    submission,
)
from tests.sync_server.helpers import password_login
from tests.sync_server.pdf_checks import text_of
from tests.sync_server.server_process import Server

FAST_RETRY = {"SYNC_EXCHANGE_POLL_S": "0.2", "SYNC_EXCHANGE_RETRY_BASE_S": "0.2", "SYNC_EXCHANGE_RETRY_MAX_S": "1"}


@pytest.fixture
def server(tmp_path: Path):
    s = Server(tmp_path / "data", tmp_path / "server.log", env=FAST_RETRY).start()
    yield s
    s.stop()


def through_release(staff: httpx.Client, unit: ExchangeClient, reference: str, head: str, year: int) -> str:
    view = unit.submit(submission(reference, head=head, year=year))
    assert view["created"]
    unit.upload(reference, "entrustment", scan_png(f"委托书 {reference}"))
    unit.upload(reference, "authorization", scan_png(f"授权书 {reference}"), subject_position=1, form="paper")
    unit.upload(reference, "id_proof", scan_png(f"身份证明 {reference}"), subject_position=1)
    assert unit.hand_in(reference)["status"] == "submitted"
    release(staff, view["case_id"])
    return view["case_id"]


def delivered(staff: httpx.Client, admin: dict[str, str]) -> list[dict]:
    return ok(staff.get(f"{ADMIN_UNITS}/longxi/messages", headers=admin))


def test_a_units_system_submits_and_gets_its_results_once_in_order(server: Server, tmp_path: Path):
    receiver = Receiver(closed_port())
    with httpx.Client(base_url=server.url, timeout=30) as staff:
        issued = register_unit(staff, webhook_url=receiver.url)
        admin = password_login(staff, "admin")
        unit = ExchangeClient(server.url, issued["key"])
        first = through_release(staff, unit, "LX-2026-0101", "孙立", 1975)
        again = unit.submit(submission("LX-2026-0101", head="孙立", year=1975))
        assert (again["created"], again["case_id"]) == (False, first)  # no second case
        second = through_release(staff, unit, "LX-2026-0102", "王强", 1980)
        with ExchangeClient(server.url, issued["key"][:-3] + "abc") as bad, pytest.raises(ExchangeError) as refused:
            bad.result("LX-2026-0101")
        assert (refused.value.status, refused.value.code) == (401, "exchange.key_invalid")
        reports = [issue_report(staff, first), issue_report(staff, second)]  # the receiver is still down
        retried = lambda: all(m["attempts"] >= 2 for m in delivered(staff, admin) if m["seq"] == 1)  # noqa: E731
        wait_until(retried)
        assert [m["delivered_at"] for m in delivered(staff, admin)] == [None, None]
        assert [m["attempts"] for m in delivered(staff, admin)][0] == 0  # seq 2 waits behind seq 1: in order
        receiver.start()
        try:
            wait_until(lambda: all(m["delivered_at"] for m in delivered(staff, admin)))
            got = list(receiver.got)
        finally:
            receiver.stop()
        bodies = [json.loads(body) for _headers, body in got]
        assert [b["seq"] for b in bodies] == [1, 2]  # once each, in order
        assert [b["report"]["number"] for b in bodies] == [r["number"] for r in reports]
        assert all(verify(issued["webhook_secret"], body, h["x-exchange-signature"]) for h, body in got)
        polled = unit.result("LX-2026-0102")
        assert polled["case_id"] == second and polled["reports"][0]["number"] == reports[1]["number"]
        assert polled["declared_vs_verified"][1][3] == "银行·存款：银行存款余额 5,000.50 元"
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(unit.report_pdf(polled["reports"][0]["pdf_url"]))
        text = text_of(pdf)  # R32: the declaration printed beside what was verified
        assert "申报与核查对照" in text and "5,000.50 元" in text and "领取待遇：未查询" in text
        unit.close()


def wait_until(condition, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition (a readiness wait on the server's own state, never a fixed sleep as the check)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)
