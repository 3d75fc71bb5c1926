"""Object-level access on every /api/v1 route (R6, R21): a table of route × who is asking → allowed or denied.

Denied means 401, 403 or 404 (a case one may not see is not shown); allowed means anything else below 500
(a 409 or 422 on an allowed route is the service speaking, not the gate). A route added later fails
`test_every_api_route_is_in_the_matrix` until someone decides who may call it: that is intended.

Not yet a column: "other agency". The server has no agency on accounts or cases yet (helper w6-intake
adds scopes); reviewers and administrators currently see every case. Add the column with the scope.
"""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from schemas.protocol import AccountRole
from sync_server.auth import create_account
from sync_server.seed import DEMO_CASE_ID
from sync_server.tables import Account
from tests.sync_server.helpers import FieldTeam, home_visit, password_login
from tests.sync_server.test_review_api import PDF, entrust

ACTORS = ("own_team", "other_team", "township", "other_township", "reviewer", "admin", "closed")
PUBLIC = "public"
C = f"/api/v1/cases/{DEMO_CASE_ID}"

# route -> one letter per actor, in ACTORS order: A allowed, D denied
MATRIX: dict[str, str] = {
    "POST /api/v1/auth/device-login": PUBLIC,
    "POST /api/v1/auth/login": PUBLIC,
    "PUT /api/v1/keys": "AADDDDD",
    "GET /api/v1/accounts/{username}/keys": "AAAAAAD",
    "GET /api/v1/cases": "AAAAAAD",
    "GET /api/v1/cases/{case_id}": "ADADAAD",
    "HEAD /api/v1/evidence/{sha256}": "AAAAAAD",  # existence only, never the bytes
    "PUT /api/v1/evidence/{sha256}": "AADDDDD",
    "GET /api/v1/evidence/{sha256}": "ADADAAD",
    "POST /api/v1/records": "ADDDDDD",
    "GET /api/v1/review/cases": "AAAAAAD",
    "GET /api/v1/cases/{case_id}/review": "ADADAAD",
    "POST /api/v1/cases/{case_id}/review": "DDDDADD",
    "GET /api/v1/cases/{case_id}/rounds": "ADADAAD",
    "POST /api/v1/cases/{case_id}/rounds": "DDDDADD",
    "POST /api/v1/cases/{case_id}/rounds/{number}/result": "DDDDADD",
    "GET /api/v1/cases/{case_id}/letters": "ADADAAD",
    "POST /api/v1/cases/{case_id}/letters": "DDDDADD",
    "POST /api/v1/cases/{case_id}/letters/{letter_id}/follow-ups": "DDDDADD",
    "PUT /api/v1/cases/{case_id}/letters/{letter_id}/answer": "DDDDADD",
}

LETTER = {"addressee_unit": "渝北区社保局", "documents": "缴费记录", "channel": "fax", "sent_at": "2026-11-17T02:00:00Z",
          "receiver_name": "周红", "receiver_phone": "023-67801234"}
OBJECTION = {"objected_by": "unit", "objector_name": "陈静", "grounds": "人口有变", "objected_on": "2026-11-17",
             "methods": ["home_visit"]}


def api_routes(app: FastAPI) -> set[str]:
    """Every (method, full path) under /api/v1, whether FastAPI keeps included routers flat or nested."""
    found: set[str] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            contexts = [(route.path, route.methods)]
        elif hasattr(route, "effective_route_contexts"):  # FastAPI ≥ 0.165 nests included routers
            contexts = [(c.path, c.methods) for c in route.effective_route_contexts()]
        else:
            continue
        found |= {f"{m} {path}" for path, methods in contexts if path.startswith("/api/v1") for m in methods or ()}
    return found


def test_every_api_route_is_in_the_matrix(app: FastAPI):
    """A new route must be classified here before it ships."""
    assert api_routes(app) == set(MATRIX)


