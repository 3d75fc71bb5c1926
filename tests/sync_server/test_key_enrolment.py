"""Issue 5 §1, as the attack: one surveyor tries to enrol a signing key as the partner (R7, R11, R16).

Each route to "a key the server takes as lina's" without lina's PIN at that moment fails; an
administrator sees every key (who, which device, when) and revokes one."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.sync_server.helpers import (
    CREDENTIALS,
    FieldTeam,
    device_login,
    enrolment,
    password_login,
    problem_of,
)

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

ZHANG_PIN, LINA_PIN = CREDENTIALS["zhangwei"].pin, CREDENTIALS["lina"].pin


def enrol(team: FieldTeam, headers: dict[str, str], body: dict):
    return team.client.put("/api/v1/keys", json=body, headers=headers)


def lina_keys(team: FieldTeam) -> list[str]:
    keys = team.client.get("/api/v1/accounts/lina/keys", headers=team.headers["wangfang"]).json()
    return [k["key_id"] for k in keys]


def test_r11_enrolling_a_key_needs_the_owners_pin_now(team: FieldTeam):
    """lina's token alone (taken from the tablet) enrols nothing: no PIN, zhangwei's PIN, a guess."""
    before = lina_keys(team)
    body = enrolment(Ed25519PrivateKey.generate(), LINA_PIN)
    del body["pin"]
    assert problem_of(enrol(team, team.headers["lina"], body))["code"] == "request.invalid"
    for pin in (ZHANG_PIN, "135790", ""):
        problem = problem_of(enrol(team, team.headers["lina"], {**body, "pin": pin}))
        assert problem["code"] in {"key.pin_invalid", "request.invalid"}, problem
    assert lina_keys(team) == before


def test_r11_wrong_pins_at_enrolment_are_throttled_like_sign_ins(team: FieldTeam):
    """Guessing the partner's PIN through key enrolment slows down exactly as at sign-in (429)."""
    body = enrolment(Ed25519PrivateKey.generate(), "000111")
    codes = [problem_of(enrol(team, team.headers["lina"], body))["code"] for _ in range(6)]
    assert codes == ["key.pin_invalid"] * 5 + ["auth.throttled"]
    right = enrol(team, team.headers["lina"], {**body, "pin": LINA_PIN})
    assert (problem_of(right)["code"], "Retry-After" in right.headers) == ("auth.throttled", True)


def test_r16_a_token_enrols_keys_only_for_its_own_account(team: FieldTeam):
    """zhangwei's token with lina's PIN (say, seen over her shoulder) enrols a key for zhangwei, never for
    lina: the owner is the token's account, and a PIN other than its own is refused."""
    body = enrolment(Ed25519PrivateKey.generate(), LINA_PIN)
    assert problem_of(enrol(team, team.headers["zhangwei"], body))["code"] == "key.pin_invalid"
    assert body["key_id"] not in lina_keys(team)


def test_r16_a_key_is_bound_to_the_device_of_the_token(team: FieldTeam):
    body = enrolment(Ed25519PrivateKey.generate(), LINA_PIN, device_id="tablet-elsewhere")
    assert problem_of(enrol(team, team.headers["lina"], body))["code"] == "key.device_mismatch"
    elsewhere = {**team.headers["lina"], "X-Device-Id": "tablet-elsewhere"}
    assert problem_of(enrol(team, elsewhere, body))["code"] == "auth.invalid"  # the token is not of that device
    assert body["key_id"] not in lina_keys(team)


def test_an_administrator_sees_every_key_and_revokes_one(team: FieldTeam, clock):
    admin = password_login(team.client, "admin")
    keys = team.client.get("/api/v1/admin/keys", headers=admin).json()
    assert sorted((k["username"], k["enrolled_by"], k["device_id"]) for k in keys) == [
        ("lina", "lina", "tablet-yb-01"), ("zhangwei", "zhangwei", "tablet-yb-01")]
    lina = next(k for k in keys if k["username"] == "lina")
    revoked = team.client.post(f"/api/v1/admin/keys/{lina['key_id']}/revoke", json={"reason": "平板遗失"},
                               headers=admin).json()
    assert (revoked["revoked_by"], revoked["revoke_reason"]) == ("admin", "平板遗失")
    assert revoked["revoked_at"].startswith(clock.now.strftime("%Y-%m-%dT%H:%M"))
    again = team.client.post(f"/api/v1/admin/keys/{lina['key_id']}/revoke", json={"reason": "又一次"},
                             headers=admin).json()
    assert again["revoke_reason"] == "平板遗失"  # the first revocation stands


def test_only_administrators_list_and_revoke_keys(team: FieldTeam):
    for who in ("wangfang", "zhangwei"):
        assert problem_of(team.client.get("/api/v1/admin/keys", headers=team.headers[who]))["code"] == \
            "auth.forbidden"
        response = team.client.post("/api/v1/admin/keys/x/revoke", json={"reason": "x"}, headers=team.headers[who])
        assert problem_of(response)["code"] == "auth.forbidden"


def test_a_new_device_login_and_the_owners_pin_enrol_a_second_key(team: FieldTeam):
    """The legitimate path still works: lina on a new tablet, with her PIN."""
    headers = device_login(team.client, "lina", device_id="tablet-yb-09")
    body = enrolment(Ed25519PrivateKey.generate(), LINA_PIN, device_id="tablet-yb-09")
    response = enrol(team, headers, body)
    assert response.status_code == 200, response.text
    assert (response.json()["device_id"], response.json()["enrolled_by"]) == ("tablet-yb-09", "lina")
    assert body["key_id"] in lina_keys(team)
