"""Surveyors' public keys: a key id is bound to one person and one key, forever (R4)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from tests.sync_server.helpers import CREDENTIALS, FieldTeam, at_once, enrolment, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]


def registration(key: Ed25519PrivateKey, username: str = "zhangwei") -> dict:
    """PUT /keys as the tablet sends it: the owner's PIN and the device of the owner's token."""
    return enrolment(key, CREDENTIALS[username].pin, "tablet-yb-01")


def test_staff_can_list_a_surveyors_keys_with_who_enrolled_them_and_from_where(team: FieldTeam):
    keys = team.client.get("/api/v1/accounts/lina/keys", headers=team.headers["wangfang"]).json()
    assert [k["key_id"] for k in keys] == [registration(team.keys["lina"])["key_id"]]
    assert keys[0]["registered_at"] and (keys[0]["enrolled_by"], keys[0]["device_id"]) == ("lina", "tablet-yb-01")
    assert "pin" not in keys[0]


def test_registering_the_same_key_again_changes_nothing(team: FieldTeam):
    body = registration(team.keys["zhangwei"])
    again = team.client.put("/api/v1/keys", json=body, headers=team.headers["zhangwei"])
    assert again.status_code == 200
    assert len(team.client.get("/api/v1/accounts/zhangwei/keys", headers=team.headers["wangfang"]).json()) == 1


def test_a_new_key_registered_by_several_requests_at_once_is_stored_once(app: FastAPI, team: FieldTeam):
    """A tablet retrying on a slow network: a twin that loses the unique-key race is answered as a repeat."""
    body = registration(Ed25519PrivateKey.generate())
    responses = at_once(4, lambda client: client.put("/api/v1/keys", json=body,
                                                     headers=team.headers["zhangwei"]), app)
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    keys = team.client.get("/api/v1/accounts/zhangwei/keys", headers=team.headers["wangfang"]).json()
    first = registration(team.keys["zhangwei"])["key_id"]
    assert sorted(k["key_id"] for k in keys) == sorted([first, body["key_id"]])


def test_a_second_device_adds_a_second_key(team: FieldTeam):
    body = registration(Ed25519PrivateKey.generate())
    assert team.client.put("/api/v1/keys", json=body, headers=team.headers["zhangwei"]).status_code == 200
    assert len(team.client.get("/api/v1/accounts/zhangwei/keys", headers=team.headers["wangfang"]).json()) == 2


def test_a_key_id_already_bound_to_someone_else_is_a_conflict(team: FieldTeam):
    body = registration(team.keys["zhangwei"], "lina")
    response = team.client.put("/api/v1/keys", json=body, headers=team.headers["lina"])
    assert problem_of(response)["code"] == "key.conflict"


def test_a_key_id_that_does_not_match_the_key_is_refused(team: FieldTeam):
    body = {**registration(Ed25519PrivateKey.generate()), "key_id": "0123456789abcdef"}
    response = team.client.put("/api/v1/keys", json=body, headers=team.headers["zhangwei"])
    assert problem_of(response)["code"] == "request.invalid"
    body = {**body, "public_key": "bm90IGEga2V5"}  # not 32 bytes: refused by the schema's pattern
    response = team.client.put("/api/v1/keys", json=body, headers=team.headers["zhangwei"])
    assert problem_of(response)["code"] == "request.invalid"


def test_only_surveyors_register_keys(team: FieldTeam):
    body = registration(Ed25519PrivateKey.generate())
    response = team.client.put("/api/v1/keys", json=body, headers=team.headers["wangfang"])
    assert problem_of(response)["code"] == "auth.forbidden"


def test_listing_keys_of_an_unknown_account_is_not_found(team: FieldTeam):
    response = team.client.get("/api/v1/accounts/nobody/keys", headers=team.headers["wangfang"])
    assert problem_of(response)["code"] == "request.not_found"