@pytest.fixture
def world(app: FastAPI, team: FieldTeam, outsider):
    """Every actor signed in; a merged record with its files, a letter and an open round on the demo case."""
    entrust(app, "home_visit", "letter_request")
    visit = home_visit()
    assert team.submit(visit).status_code == 200
    with app.state.services.session() as session:
        create_account(session, username="sunli", name="孙丽", role=AccountRole.TOWNSHIP, password="Shuang#Long2026",
                       unit="渝北区双龙湖街道办事处")
        create_account(session, username="zhoujie", name="周杰", role=AccountRole.REVIEWER,
                       password="Gone#Reviewer26")
        session.commit()
    headers = {"own_team": team.headers["zhangwei"], "other_team": outsider[0],
               "township": password_login(team.client, "chenjing"),
               "other_township": password_login(team.client, "sunli", "Shuang#Long2026"),
               "reviewer": team.headers["wangfang"], "admin": password_login(team.client, "admin"),
               "closed": password_login(team.client, "zhoujie", "Gone#Reviewer26")}
    with app.state.services.session() as session:
        closed = session.get(Account, "zhoujie")
        closed.active = False  # the holder left (R4): their live token no longer opens anything
        session.add(closed)
        session.commit()
    letter = team.client.post(f"{C}/letters", json=LETTER, headers=headers["reviewer"]).json()["id"]
    assert team.client.post(f"{C}/rounds", json=OBJECTION, headers=headers["reviewer"]).status_code == 200
    return {"headers": headers, "visit": visit, "team": team, "letter": letter,
            "sha": visit.record.evidence[0].sha256}


def call(world: dict, route: str, actor: str):
    client, headers = world["team"].client, world["headers"][actor]
    method, path = route.split(" ", 1)
    sha, visit = world["sha"], world["visit"]
    url = (path.replace("{case_id}", DEMO_CASE_ID).replace("{sha256}", sha).replace("{username}", "zhangwei")
           .replace("{letter_id}", world["letter"]).replace("{number}", "2"))
    kwargs: dict = {"headers": headers}
    if route == "PUT /api/v1/keys":
        kwargs["json"] = {"key_id": "k", "public_key": "AAAA"}  # refused by the service (422), not the gate
    elif route == "PUT /api/v1/evidence/{sha256}":
        kwargs["content"] = visit.files[sha]
    elif route == "POST /api/v1/records":
        kwargs.update(content=world["team"].seal(visit.record).model_dump_json(),
                      headers={**headers, "content-type": "application/json"})
    elif route.endswith("/review") and method == "POST":
        kwargs["json"] = {"action": "comment", "reason": "矩阵测试"}
    elif route.endswith("/rounds"):
        kwargs["json"] = OBJECTION
    elif route.endswith("/result"):
        kwargs["json"] = {"result": "维持", "fed_back_to": "陈静", "fed_back_on": "2026-11-18"}
    elif route.endswith("/letters") and method == "POST":
        kwargs["json"] = LETTER
    elif route.endswith("/follow-ups"):
        kwargs["json"] = {"at": "2026-11-18T02:00:00Z", "note": "催办"}
    elif route.endswith("/answer"):
        kwargs["content"] = PDF
    return client.request(method, url, **kwargs)


@pytest.mark.parametrize("route", [r for r, e in MATRIX.items() if e != PUBLIC])
def test_each_route_lets_in_exactly_who_may_call_it(world, route):
    """R6 (duties split), R21 (object-level access), R4 (closed accounts): the whole row must match."""
    got = ""
    for actor in ACTORS:
        status = call(world, route, actor).status_code
        assert status < 500, (route, actor, status)
        got += "D" if status in (401, 403, 404) else "A"
    assert got == MATRIX[route], f"{route}: expected {MATRIX[route]}, got {got} for {ACTORS}"


def test_a_township_clerk_of_another_township_sees_nothing(world):
    """Issue 6: the other township's clerk lists no case and finds none by search."""
    client, headers = world["team"].client, world["headers"]["other_township"]
    assert client.get("/api/v1/cases", headers=headers).json() == []
    assert client.get("/api/v1/review/cases", params={"q": "王建国"}, headers=headers).json()["total"] == 0
    assert [c["id"] for c in client.get("/api/v1/cases", headers=world["headers"]["other_team"]).json()] == []
