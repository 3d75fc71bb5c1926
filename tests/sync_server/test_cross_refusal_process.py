"""R36 (§4.2.2) between two server processes with their own SQLite files, when one refuses the other's
package: the county registered a wrong key for the province, so it refuses the province's confirmation. The
province's answer to the same check is then held behind the refused confirmation (had it gone on, the county
would have applied it and ignored the confirmation for ever as an older step), while the province's
confirmation of another check goes on once the county has fixed the key. The province's administrator
re-sends: the confirmation arrives, then the answer, and the county records both, in step order."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from tests.sync_server.cross_console_helpers import public_key as wrong_key  # any key but the province's
from tests.sync_server.exchange_helpers import ok
from tests.sync_server.helpers import password_login
from tests.sync_server.server_process import Server
from tests.sync_server.test_cross_outbox_process import FAST, deliveries, logged, the_check
from tests.sync_server.test_cross_province_process import PROVINCE, link, public_key


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    county = Server(tmp_path / "county", tmp_path / "county.log", env=FAST).start()
    province = Server(tmp_path / "province", tmp_path / "province.log", env=FAST).start()
    yield county, province
    county.stop()
    province.stop()


def test_a_refused_confirmation_holds_its_answer_and_both_arrive_in_order_when_resent(pair):
    county_server, province_server = pair
    with httpx.Client(base_url=county_server.url, timeout=30) as county, \
            httpx.Client(base_url=province_server.url, timeout=30) as province:
        county_admin, province_admin = password_login(county, "admin"), password_login(province, "admin")
        province_key = public_key(province, province_admin)
        link(county, province_server.url, wrong_key(), PROVINCE, county_admin)  # the county's mistake
        link(province, county_server.url, public_key(county, county_admin), DEMO_AGENCY, province_admin)
        clerk_c, clerk_p = password_login(county, "zhoumin"), password_login(province, "zhoumin")
        checks = []
        for question in ("核查在四川省的不动产登记", "核查在贵州省的车辆登记"):
            need = ok(county.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/cross-province", headers=clerk_c,
                                  json={"subject_ids": [f"{DEMO_CASE_ID}-s1"], "question": question}), 201)
            sent = ok(county.post(f"{API_PREFIX}/cross-province/{need['id']}/submit", headers=clerk_c))
            assert sent["package"]["state"] == "delivered"  # the province knows the county's key
            checks.append(need["id"])
        first, second = checks

        confirmed = ok(province.post(f"{API_PREFIX}/cross-province/{first}/confirm", headers=clerk_p))
        assert confirmed["package"]["state"] == "refused"
        assert confirmed["package"]["peer_answer"].startswith("HTTP 422 exchange.package_invalid")
        answered = ok(province.post(f"{API_PREFIX}/cross-province/{first}/answer", headers=clerk_p,
                                   json={"answer": "经四川省核对中心查询，未发现其名下不动产"}))
        assert answered["status"] == "answered"  # taken at the province all the same
        assert (answered["package"]["state"], answered["package"]["behind"]) == \
            ("held", confirmed["package"]["id"])

        fixed = county.put(f"{API_PREFIX}/admin/exchange-peers/{PROVINCE}", headers=county_admin,
                           json={"base_url": province_server.url, "public_key": province_key})
        assert fixed.status_code == 204, fixed.text  # the county fixes the key
        other = ok(province.post(f"{API_PREFIX}/cross-province/{second}/confirm", headers=clerk_p))
        assert other["package"]["state"] == "delivered"  # another check to the same agency goes on
        assert the_check(county, clerk_c, second)["status"] == "confirmed"
        assert the_check(county, clerk_c, first)["status"] == "submitted"  # nothing of the first arrived
        assert the_check(province, clerk_p, first)["package"]["state"] == "held"

        resent = ok(province.post(f"{API_PREFIX}/cross-province/{first}/resend", headers=province_admin))
        assert (resent["package"]["kind"], resent["package"]["state"]) == ("answered", "delivered")
        sent = [(kind, status) for kind, status in deliveries(province_server, first)]
        assert sent[:3] == [("confirmed", 422), ("confirmed", 200), ("answered", 200)]  # the answer never went first
        # once the confirmation is through, the province's own worker may send the answer as the re-send does
        # (a known race, in the closing note); the county answers 2xx to it again and applies it once (below)
        assert set(sent[3:]) <= {("answered", 200)}
        here = the_check(county, clerk_c, first)
        assert here["status"] == "answered" and here["confirmed_at"] and here["answer"].startswith("经四川省")
        confirmations = [e.subject for e in logged(county_server, "cross.confirmed")]
        assert confirmations == [second, first]
        first_confirmed = logged(county_server, "cross.confirmed")[1]
        answers = logged(county_server, "cross.answered")
        assert len(answers) == 1 and first_confirmed.position < answers[0].position
