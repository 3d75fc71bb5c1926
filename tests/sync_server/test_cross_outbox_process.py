"""R36 (§4.2.2) when the other agency's server is down, between two server processes with their own SQLite
files: the county submits while the province's server is stopped, and the step is recorded as submitted at
once with its signed package waiting; the province's server comes up and the county's worker delivers the
package once. The province confirms and answers while the county's server is stopped; when it comes back
both arrive, in order. The same package delivered again is answered 2xx and applied once (the sender died
between the other side's 2xx and its own commit)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from sync_server.tables import AuditEntry, CrossDelivery, CrossPackage
from tests.sync_server.exchange_helpers import ok
from tests.sync_server.helpers import password_login
from tests.sync_server.server_process import Server
from tests.sync_server.test_cross_province_process import PROVINCE, link, public_key

FAST = {"SYNC_EXCHANGE_POLL_S": "0.2", "SYNC_EXCHANGE_RETRY_BASE_S": "0.2", "SYNC_EXCHANGE_RETRY_MAX_S": "1"}
PACKAGES = "/exchange/v1/cross-province/packages"


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    county = Server(tmp_path / "county", tmp_path / "county.log", env=FAST).start()
    province = Server(tmp_path / "province", tmp_path / "province.log", env=FAST).start()
    yield county, province
    county.stop()
    province.stop()


def until(condition: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Wait for a condition (polled), never for a fixed time."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return found


def stored(server: Server, read: Callable[[Session], Any]) -> Any:
    """Read the server's own SQLite file (WAL: beside the running process)."""
    engine = create_engine(f"sqlite:///{server.data_dir / 'server.db'}")
    try:
        with Session(engine) as session:
            return read(session)
    finally:
        engine.dispose()


def logged(server: Server, kind: str) -> list[AuditEntry]:
    return stored(server, lambda s: list(s.exec(select(AuditEntry).where(AuditEntry.kind == kind)
                                                .order_by(col(AuditEntry.position)))))


def deliveries(server: Server, check_id: str) -> list[tuple[str, int]]:
    """Every attempt at the check's packages, oldest first: (kind, HTTP status)."""
    def read(session: Session) -> list[tuple[str, int]]:
        rows = session.exec(select(CrossPackage.kind, CrossDelivery.status)
                            .join(CrossDelivery, col(CrossDelivery.package_id) == col(CrossPackage.id))
                            .where(CrossPackage.check_id == check_id).order_by(col(CrossDelivery.at)))
        return [(kind, status) for kind, status in rows]
    return stored(server, read)


def body_of(server: Server, check_id: str, kind: str) -> bytes:
    return stored(server, lambda s: s.exec(select(CrossPackage.body).where(
        CrossPackage.check_id == check_id, CrossPackage.kind == kind)).one()).encode()


def the_check(client: httpx.Client, headers: dict[str, str], check_id: str) -> dict:
    return next(r for r in ok(client.get(f"{API_PREFIX}/cross-province", headers=headers)) if r["id"] == check_id)


def test_steps_wait_for_the_other_server_and_arrive_once_and_in_order(two):
    county_server, province_server = two
    with httpx.Client(base_url=county_server.url, timeout=30) as county, \
            httpx.Client(base_url=province_server.url, timeout=30) as province:
        county_admin, province_admin = password_login(county, "admin"), password_login(province, "admin")
        link(county, province_server.url, public_key(province, province_admin), PROVINCE, county_admin)
        link(province, county_server.url, public_key(county, county_admin), DEMO_AGENCY, province_admin)
        clerk_c = password_login(county, "zhoumin")
        need = ok(county.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/cross-province", headers=clerk_c,
                              json={"subject_ids": [f"{DEMO_CASE_ID}-s1"], "question": "核查在四川省的不动产登记"}), 201)
        check = need["id"]

        province_server.stop()  # the city's link is down
        sent = ok(county.post(f"{API_PREFIX}/cross-province/{check}/submit", headers=clerk_c))
        assert sent["status"] == "submitted" and sent["submitted_at"]  # the step is taken, now
        waiting = sent["package"]
        assert (waiting["kind"], waiting["state"], waiting["attempts"]) == ("request", "pending", 1)
        assert waiting["next_attempt_at"] and "待发送（已尝试 1 次，下次" in waiting["text"] and waiting["peer_answer"]
        assert [e.subject for e in logged(county_server, "cross.submitted")] == [check]

        province_server.start()  # back: the county's worker delivers it
        arrived = until(lambda: the_check(county, clerk_c, check)["package"]["state"] == "delivered"
                        and the_check(county, clerk_c, check), "the request was not delivered")
        assert arrived["package"]["text"].startswith("已送达")
        assert [s for _, s in deliveries(county_server, check)][-1] == 200
        assert [s for _, s in deliveries(county_server, check)].count(200) == 1  # once
        clerk_p = password_login(province, "zhoumin")
        there = ok(province.get(f"{API_PREFIX}/cross-province", headers=clerk_p))
        assert [(r["id"], r["status"]) for r in there] == [(check, "submitted")]
        # submitted when the county's clerk submitted it, not when the package arrived (§4.2.2)
        assert datetime.fromisoformat(there[0]["submitted_at"]) == datetime.fromisoformat(sent["submitted_at"])
        assert len(logged(province_server, "cross.received")) == 1

        county_server.stop()  # now the county is down: the province confirms and answers anyway
        confirmed = ok(province.post(f"{API_PREFIX}/cross-province/{check}/confirm", headers=clerk_p))
        assert confirmed["status"] == "confirmed" and confirmed["package"]["state"] == "pending"
        answered = ok(province.post(f"{API_PREFIX}/cross-province/{check}/answer", headers=clerk_p,
                                   json={"answer": "经四川省核对中心查询，未发现其名下不动产"}))
        assert answered["status"] == "answered" and answered["package"]["kind"] == "answered"
        assert answered["package"]["state"] == "pending" and answered["package"]["attempts"] == 0  # behind confirm
        county_server.start()
        until(lambda: the_check(province, clerk_p, check)["package"]["state"] == "delivered",
              "the answer was not delivered")
        sent_back = [(kind, s) for kind, s in deliveries(province_server, check) if s == 200]
        assert sent_back == [("confirmed", 200), ("answered", 200)]  # in order, each once
        clerk_c = password_login(county, "zhoumin")
        here = the_check(county, clerk_c, check)
        assert here["status"] == "answered" and here["confirmed_at"] and here["answer"].startswith("经四川省")
        steps = [e.kind for e in logged(county_server, "cross.confirmed") + logged(county_server, "cross.answered")]
        assert steps == ["cross.confirmed", "cross.answered"]
        assert logged(county_server, "cross.confirmed")[0].position < logged(county_server, "cross.answered")[0].position

        # the same packages again (a sender that died before recording the 2xx): 2xx, applied once
        for server, client, kind in ((county_server, province, "request"), (province_server, county, "answered"),
                                     (province_server, county, "confirmed")):
            again = client.post(PACKAGES, content=body_of(server, check, kind),
                                headers={"Content-Type": "application/json"})
            assert again.status_code == 200, again.text
        assert len(logged(province_server, "cross.received")) == 1
        assert len(ok(province.get(f"{API_PREFIX}/cross-province", headers=clerk_p))) == 1
        assert [len(logged(county_server, k)) for k in ("cross.confirmed", "cross.answered")] == [1, 1]
        assert the_check(county, clerk_c, check)["status"] == "answered"
