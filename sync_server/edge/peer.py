"""The address at the other end of the connection, kept before uvicorn rewrites it.

uvicorn's proxy-headers layer (on by default; it trusts FORWARDED_ALLOW_IPS, 127.0.0.1 unless set) replaces
`scope["client"]` with the address named in X-Forwarded-For, so behind nginx the app sees the unit's or
browser's address, never nginx's. That is right for throttling and logs, but a decision about the sender
itself (may nginx's client-certificate headers be believed? api/unit_cert_auth.py) needs the address the
connection came from: `RecordPeer`, wrapped around everything uvicorn loaded (tls_policy.HardenedConfig), keeps
it in the scope under `PEER`. Without it (an app under TestClient) the peer is `scope["client"]`."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

PEER = "field_evidence.peer"


class RecordPeer:
    """Outermost ASGI layer: the connection's own peer address, before any proxy header is applied."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope[PEER] = scope.get("client")
        await self.app(scope, receive, send)


def peer_host(scope: Mapping[str, Any]) -> str:
    """The host the connection came from ("" when unknown)."""
    peer = scope.get(PEER, scope.get("client"))
    return str(peer[0]) if peer else ""
