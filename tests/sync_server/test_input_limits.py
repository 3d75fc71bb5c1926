"""Issue 5 §4: oversized and malformed text gets a clear 4xx problem, never a 500; the rules are in the schema."""
from __future__ import annotations

import json

import pytest
from fastapi import FastAPI

from schemas.text import NO_CONTROL
from tests.sync_server.console_client import form_token
from tests.sync_server.helpers import FieldTeam, home_visit, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

LONE = '"\\ud800"'  # a lone UTF-16 surrogate, as JSON text


def raw_post(team: FieldTeam, path: str, text: str, headers: dict[str, str] | None = None):
    return team.client.post(path, content=text.encode("utf-8"),
                            headers={**(headers or {}), "content-type": "application/json"})


def test_lone_surrogates_on_the_anonymous_logins_are_request_problems(team: FieldTeam):
    for path, template in (("/api/v1/auth/login", '{"username": "wangfang", "password": LONE}'),
                           ("/api/v1/auth/login", '{"username": LONE, "password": "x"}'),
                           ("/api/v1/auth/device-login", '{"username": "zhangwei", "pin": LONE, "device_id": "t"}'),
                           ("/api/v1/auth/device-login", '{"username": "zhangwei", "pin": "1", "device_id": LONE}')):
        body = template.replace("LONE", LONE)
        problem = problem_of(raw_post(team, path, body))
        assert (problem["status"], problem["code"]) == (422, "request.invalid"), (path, body)
    csrf = form_token(team.client, "/console/login").encode()
    for form in (b"username=%ED%A0%80&password=%00x", b"username=wangfang%00&password=x"):
        console = team.client.post("/console/login", content=form + b"&csrf=" + csrf,
                                   headers={"content-type": "application/x-www-form-urlencoded"})
        assert 400 <= console.status_code < 500 and "用户名或密码不正确" in console.text or \
            console.status_code == 422, console.text[:300]


def test_lone_surrogates_and_nul_anywhere_in_a_record_are_request_problems(team: FieldTeam):
    sealed = json.loads(team.seal(home_visit("rec-bad-text").record).model_dump_json())
    headers = team.headers["zhangwei"]
    for where in ("answers.survey_conclusion", "answers.KEY", "evidence.0.caption", "respondent.name"):
        for bad in ("\ud800", "\x00"):
            body = json.loads(json.dumps(sealed))
            target, *path = where.split(".")
            node = body["record"][target]
            for step in path[:-1]:
                node = node[int(step)]
            if path[-1] == "KEY":
                node["x" + bad] = "值"
            else:
                node[path[-1]] = "文本" + bad
            text = json.dumps(body, ensure_ascii=True)  # "\ud800" and "\u0000" escapes, as an attacker sends
            problem = problem_of(raw_post(team, "/api/v1/records", text, headers))
            assert (problem["status"], problem["code"]) == (422, "request.invalid"), (where, repr(bad))


def test_a_20_mb_answer_is_refused_as_too_large_declared_or_streamed(team: FieldTeam):
    sealed = json.loads(team.seal(home_visit("rec-huge-answer").record).model_dump_json())
    sealed["record"]["answers"]["survey_conclusion"] = "很" * (20 * 1024 * 1024 // 3)
    data = json.dumps(sealed, ensure_ascii=False).encode("utf-8")
    headers = {**team.headers["zhangwei"], "content-type": "application/json"}
    declared = team.client.post("/api/v1/records", content=data, headers=headers)
    streamed = team.client.post("/api/v1/records", content=iter([data[i:i + 65536]
                                                                 for i in range(0, len(data), 65536)]),
                                headers=headers)
    for response in (declared, streamed):
        assert (problem_of(response)["code"], response.status_code) == ("request.too_large", 413)
    login = team.client.post("/api/v1/auth/login", content=b'{"username": "' + b"a" * 20_000_000 + b'"}',
                             headers={"content-type": "application/json"})
    assert problem_of(login)["code"] == "request.too_large"


def test_an_answer_over_the_schemas_length_is_a_request_problem(team: FieldTeam):
    sealed = json.loads(team.seal(home_visit("rec-long-answer").record).model_dump_json())
    sealed["record"]["answers"]["survey_conclusion"] = "很" * 20_001
    problem = problem_of(raw_post(team, "/api/v1/records", json.dumps(sealed), team.headers["zhangwei"]))
    assert (problem["status"], problem["code"]) == (422, "request.invalid")


def test_every_text_field_of_the_wire_models_has_its_limits_in_the_schema(app: FastAPI):
    """Length and forbidden characters are in /openapi.json, so clients and Schemathesis know them."""
    schemas = app.openapi()["components"]["schemas"]
    unlimited = []
    for model, schema in schemas.items():
        if model in {"Problem", "ValidationError", "HTTPValidationError"}:
            continue
        for name, prop in schema.get("properties", {}).items():
            for variant in prop.get("anyOf", [prop]):
                text = variant.get("type") == "string" and "format" not in variant
                if text and ("maxLength" not in variant or "pattern" not in variant):
                    unlimited.append(f"{model}.{name}")
    assert unlimited == []
    assert schemas["KeyEnrolment"]["properties"]["public_key"]["pattern"] == "^[A-Za-z0-9+/]{43}=$"
    assert schemas["DeviceLogin"]["properties"]["pin"]["pattern"] == NO_CONTROL
