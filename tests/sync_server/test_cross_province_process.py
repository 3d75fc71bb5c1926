"""R36 (§4.2.2) between two server instances with their own databases: the county agency (yb-hdzx) records
that its case needs a check outside the province (3 working days to submit), submits it to the higher agency's
server as a signed package; the province (cq-sheng) confirms and returns the result, signed; the county feeds
it back into the case (3 working days). Each step is visible at both levels (the answer is given and seen
through the two consoles); a tampered package is refused."""
from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.exchange_helpers import ok
from tests.sync_server.helpers import password_login, problem_of
from tests.sync_server.server_process import Server

PROVINCE = "cq-sheng"


@pytest.fixture
def two(tmp_path: Path):
    county = Server(tmp_path / "county", tmp_path / "county.log").start()
    province = Server(tmp_path / "province", tmp_path / "province.log").start()
    yield county, province
    county.stop()
    province.stop()


def public_key(client: httpx.Client, admin: dict[str, str]) -> str:
    return client.get(f"{API_PREFIX}/agency-key", headers=admin).text.splitlines()[0]


def link(here: httpx.Client, there_url: str, there_key: str, peer: str, admin: dict[str, str]) -> None:
    """Both servers know the hierarchy (the county under the province) and the other's server and key."""
    body = {"id": PROVINCE, "name": "重庆市社会救助家庭经济状况核对中心", "kind": "agency"}
    assert here.post(f"{API_PREFIX}/organisations", json=body, headers=admin).status_code in (200, 201)
    assert here.put(f"{API_PREFIX}/organisations/{DEMO_AGENCY}/parent", json={"parent_id": PROVINCE},
                    headers=admin).status_code == 204
    put = here.put(f"{API_PREFIX}/admin/exchange-peers/{peer}", json={"base_url": there_url, "public_key": there_key},
                   headers=admin)
    assert put.status_code == 204, put.text


def test_r36_a_cross_province_check_travels_between_two_servers(two):
    county_server, province_server = two
    with httpx.Client(base_url=county_server.url, timeout=30) as county, \
            httpx.Client(base_url=province_server.url, timeout=30) as province:
        county_admin, province_admin = password_login(county, "admin"), password_login(province, "admin")
        county_key, province_key = public_key(county, county_admin), public_key(province, province_admin)
        assert county_key != province_key  # two agencies, two keys
        county_id = county.get(f"{API_PREFIX}/agency-key", headers=county_admin).text.splitlines()[1].split()[1]
        link(county, province_server.url, province_key, PROVINCE, county_admin)
        link(province, county_server.url, county_key, DEMO_AGENCY, province_admin)
        clerk_c, clerk_p = password_login(county, "zhoumin"), password_login(province, "zhoumin")  # 信息交换岗

        need = ok(county.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/cross-province", headers=clerk_c,
                              json={"subject_ids": [f"{DEMO_CASE_ID}-s1"], "question": "核查在四川省的不动产登记"}), 201)
        assert need["status"] == "needed" and need["to_agency"] == PROVINCE and need["submit_due"] > need["needed_on"]
        sent = ok(county.post(f"{API_PREFIX}/cross-province/{need['id']}/submit", headers=clerk_c))
        assert sent["status"] == "submitted"
        there = ok(province.get(f"{API_PREFIX}/cross-province", headers=clerk_p))
        assert [(r["id"], r["side"], r["status"]) for r in there] == [(need["id"], "higher", "submitted")]
        assert there[0]["question"] == "核查在四川省的不动产登记" and there[0]["submit_due"] == need["submit_due"]

        # the province confirms through the API, and answers through its console (the same service)
        ok(province.post(f"{API_PREFIX}/cross-province/{need['id']}/confirm", headers=clerk_p))
        here = ok(county.get(f"{API_PREFIX}/cross-province", headers=clerk_c))[0]
        assert here["status"] == "confirmed" and here["confirmed_at"]
        assert console_login(province, "zhoumin").status_code == 303
        console = console_post(province, f"/console/cross-province/{need['id']}/answer",
                               {"answer": "经四川省核对中心查询，未发现其名下不动产"}, page="/console/cross-province")
        assert console.status_code == 200 and "结果已返回下级机构" in console.text and "承办方（上级）" in console.text
        here = ok(county.get(f"{API_PREFIX}/cross-province", headers=clerk_c))[0]
        assert here["status"] == "answered" and here["answer"] == "经四川省核对中心查询，未发现其名下不动产"
        assert here["feedback_due"] > here["answered_at"][:10]  # 3 working days from its arrival
        assert console_login(county, "zhoumin").status_code == 303
        listed = county.get("/console/cross-province").text  # the county's console shows the answer to feed back
        assert "经四川省核对中心查询" in listed and "反馈结果（写入报告）" in listed and here["feedback_due"] in listed
        fed = ok(county.post(f"{API_PREFIX}/cross-province/{need['id']}/feed-back", headers=clerk_c))
        assert fed["status"] == "fed_back"
        assert ok(province.get(f"{API_PREFIX}/cross-province", headers=clerk_p))[0]["status"] == "answered"

        # a package whose payload was changed after signing is refused, and so is an unknown sender
        package = ok(county.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/cross-province", headers=clerk_c,
                                 json={"subject_ids": [f"{DEMO_CASE_ID}-s1"], "question": "核查外省车辆"}), 201)
        forged = {"payload": {"type": "request", "id": "xp-forged", "from_agency": DEMO_AGENCY,
                              "to_agency": PROVINCE, "subjects": [], "question": "改过的", "needed_on": "2026-11-17",
                              "submit_due": "2026-11-20", "at": "2026-11-17T00:00:00Z"},
                  "key_id": county_id, "signature": base64.b64encode(b"\0" * 64).decode()}
        refused = province.post("/exchange/v1/cross-province/packages", json=forged)
        assert refused.status_code == 422 and problem_of(refused)["code"] == "exchange.package_invalid"
        assert problem_of(refused)["detail"] == "数据包签名验证失败"
        stranger = province.post("/exchange/v1/cross-province/packages", json=forged | {"key_id": "0" * 16})
        assert stranger.status_code == 422 and "未登记" in problem_of(stranger)["detail"]
        assert len(ok(province.get(f"{API_PREFIX}/cross-province", headers=clerk_p))) == 1
        assert package["status"] == "needed"
