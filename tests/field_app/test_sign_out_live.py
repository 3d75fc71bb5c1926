"""Issue 5 §1 on the tablet: signing out ends the token on the real server, offline too it is forgotten,
and every request names this tablet (`X-Device-Id`), to which the server binds the token (R16)."""
from __future__ import annotations

from field_app.store import queries as q
from field_app.viewmodels import TeamSession
from schemas.protocol import DEVICE_HEADER
from tests.field_app.live_server import PINS


def _token(store, username: str) -> str | None:
    with store.reading() as s:
        account = q.get_account(s, username)
    return account.token if account else None


def test_sign_out_ends_the_token_on_the_server_r16(store, online_client, server, transport, clock):
    team = TeamSession(store, online_client, "tablet-yb-01", clock)
    team.sign_in("lina", PINS["lina"])
    token = _token(store, "lina")
    assert token and server.api("GET", "/cases", token).status_code == 200
    team.sign_out("lina")
    assert _token(store, "lina") is None
    assert server.api("GET", "/cases", token).json()["code"] == "auth.invalid"  # a copied token is dead
    assert transport.calls("POST", "/auth/logout")
    assert {r.headers.get(DEVICE_HEADER) for r in transport.requests} == {"tablet-yb-01"}


def test_offline_sign_out_forgets_the_token_here_anyway(store, online_client, server, clock):
    team = TeamSession(store, online_client, "tablet-yb-01", clock)
    team.sign_in("zhangwei", PINS["zhangwei"])
    token = _token(store, "zhangwei")
    server.stop()
    team.sign_out("zhangwei")  # no error: the server is unreachable
    assert _token(store, "zhangwei") is None and team.members == []
    server.start()
    assert server.api("GET", "/cases", token).status_code == 200  # it still expires within the 12 h


def test_a_key_is_enrolled_with_the_pin_and_this_tablet_r11(store, online_client, server, transport, clock):
    team = TeamSession(store, online_client, "tablet-yb-01", clock)
    team.sign_in("zhangwei", PINS["zhangwei"])
    [enrol] = transport.calls("PUT", "/keys")
    assert b'"pin":"480317"' in enrol.content and b'"device_id":"tablet-yb-01"' in enrol.content
    keys = server.api("GET", "/admin/keys", server.staff_token("admin")).json()
    assert [(k["username"], k["device_id"], k["enrolled_by"]) for k in keys] == [
        ("zhangwei", "tablet-yb-01", "zhangwei")]
