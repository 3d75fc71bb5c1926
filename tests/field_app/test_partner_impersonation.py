"""Issue 5 §1, the proof: with everything one member can take from the tablet, they cannot produce a
record the server accepts as sealed by the other member (R7 two surveyors, R11 own seal, R16).

zhangwei (A) and lina (B) sign in through the real view-models against the real server on 127.0.0.1.
A then holds a copy of the tablet's data folder (database with both tokens and both PIN-wrapped key
blobs, the device id, the evidence files), the device's key vault (A holds the unlocked tablet: the
worst case, beyond what encryption at rest protects) and A's own PIN. Every route to "sealed by lina" is tried.
(Offline search of lina's 6-digit PIN against her key blob is the tablet's part, issue 5 §5: it yields
her key only if the disk alone allows PIN guessing; the server side cannot see that attack.)"""
from __future__ import annotations

import base64
import shutil

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from field_app.errors import WrongPin
from field_app.store import queries as q
from field_app.store.keys import unlock_key
from field_app.viewmodels import TeamSession
from schemas.protocol import API_PREFIX, DEVICE_HEADER, PROTOCOL_HEADER
from schemas.records import SealedRecord
from schemas.seal import key_id, public_key_bytes, sign_record
from tests.field_app.helpers import open_tablet, vault_for
from tests.field_app.live_server import PINS
from tests.sync_server.helpers import enrolment, home_visit

A, B = "zhangwei", "lina"


@pytest.fixture
def stolen(tmp_path, data_dir, vault, store, online_client, server, clock):
    """Both members signed in on the tablet for real; then A copies the tablet's data folder."""
    team = TeamSession(store, online_client, "tablet-yb-01", clock)
    for username in (A, B):
        team.sign_in(username, PINS[username])
    copy = tmp_path / "stolen"
    shutil.copytree(data_dir, copy)  # the data folder, and (worst case: A holds the device) its key vault
    shutil.copytree(vault.key_dir, vault_for(copy).key_dir)
    loot, _ = open_tablet(copy)
    with loot.reading() as s:
        accounts = {u: q.get_account(s, u) for u in (A, B)}
    secret = loot.vault.device_secret()
    loot.close()
    return {"team": team, "accounts": accounts, "device": "tablet-yb-01", "secret": secret}


def http(server, token: str | None, device: str) -> httpx.Client:
    headers = {PROTOCOL_HEADER: "1", DEVICE_HEADER: device, **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx.Client(base_url=server.url + API_PREFIX, headers=headers, timeout=10)


def forged(server, a_token: str, device: str, seals: dict[str, tuple[str, Ed25519PrivateKey]], rid: str):
    """Upload a complete home visit's files as A, seal it with the given (key_id, key) per surveyor, post it."""
    visit = home_visit(rid)
    with http(server, a_token, device) as api:
        for sha, data in visit.files.items():
            assert api.put(f"/evidence/{sha}", content=data).status_code == 200
        seal_list = []
        for surveyor, (kid, key) in seals.items():
            seal = sign_record(visit.record, surveyor, key)
            seal_list.append(seal.model_copy(update={"key_id": kid}))
        return api.post("/records", content=SealedRecord(record=visit.record, seals=seal_list).model_dump_json(),
                        headers={"content-type": "application/json"})


def test_r7_r11_r16_one_member_with_the_tablet_cannot_seal_as_the_other(stolen, server):
    a, b, device, secret = stolen["accounts"][A], stolen["accounts"][B], stolen["device"], stolen["secret"]
    assert a.token and b.token and a.key_registered and b.key_registered  # the loot is real
    a_key = unlock_key(a.private_key_blob, PINS[A], secret)  # A's own key: A's PIN opens it
    new_key = Ed25519PrivateKey.generate()
    codes: dict[str, list[str]] = {}
    with http(server, b.token, device) as as_b:
        body = enrolment(new_key, PINS[A], device)
        del body["pin"]
        codes["B's token, no PIN"] = [as_b.put("/keys", json=body).json()["code"]]
        codes["B's token, wrong PINs"] = [as_b.put("/keys", json={**body, "pin": pin}).json()["code"]
                                          for pin in (PINS[A], "135790", "246801", "970531", "864209", "112358")]
    with http(server, b.token, "tablet-attacker") as elsewhere:
        codes["B's token, other device"] = [elsewhere.put("/keys", json=enrolment(new_key, PINS[B],
                                                                                     "tablet-attacker")).json()["code"]]
        codes["B's token, other device, cases"] = [elsewhere.get("/cases").json()["code"]]
    with pytest.raises(WrongPin):
        unlock_key(b.private_key_blob, PINS[A], secret)  # B's key blob does not open with A's PIN
    with http(server, a.token, device) as as_a:  # A's token enrols only A's keys, whoever the body names
        mine = as_a.put("/keys", json=enrolment(new_key, PINS[A], device)).json()
    assert (mine["username"], mine["enrolled_by"]) == (A, A)
    new_kid = key_id(public_key_bytes(new_key.public_key()))
    codes["A's key posing as B"] = [forged(server, a.token, device, {A: (a.key_id, a_key), B: (new_kid, new_key)},
                                           "rec-forge-0001").json()["code"]]
    codes["A's key under B's key id"] = [forged(server, a.token, device, {A: (a.key_id, a_key), B: (b.key_id, a_key)},
                                                "rec-forge-0002").json()["code"]]
    stolen["team"].sign_out(B)  # B signs out on the tablet: her token ends on the server
    with http(server, b.token, device) as replay:
        codes["B's token after sign-out"] = [replay.put("/keys", json=enrolment(Ed25519PrivateKey.generate(),
                                                                                 PINS[B], device)).json()["code"]]
    assert codes == {
        "B's token, no PIN": ["request.invalid"],
        "B's token, wrong PINs": ["key.pin_invalid"] * 5 + ["auth.throttled"],
        "B's token, other device": ["auth.invalid"],
        "B's token, other device, cases": ["auth.invalid"],
        "A's key posing as B": ["key.unknown"],
        "A's key under B's key id": ["signature.invalid"],
        "B's token after sign-out": ["auth.invalid"],
    }
    reviewer = server.staff_token()
    with http(server, reviewer, device) as staff:
        keys = [k["key_id"] for k in staff.get(f"/accounts/{B}/keys").json()]
        records = staff.get("/cases/case-yb-2026-0001").json()["records"]
    assert keys == [b.key_id]  # lina has exactly the key she enrolled herself
    assert records == []  # nothing forged was merged

    # The control: the same record, sealed with lina's key opened by lina's own PIN, is accepted.
    b_key = unlock_key(b.private_key_blob, PINS[B], secret)
    accepted = forged(server, a.token, device, {A: (a.key_id, a_key), B: (b.key_id, b_key)}, "rec-honest-01")
    assert accepted.status_code == 200, accepted.text
    assert base64.b64decode(b.public_key) == public_key_bytes(b_key.public_key())
