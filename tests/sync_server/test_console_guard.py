"""Console hardening (issue 5 §2): security headers on every console response, CSRF tokens on every
console change, the login refuses other origins, cookies are Secure under HTTPS (R6, R21)."""
from __future__ import annotations

import stat

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from sync_server.app import create_app
from sync_server.console.guard import SAFE_METHODS, SECRET_FILE
from sync_server.settings import Settings
from tests.sync_server.console_client import console_login, console_post, csrf_of, form_token
from tests.sync_server.helpers import CREDENTIALS, Clock, FieldTeam, api_client, home_visit
from tests.sync_server.testclient import TestClient

PAGE_HEADERS = {"x-frame-options": "DENY", "referrer-policy": "no-referrer", "x-content-type-options": "nosniff"}
CSP_PARTS = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
             "form-action 'self'"]


def assert_page_headers(response, what: str) -> None:
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, (what, name, response.headers.get(name))
    csp = response.headers.get("content-security-policy", "")
    for part in CSP_PARTS:
        assert part in csp, (what, part, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (what, csp)


@pytest.mark.both_databases
def test_every_console_page_sends_csp_frame_referrer_and_nosniff_headers(team: FieldTeam):
    """Issue 5 §2: a strict CSP (no inline script), DENY framing, no referrer, nosniff on every page."""
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    client = team.client
    anonymous = {"login": client.get("/console/login"), "home": client.get("/console/", follow_redirects=False),
                 "cases (signed out)": client.get("/console/cases", follow_redirects=False),
                 "css": client.get("/console/console.css"), "unknown": client.get("/console/nothing-here"),
                 "refused login": client.post("/console/login", data={"username": "x", "password": "y"})}
    assert console_login(client, "wangfang").status_code == 303
    photo = visit.record.evidence[0].sha256
    signed_in = {"cases": client.get("/console/cases"), "case": client.get("/console/cases/case-yb-2026-0001"),
                 "missing case": client.get("/console/cases/no-such-case"),
                 "preview": client.get(f"/console/evidence/{photo}/preview")}
    for what, response in {**anonymous, **signed_in}.items():
        assert_page_headers(response, what)
    for what in ("cases", "case"):
        assert "<script" not in signed_in[what].text  # nothing inline for the CSP to allow


@pytest.mark.both_databases
def test_a_console_form_without_or_with_a_wrong_csrf_token_is_refused(team: FieldTeam):
    """Issue 5 §2: login and logout need the token of this browser's form; the refusal changes nothing."""
    client = team.client
    password = CREDENTIALS["wangfang"].password
    form_token(client, "/console/login")  # the browser has its nonce cookie, but the attacker's post lacks the token
    for data in ({"username": "wangfang", "password": password},
                 {"username": "wangfang", "password": password, "csrf": "0" * 64}):
        refused = client.post("/console/login", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "页面已过期或请求来源不明" in refused.text
        assert "console_token" not in refused.headers.get("set-cookie", "")
    assert console_login(client, "wangfang").status_code == 303
    for data in ({}, {"csrf": "f" * 64}):
        assert client.post("/console/logout", data=data, follow_redirects=False).status_code == 403
    assert client.get("/console/cases", follow_redirects=False).status_code == 200  # still signed in
    assert console_post(client, "/console/logout", {}, follow_redirects=False).status_code == 303
    assert client.get("/console/cases", follow_redirects=False).status_code == 303


def test_a_token_of_one_session_is_worth_nothing_in_another(app: FastAPI, team: FieldTeam):
    """The token is bound to the console session (HMAC of its token), not shared between people."""
    console_login(team.client, "wangfang")
    stolen = form_token(team.client, "/console/cases")
    with api_client(app) as other:
        assert console_login(other, "chenjing").status_code == 303
        own = form_token(other, "/console/cases")
        assert own != stolen
        refused = other.post("/console/logout", data={"csrf": stolen}, follow_redirects=False)
        assert refused.status_code == 403
        assert other.post("/console/logout", data={"csrf": own}, follow_redirects=False).status_code == 303


@pytest.mark.both_databases
@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "http://testserver:8080"}])
def test_a_cross_origin_login_is_refused_even_with_a_valid_token(team: FieldTeam, headers: dict[str, str]):
    """Issue 5 §2: login CSRF (signing a reviewer in as the attacker) fails on Origin / Sec-Fetch-Site."""
    client = team.client
    data = {"username": "wangfang", "password": CREDENTIALS["wangfang"].password,
            "csrf": form_token(client, "/console/login")}
    refused = client.post("/console/login", data=data, headers=headers, follow_redirects=False)
    assert refused.status_code == 403 and "console_token" not in refused.headers.get("set-cookie", "")
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/console/login", data=data, headers=same, follow_redirects=False).status_code == 303


def api_routes(routes: list) -> list[APIRoute]:
    """Every API route, also inside included routers (FastAPI keeps those as one lazy route)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += api_routes(route.original_router.routes)
    return found


def test_every_state_changing_console_route_checks_the_token(app: FastAPI, client: TestClient):
    """One check covers every console route that changes something, today's and any added later."""
    routes = [(method, route.path) for route in api_routes(app.routes) if route.path.startswith("/console")
              for method in route.methods - SAFE_METHODS]
    assert ("POST", "/console/login") in routes and ("POST", "/console/logout") in routes
    form_token(client, "/console/login")
    for method, path in routes:
        url = path.replace("{", "").replace("}", "")  # any value for path parameters
        response = client.request(method, url, data={"csrf": "bad"}, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)


def test_cookies_are_secure_and_hsts_is_sent_under_https(app: FastAPI):
    """Issue 5 §6: over TLS the nonce and session cookies are Secure and browsers are told to stay on HTTPS."""
    with TestClient(app, base_url="https://testserver") as client:
        login_page = client.get("/console/login")
        assert "secure" in login_page.headers["set-cookie"].lower()
        assert login_page.headers["strict-transport-security"].startswith("max-age=")
        response = client.post("/console/login", follow_redirects=False, data={
            "username": "wangfang", "password": CREDENTIALS["wangfang"].password, "csrf": csrf_of(login_page.text)})
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "console_token=" in cookie and "secure" in cookie and "httponly" in cookie


def test_the_csrf_secret_is_owner_only_and_survives_a_restart(settings: Settings, app: FastAPI):
    """Tokens stay valid across a restart; the secret file is readable by the server's user only."""
    secret = settings.data_dir / SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and len(secret.read_bytes()) == 32
    with api_client(app) as client:
        token = form_token(client, "/console/login")
        nonce = client.cookies.get("console_csrf")
    again = create_app(settings, clock=Clock(app.state.services.clock()))
    try:
        with api_client(again) as client:
            client.cookies.set("console_csrf", nonce, path="/console")
            assert form_token(client, "/console/login") == token
    finally:
        again.state.services.engine.dispose()
