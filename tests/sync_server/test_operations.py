"""Operations in process: /healthz and /readyz (each readiness check made to fail for real), the request id
in the header, the problem's `incident` and the log, and /metrics scraped and parsed (who may scrape it)."""
from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from schemas.protocol import API_PREFIX, PROTOCOL_HEADER
from sync_server.ops.log_config import JsonFormatter, RequestIdFilter
from sync_server.transparency import memory
from tests.sync_server.helpers import DEMO_CASE_ID, FieldTeam, home_visit, problem_of
from tests.sync_server.testclient import TestClient

LOOPBACK = ("127.0.0.1", 50123)


@pytest.fixture
def local(app: FastAPI) -> Iterator[TestClient]:
    """A client calling from 127.0.0.1 (the default TestClient's host is not an address)."""
    with TestClient(app, client=LOOPBACK, headers={PROTOCOL_HEADER: "1"}) as client:
        yield client


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a Prometheus text exposition, keyed by name and labels."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_healthz_answers_without_the_database_and_readyz_says_which_check_fails(app: FastAPI, local: TestClient):
    assert local.get("/readyz").json()["status"] == "ready"
    database = app.state.services.settings.data_dir / "server.db"
    app.state.services.engine.dispose()
    moved = database.rename(database.with_suffix(".away"))
    database.mkdir()  # SQLite cannot open a directory: the database is unreachable
    try:
        health = local.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        ready = local.get("/readyz")
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert not checks["database"]["ok"] and checks["storage"]["ok"], checks
    finally:
        app.state.services.engine.dispose()
        database.rmdir()
        moved.rename(database)
    assert local.get("/readyz").status_code == 200


def test_busy_is_not_unready_a_drained_connection_pool_leaves_readyz_ready(settings, clock, team: FieldTeam):
    from sync_server.app import create_app

    drained = create_app(settings.replace(db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.2), clock=clock)
    try:
        with drained.state.services.engine.connect(), TestClient(drained, client=LOOPBACK) as local:
            assert local.get(f"{API_PREFIX}/cases", headers=team.headers["zhangwei"]).status_code == 503
            ready = local.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["database"]["ok"], ready.text
    finally:
        drained.state.services.engine.dispose()


def test_a_missing_database_file_is_not_ready(app: FastAPI, local: TestClient):
    database = app.state.services.settings.data_dir / "server.db"
    app.state.services.engine.dispose()
    moved = database.rename(database.with_suffix(".away"))
    try:
        assert local.get("/readyz").json()["checks"]["database"]["ok"] is False
        assert not database.exists()  # the check did not make an empty one
    finally:
        moved.rename(database)


def test_readyz_fails_when_evidence_storage_cannot_take_a_file(app: FastAPI, local: TestClient):
    evidence = app.state.services.blobs.root
    aside = evidence.with_name("evidence-aside")
    evidence.rename(aside)
    evidence.write_bytes(b"not a folder")
    try:
        ready = local.get("/readyz")
        assert ready.status_code == 503 and not ready.json()["checks"]["storage"]["ok"], ready.text
        assert ready.json()["checks"]["database"]["ok"]
    finally:
        evidence.unlink()
        aside.rename(evidence)
    assert local.get("/readyz").status_code == 200
    assert not [p for p in evidence.iterdir() if p.name.startswith(".readyz")]  # the probes are gone


def test_readyz_fails_when_the_log_no_longer_extends_the_signed_checkpoint(app: FastAPI, local: TestClient,
                                                                           team: FieldTeam):
    data_dir = app.state.services.settings.data_dir
    size = local.get("/readyz").json()["checks"]["audit_log"]["detail"]
    assert local.get("/readyz").status_code == 200, size
    kept = (data_dir / memory.MEMORY_FILE).read_bytes() if (data_dir / memory.MEMORY_FILE).exists() else None
    memory.remember(data_dir, memory.Signed(1, b"\x00" * 32, "forged"))  # a root the log never had
    try:
        ready = local.get("/readyz")
        assert ready.status_code == 503 and "signed root" in ready.json()["checks"]["audit_log"]["detail"]
        memory.remember(data_dir, memory.Signed(10**9, b"\x00" * 32, "longer"))  # more than the log holds
        assert "were signed" in local.get("/readyz").json()["checks"]["audit_log"]["detail"]
    finally:
        (data_dir / memory.MEMORY_FILE).unlink()
        if kept is not None:
            (data_dir / memory.MEMORY_FILE).write_bytes(kept)
    assert local.get("/readyz").status_code == 200
    memory.raise_alarm(data_dir, "witness", reporter="test")
    assert local.get("/readyz").json()["checks"]["audit_log"]["ok"] is False
    shutil.move(data_dir / memory.ALARM_FILE, data_dir.parent / "looked-into.jsonl")  # what an admin does
    assert local.get("/readyz").status_code == 200


