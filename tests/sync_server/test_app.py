"""The app's contract: every endpoint of schemas/protocol.py is served and described; errors are problems."""
from __future__ import annotations

import re

import schemas.protocol
from schemas.protocol import API_PREFIX
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.sync_server.helpers import CREDENTIALS, FieldTeam, api_client, problem_of

ENDPOINT_LINE = re.compile(r"^\s+(GET|POST|PUT|PATCH|HEAD|DELETE)\s+(/\S+)", re.MULTILINE)


def test_openapi_lists_every_endpoint_of_the_protocol(team: FieldTeam):
    """The endpoint list in schemas/protocol.py's docstring is the contract; /openapi.json must match it."""
    endpoints = ENDPOINT_LINE.findall(schemas.protocol.__doc__ or "")
    assert len(endpoints) == 19  # 10 of the first release + 4 resumable uploads and 1 batch (issue 9) + 4 sign-out and keys (issue 5)
    spec = team.client.get("/openapi.json").json()
    for method, path in endpoints:
        assert method.lower() in spec["paths"].get(f"/api/v1{path}", {}), (method, path)
    record_body = spec["paths"]["/api/v1/records"]["post"]["requestBody"]["content"]["application/json"]
    assert record_body["schema"]["$ref"] in ("#/components/schemas/SealedRecord", "#/components/schemas/SealedRecord-Input")
    put = spec["paths"]["/api/v1/evidence/{sha256}"]["put"]
    assert "application/octet-stream" in put["requestBody"]["content"]
    assert {"Problem", "CaseDetail", "RecordResult", "KeyRegistration"} <= set(spec["components"]["schemas"])


def test_a_malformed_request_is_a_request_invalid_problem(team: FieldTeam):
    response = team.client.post("/api/v1/auth/device-login", json={"username": "zhangwei"})
    problem = problem_of(response)
    assert (problem["code"], problem["status"], problem["title"]) == ("request.invalid", 422, "请求内容有误")
    assert {tuple(e["loc"]) for e in problem["data"]["errors"]} == {("body", "pin"), ("body", "device_id")}


def test_an_unknown_address_is_a_not_found_problem(team: FieldTeam):
    problem = problem_of(team.client.get("/api/v1/no-such-thing"))
    assert (problem["code"], problem["status"]) == ("request.not_found", 404)


def test_another_protocol_version_is_refused_before_anything_else(team: FieldTeam):
    headers = {**team.headers["zhangwei"], "X-Protocol-Version": "2"}
    response = team.client.get("/api/v1/cases", headers=headers)
    problem = problem_of(response)
    assert (problem["code"], problem["status"]) == ("protocol.unsupported", 400)
    assert problem["title"] == "应用版本过旧，请更新"


def test_the_current_protocol_version_or_none_is_accepted(team: FieldTeam):
    assert team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).status_code == 200  # sends "1"
    request = team.client.build_request("GET", "/api/v1/cases", headers=team.headers["zhangwei"])
    del request.headers["X-Protocol-Version"]
    assert team.client.send(request).status_code == 200


def test_database_url_in_the_environment_replaces_the_sqlite_file(tmp_path):
    default = Settings.from_env(tmp_path, {})
    assert default.db_url == f"sqlite:///{tmp_path.resolve() / 'server.db'}"
    assert default.evidence_dir == tmp_path / "evidence"
    url = "postgresql+psycopg://verify:secret@127.0.0.1/verification"
    assert Settings.from_env(tmp_path, {"DATABASE_URL": url}).db_url == url


def test_two_apps_in_one_process_each_serve_their_own_data(team: FieldTeam, tmp_path):
    """The routes are built once per process and shared (sync_server/api/__init__.py): each app still
    reaches its own database through its own state. The demo team signs in on the seeded app only."""
    other = create_app(Settings(tmp_path / "other"))
    body = {"username": "chenjing", "password": CREDENTIALS["chenjing"].password}
    try:
        with api_client(other) as client:
            assert client.post(f"{API_PREFIX}/auth/login", json=body).status_code == 401
        assert team.client.post(f"{API_PREFIX}/auth/login", json=body).status_code == 200
    finally:
        other.state.services.engine.dispose()
