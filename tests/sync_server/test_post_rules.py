"""Posts bind (§4.3.1, R33): every state-changing route has a post rule, each post lets in its holder and
nobody else, the console says why in Chinese, and nobody reviews or reports on a case they surveyed.

The rules live in the services (sync_server/posts.py names them per route); the access matrix
(test_access_matrix.py) shows posts denied like roles, this file checks each post on its own."""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from schemas.protocol import AccountRole
from schemas.staffing import Post
from sync_server.accounts.auth import create_account
from sync_server.accounts.posts import NO_POST, ROUTE_POSTS
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from sync_server.tables import Account
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.dossier_helpers import accept_review
from tests.sync_server.helpers import FieldTeam, home_visit, password_login, problem_of
from tests.sync_server.office_helpers import clear_for_field_work
from tests.sync_server.test_access_matrix import NO_POST as POSTLESS
from tests.sync_server.test_access_matrix import call, world  # noqa: F401  (the matrix's world fixture)

READING = {"GET", "HEAD", "OPTIONS"}
C = f"/api/v1/cases/{DEMO_CASE_ID}"
API_POST_ROUTES = sorted(r for r, p in ROUTE_POSTS.items() if isinstance(p, Post) and r.split(" ")[1].startswith("/api"))


def changing_routes(app: FastAPI) -> set[str]:
    """Every state-changing (method, path) of the app, API and console, whether routers are kept flat or nested."""
    found: set[str] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            contexts = [(route.path, route.methods)]
        elif hasattr(route, "effective_route_contexts"):
            contexts = [(c.path, c.methods) for c in route.effective_route_contexts()]
        else:
            continue
        found |= {f"{m} {path}" for path, methods in contexts for m in methods or () if m not in READING}
    return found


def test_every_state_changing_route_has_a_post_rule(app: FastAPI):
    """A route added without deciding which post it needs (or saying why none) fails here."""
    routes = changing_routes(app)
    assert {r for r in routes if r.split(" ")[1].startswith("/console")}, "console routes are enumerated too"
    assert routes - set(ROUTE_POSTS) == set(), "routes without a post rule"
    assert set(ROUTE_POSTS) - routes == set(), "rules for routes that do not exist"
    for route, rule in ROUTE_POSTS.items():
        assert isinstance(rule, Post) or (rule.startswith(NO_POST) and len(rule) > len(NO_POST) + 5), route


def set_posts(app: FastAPI, username: str, posts: list[Post]) -> None:
    with app.state.services.session() as session:
        account = session.get(Account, username)
        assert account is not None
        account.posts = [p.value for p in posts]
        session.add(account)
        session.commit()
    clear_for_field_work(app, username)  # a lapsed pledge is refused at every post too (R41)


@pytest.mark.parametrize("route", API_POST_ROUTES)
def test_each_post_lets_in_its_holder_and_nobody_else(world, app: FastAPI, route: str):  # noqa: F811
    """R33: a reviewer holding every post but this one is refused (403 staff.post_required, in Chinese);
    holding only this one, the gate lets them through (the service may still say 409 or 422)."""
    post = ROUTE_POSTS[route]
    assert isinstance(post, Post)
    set_posts(app, POSTLESS, [p for p in Post if p != post])
    refused = call(world, route, "no_post")
    assert refused.status_code == 403, (route, refused.status_code, refused.text)
    problem = problem_of(refused)
    assert problem["code"] == "staff.post_required" and problem["data"]["post"] == post.value
    assert "未担任" in problem["detail"] and "岗位" in problem["title"]
    set_posts(app, POSTLESS, [post])
    allowed = call(world, route, "no_post")
    assert allowed.status_code < 500 and allowed.status_code not in (401, 403, 404), (route, allowed.text)


def test_the_console_says_which_post_is_missing(team: FieldTeam):
    """周敏 holds 受理岗, 核查报告岗 and 信息交换岗, not 核证岗: her review decision is refused in Chinese."""
    assert team.submit(home_visit()).status_code == 200
    assert console_login(team.client, "zhoumin").status_code == 303
    case = f"/console/cases/{DEMO_CASE_ID}"
    page = console_post(team.client, f"{case}/review", {"action": "accept", "reason": "看过"}, page=case)
    assert page.status_code == 403
    assert "周敏 未担任核证岗" in page.text and "岗位" in page.text
    state = team.client.get(f"{C}/review", headers=team.headers["wangfang"]).json()
    assert state["history"] == []  # nothing was kept


def test_nobody_reviews_or_reports_on_a_case_they_surveyed(team: FieldTeam, app: FastAPI):
    """R33: 张伟 surveyed the case; his second account (same work ID, a reviewer with every post) may
    neither decide on it nor issue its report; 王芳, who did not survey, may."""
    assert team.submit(home_visit()).status_code == 200
    with app.state.services.session() as session:
        create_account(session, username="zhangwei.hc", name="张伟", role=AccountRole.REVIEWER, work_id="YB-2026-017",
                       password="Both#Hats2026zw", org_id=DEMO_AGENCY, posts=[p.value for p in Post])
        session.commit()
    clear_for_field_work(app, "zhangwei.hc")
    himself = password_login(team.client, "zhangwei.hc", "Both#Hats2026zw")
    decided = team.client.post(f"{C}/review", json={"action": "accept", "reason": "我自己查的"}, headers=himself)
    assert decided.status_code == 403 and problem_of(decided)["code"] == "staff.own_survey"
    accept_review(team)
    issued = team.client.post(f"{C}/reports", json={"summary": "自己出具"}, headers=himself)
    assert issued.status_code == 403 and problem_of(issued)["code"] == "staff.own_survey"
    assert "参与本案外勤调查" in problem_of(issued)["title"]
    assert team.client.post(f"{C}/reports", json={"summary": "概述"}, headers=team.headers["wangfang"]).status_code == 200