def test_every_answer_has_a_request_id_and_every_problem_names_it_as_its_incident(local: TestClient):
    mine = local.get(f"{API_PREFIX}/cases")
    made = mine.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made) and problem_of(mine)["incident"] == made
    proxied = local.get(f"{API_PREFIX}/cases", headers={"X-Request-ID": "nginx-5f2c9a0e77d14b1b"})
    assert proxied.headers["X-Request-ID"] == "nginx-5f2c9a0e77d14b1b"
    assert problem_of(proxied)["incident"] == "nginx-5f2c9a0e77d14b1b"
    for forged in ("short", "has spaces in it ok", "x" * 65, "<script>alert(1)</script>"):
        answer = local.get(f"{API_PREFIX}/cases", headers={"X-Request-ID": forged})
        assert answer.headers["X-Request-ID"] != forged and re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
    refused = local.post(f"{API_PREFIX}/auth/login", content=b"x" * 100_000,  # refused by the limits, outermost
                         headers={"content-type": "application/json"})
    assert refused.status_code == 413 and problem_of(refused)["incident"] == refused.headers["X-Request-ID"]
    assert local.get("/healthz").headers["X-Request-ID"] != local.get("/healthz").headers["X-Request-ID"]


def test_a_server_error_is_logged_as_json_with_the_incident_the_client_got(app: FastAPI, caplog):
    @app.get(f"{API_PREFIX}/explode")
    def explode() -> None:  # a sync route: runs in a worker thread, the request id must follow it there
        logging.getLogger("sync_server.test").warning("about to fail", extra={"case_id": DEMO_CASE_ID})
        raise RuntimeError("secret internal state")

    stamp = RequestIdFilter()
    caplog.handler.addFilter(stamp)  # as on the server's handler: the id is read when the line is written
    with caplog.at_level(logging.INFO), TestClient(app) as client:
        response = client.get(f"{API_PREFIX}/explode", headers={"X-Request-ID": "req-0001-abcdefgh"})
    problem = problem_of(response)
    assert response.status_code == 500 and problem["incident"] == "req-0001-abcdefgh"
    assert "req-0001-abcdefgh" in problem["detail"] and "secret" not in response.text
    formatter = JsonFormatter()
    ours = [r for r in caplog.records if r.name in ("sync_server.test", "sync_server.errors")]
    assert len(ours) == 2
    for record in ours:
        line = json.loads(formatter.format(record))
        assert line["request_id"] == "req-0001-abcdefgh", line
    lines = [json.loads(formatter.format(r)) for r in ours]
    assert lines[0]["case_id"] == DEMO_CASE_ID and lines[0]["message"] == "about to fail"
    assert "secret internal state" in lines[1]["exception"]  # the operator sees it; the client does not


def test_metrics_count_requests_by_route_template_and_records_by_outcome(local: TestClient, team: FieldTeam):
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    assert team.post(team.seal(visit.record)).json()["status"] == "already_merged"
    for case_id in ("case-a", "case-b", "case-c"):
        local.get(f"{API_PREFIX}/cases/{case_id}", headers=team.headers["wangfang"])
    scraped = local.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    found = samples(scraped.text)

    def value(name: str, **labels: str) -> float:
        return found.get((name, frozenset(labels.items())), 0.0)

    case_route = f"{API_PREFIX}/cases/{{case_id}}"
    assert value("sync_http_requests_total", method="GET", route=case_route, status="404") == 3
    assert value("sync_http_request_duration_seconds_count", method="GET", route=case_route) == 3
    assert value("sync_http_requests_total", method="POST", route=f"{API_PREFIX}/records", status="200") == 2
    assert value("sync_records_ingested_total", outcome="merged") == 1
    assert value("sync_records_ingested_total", outcome="already_merged") == 1
    assert value("sync_in_progress", kind="request") == 1  # the scrape itself
    assert value("sync_in_progress", kind="upload") == 0
    assert ("sync_queue_depth", frozenset({"queue": "partial_uploads"}.items())) in found
    assert ("sync_queue_depth", frozenset({"queue": "display_warm"}.items())) in found
    assert not [key for key in found if dict(key[1]).get("route", "").endswith("case-a")]  # templates only


def test_partial_uploads_waiting_show_as_a_queue_depth(app: FastAPI, local: TestClient):
    root = app.state.uploads.root
    root.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        (root / f"{n:064x}.0123456789abcdef.state").write_text("{}")
    found = samples(local.get("/metrics").text)
    assert found[("sync_queue_depth", frozenset({"queue": "partial_uploads"}.items()))] == 3


def test_metrics_are_for_loopback_callers_or_the_token_only(app: FastAPI, settings, clock):
    assert TestClient(app).get("/metrics").status_code == 403  # not an address on this machine
    with TestClient(app, client=("10.20.30.40", 4000)) as remote:
        assert problem_of(remote.get("/metrics"))["code"] == "auth.forbidden"
    with TestClient(app, client=LOOPBACK) as proxied:  # nginx on this host forwarding a remote caller
        assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
        assert proxied.get("/metrics", headers={"X-Real-IP": "203.0.113.9"}).status_code == 403
    from sync_server.app import create_app

    tokened = create_app(settings.replace(metrics_token="scrape-Token-2026"), clock=clock)
    try:
        with TestClient(tokened, client=("10.20.30.40", 4000)) as remote:
            assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
            good = remote.get("/metrics", headers={"Authorization": "Bearer scrape-Token-2026"})
            assert good.status_code == 200 and "sync_http_requests_total" in good.text
    finally:
        tokened.state.services.engine.dispose()


def test_ops_endpoints_are_not_in_the_api_document(app: FastAPI):
    paths = app.openapi()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)
