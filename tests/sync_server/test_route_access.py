"""Issue 5 §1: a surveyor's tablet token acts only on the routes a tablet needs (R6 duties split, R16).

Every operation of the app's OpenAPI document is iterated, so a route added later is covered: if it is
not classified in sync_server/api/access.py, the first test fails."""
from __future__ import annotations

import hashlib

import pytest
from fastapi import FastAPI

from sync_server.api import access
from tests.sync_server.helpers import CREDENTIALS, FieldTeam, device_login, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

SAMPLE = {"case_id": "case-none", "sha256": "0" * 64, "username": "lina", "key_id": "k-none",
          "document_id": "doc-none", "handover_id": "ho-none", "letter_id": "letter-none", "number": "2",
          "report_version": "1", "appraisal_id": "appraisal-none", "unit_id": "unit-none",
          "message_id": "xm-none", "org_id": "org-none", "check_id": "xp-none", "reference": "ref-none",
          "version": "1", "tablet_id": "tablet-none"}
BODY = {"reason": "测试"}


def operations(app: FastAPI) -> set[tuple[str, str]]:
    """(METHOD, path template) of every operation the app documents."""
    return {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
            if method in {"get", "put", "post", "delete", "patch", "head"}}


def call(team: FieldTeam, method: str, path: str, headers: dict[str, str] | None = None):
    url = path.format(**SAMPLE)
    kwargs = {"json": BODY} if method in {"POST", "PUT"} else {}
    return team.client.request(method, url, headers=headers or {}, **kwargs)


def test_every_route_is_classified_for_surveyor_tokens(app: FastAPI):
    classified = access.PUBLIC | access.SURVEYOR | access.STAFF_ONLY | access.UNIT | access.PEER
    assert operations(app) - classified == set(), "classify new routes in sync_server/api/access.py"
    assert classified - operations(app) == set(), "access.py names a route the app no longer has"
    assert not (access.SURVEYOR & access.STAFF_ONLY)


def test_r6_a_surveyor_token_is_refused_on_every_route_a_tablet_does_not_need(app: FastAPI, team: FieldTeam):
    for method, path in sorted(operations(app) - access.PUBLIC - access.SURVEYOR - access.PEER):
        response = call(team, method, path, team.headers["zhangwei"])
        assert response.status_code == 403, (method, path, response.text)
        if method != "HEAD":
            assert problem_of(response)["code"] == "auth.forbidden", (method, path)


def test_a_surveyor_token_reaches_the_routes_a_tablet_needs(app: FastAPI, team: FieldTeam):
    for method, path in sorted(access.SURVEYOR - {("POST", "/api/v1/auth/logout")}):
        response = call(team, method, path, team.headers["zhangwei"])
        assert response.status_code not in (401, 403), (method, path, response.text)


def test_every_route_but_sign_in_needs_a_token(app: FastAPI, team: FieldTeam):
    for method, path in sorted(operations(app) - access.PUBLIC - access.PEER):
        assert call(team, method, path).status_code == 401, (method, path)


def test_r16_a_device_token_works_only_with_the_id_of_its_device(app: FastAPI, team: FieldTeam):
    """A token copied off the tablet is useless from another device id, or with none."""
    headers = dict(team.headers["lina"])
    assert team.client.get("/api/v1/cases", headers=headers).status_code == 200
    for device in ("tablet-yb-02", ""):
        response = team.client.get("/api/v1/cases", headers={**headers, "X-Device-Id": device})
        assert problem_of(response)["code"] == "auth.invalid"
    del headers["X-Device-Id"]
    assert problem_of(team.client.get("/api/v1/cases", headers=headers))["code"] == "auth.invalid"


def test_r16_a_copied_device_token_uploads_nothing_from_another_device(team: FieldTeam):
    """The upload routes check the token in a session of their own (no DB session while bytes stream):
    the same device and route rules hold there, so a copied token stores no file from another device."""
    body = b"stolen evidence bytes"
    sha = hashlib.sha256(body).hexdigest()
    elsewhere = {**team.headers["lina"], "X-Device-Id": "tablet-yb-99"}
    attempts = [team.client.put(f"/api/v1/evidence/{sha}", content=body, headers=elsewhere),
                team.client.patch(f"/api/v1/uploads/{sha}", content=body, headers={
                    **elsewhere, "Upload-Offset": "0", "Upload-Length": str(len(body))}),
                team.client.post("/api/v1/evidence/missing", json={"sha256": [sha]}, headers=elsewhere)]
    assert [problem_of(r)["code"] for r in attempts] == ["auth.invalid"] * 3
    assert team.client.head(f"/api/v1/uploads/{sha}", headers=elsewhere).status_code == 401
    assert team.client.head(f"/api/v1/evidence/{sha}", headers=team.headers["lina"]).status_code == 404


def test_r16_logout_ends_the_token_on_the_server(team: FieldTeam):
    headers = device_login(team.client, "lina")
    assert team.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    for replay in (team.client.get("/api/v1/cases", headers=headers),
                   team.client.post("/api/v1/auth/logout", headers=headers)):
        assert problem_of(replay)["code"] == "auth.invalid"


def test_r6_a_surveyor_gets_no_api_token_from_a_password(team: FieldTeam):
    """Surveyors sign in on a tablet with their PIN only (device-login); their password opens nothing."""
    body = {"username": "lina", "password": CREDENTIALS["lina"].password}
    problem = problem_of(team.client.post("/api/v1/auth/login", json=body))
    assert (problem["code"], "token" in problem) == ("auth.forbidden", False)
