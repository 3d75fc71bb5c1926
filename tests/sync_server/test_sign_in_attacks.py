"""Issue 5 §4, as the attack: sign-in cannot be turned into a lock-out, and says nothing about who exists.

Growing delays are keyed on (username, client) and on the client, so an attacker slows down only
themself; the real reviewer, on another client, signs in at once (R6, ASVS V6.3.1, V6.3.8)."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from schemas.protocol import PROTOCOL_HEADER
from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import CREDENTIALS, password_login, problem_of
from tests.sync_server.testclient import TestClient

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

ATTACKER, REVIEWER_DESK, SURVEYOR_TABLET = "203.0.113.66", "198.51.100.7", "198.51.100.20"


@pytest.fixture
def clients(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    made = {ip: TestClient(app, headers={PROTOCOL_HEADER: "1"}, client=(ip, 40000))
            for ip in (ATTACKER, REVIEWER_DESK, SURVEYOR_TABLET)}
    yield made
    for client in made.values():
        client.close()


def password(client: TestClient, username: str, secret: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": secret})


def pin(client: TestClient, username: str, secret: str):
    return client.post("/api/v1/auth/device-login", json={"username": username, "pin": secret, "device_id": "t1"})


def test_r6_fifty_wrong_passwords_do_not_lock_the_only_reviewer_out(clients: dict[str, TestClient]):
    attacker = clients[ATTACKER]
    codes = [problem_of(password(attacker, "wangfang", f"Guess#{i:04d}xx"))["code"] for i in range(50)]
    assert codes[:5] == ["auth.invalid"] * 5 and set(codes[5:]) == {"auth.throttled"}
    right = password(attacker, "wangfang", CREDENTIALS["wangfang"].password)
    assert problem_of(right)["code"] == "auth.throttled"  # even the right password waits on that client
    desk = clients[REVIEWER_DESK]
    assert password(desk, "wangfang", CREDENTIALS["wangfang"].password).status_code == 200
    assert console_login(desk, "wangfang").status_code == 303


def test_unknown_and_known_usernames_get_byte_identical_answers(app: FastAPI, monkeypatch):
    """The same status, body and headers, and the same work (one scrypt hash) for a name that does not
    exist, a closed-to-this-route staff account, and a wrong secret: nothing to enumerate (ASVS V6.3.8)."""
    from sync_server.accounts import auth

    hashed: list[str] = []
    real = auth.secret_matches
    monkeypatch.setattr(auth, "secret_matches", lambda s, h: hashed.append(s) or real(s, h))

    def answer(response) -> tuple:
        # the date, and the request's own id (the incident a person quotes, unique to each request by design:
        # it tells nothing of the username); everything else byte for byte
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("date", "x-request-id")}
        body = response.json()
        assert len(body.pop("incident")) == 32 and response.headers["x-request-id"]
        return response.status_code, json.dumps(body, ensure_ascii=False, sort_keys=True), headers

    for n, (send, known, unknown) in enumerate(((password, "wangfang", "wangfang-x"),
                                                (pin, "zhangwei", "zhangwei-x"), (pin, "wangfang", "nobody"))):
        attacker = TestClient(app, headers={PROTOCOL_HEADER: "1"}, client=(f"203.0.113.{n + 1}", 40000))
        for _ in range(6):  # five refusals, then the delay: identical at every step
            before = len(hashed)
            known_answer = answer(send(attacker, known, "Wrong#Secret1"))
            known_work = len(hashed) - before
            before = len(hashed)
            assert answer(send(attacker, unknown, "Wrong#Secret1")) == known_answer
            assert len(hashed) - before == known_work


def test_one_client_spraying_many_usernames_is_slowed_down(clients: dict[str, TestClient]):
    """The per-client limit: 30 failures across usernames, then that client waits (others do not)."""
    attacker = clients[ATTACKER]
    for i in range(30):
        assert problem_of(password(attacker, f"user{i:02d}", "Spray#2026pw"))["code"] == "auth.invalid"
    assert problem_of(password(attacker, "user99", "Spray#2026pw"))["code"] == "auth.throttled"
    assert password(clients[REVIEWER_DESK], "wangfang", CREDENTIALS["wangfang"].password).status_code == 200


def test_an_administrator_clears_the_delays_of_an_account(app: FastAPI, clients: dict[str, TestClient]):
    """A 6-digit PIN is also slowed down across clients (10 failures); the admin's unlock clears it."""
    for client in (clients[ATTACKER], clients[REVIEWER_DESK]):
        for _ in range(5):
            assert problem_of(pin(client, "zhangwei", "000111"))["code"] == "auth.invalid"
    tablet = clients[SURVEYOR_TABLET]
    assert problem_of(pin(tablet, "zhangwei", CREDENTIALS["zhangwei"].pin))["code"] == "auth.throttled"
    reviewer = password_login(tablet, "wangfang")
    refused = tablet.post("/api/v1/admin/accounts/zhangwei/unlock", headers=reviewer)
    assert problem_of(refused)["code"] == "auth.forbidden"
    admin = password_login(tablet, "admin")
    assert tablet.post("/api/v1/admin/accounts/zhangwei/unlock", headers=admin).status_code == 204
    assert pin(tablet, "zhangwei", CREDENTIALS["zhangwei"].pin).status_code == 200
    assert problem_of(tablet.post("/api/v1/admin/accounts/nobody/unlock", headers=admin))["code"] == \
        "request.not_found"
